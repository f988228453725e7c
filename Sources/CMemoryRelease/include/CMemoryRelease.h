#ifndef C_MEMORY_RELEASE_H
#define C_MEMORY_RELEASE_H

/// Gives heap memory that was freed back to the system (glibc's malloc_trim, which Swift's Glibc module does not
/// expose). Returns 1 when memory was released, 0 otherwise or where the C library has no such call.
int tracetest_release_free_memory(void);

/// Lets glibc's malloc use at most `count` arenas (M_ARENA_MAX) unless MALLOC_ARENA_MAX is set: its default, eight
/// per core, leaves freed memory scattered over many arenas, where it is neither reused nor returned.
void tracetest_limit_malloc_arenas(int count);

#endif
