#include "shim_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

void shim_format(char *buffer, size_t size, const char *format, ...) {
    if (buffer == NULL || size == 0) {
        return;
    }
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(buffer, size, format, arguments);
    va_end(arguments);
}

int64_t shim_now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

void shim_sleep_ms(int ms) {
    struct timespec duration = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&duration, NULL);
}
