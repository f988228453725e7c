#include "CMemoryRelease.h"

#include <stdlib.h>

#if defined(__GLIBC__)
#include <malloc.h>

int tracetest_release_free_memory(void) { return malloc_trim(0); }

void tracetest_limit_malloc_arenas(int count) {
    if (getenv("MALLOC_ARENA_MAX") == NULL && count > 0) mallopt(M_ARENA_MAX, count);
}
#else
int tracetest_release_free_memory(void) { return 0; }

void tracetest_limit_malloc_arenas(int count) { (void)count; }
#endif
