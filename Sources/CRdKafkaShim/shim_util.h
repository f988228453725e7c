// Helpers shared by the shim's parts.
#ifndef TRACETEST_SHIM_UTIL_H
#define TRACETEST_SHIM_UTIL_H

#include <stddef.h>
#include <stdint.h>

/// Writes a formatted message to `buffer` (always NUL-terminated when `size` > 0).
void shim_format(char *buffer, size_t size, const char *format, ...) __attribute__((format(printf, 3, 4)));

/// Milliseconds of a monotonic clock.
int64_t shim_now_ms(void);

/// Sleeps for `ms` milliseconds.
void shim_sleep_ms(int ms);

#endif
