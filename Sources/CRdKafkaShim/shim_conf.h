// Building an rd_kafka_conf_t with errors that name the refused setting.
#ifndef TRACETEST_SHIM_CONF_H
#define TRACETEST_SHIM_CONF_H

#include "shim_api.h"

/// Where a refused setting is described: its name and librdkafka's message.
typedef struct shim_conf_error {
    char *setting;
    size_t setting_size;
    char *reason;
    size_t reason_size;
} shim_conf_error;

/// Sets `name` to `value`; returns 1, or 0 with `error` filled. An `optional` setting that this librdkafka does not
/// know is skipped (it is one that newer versions added).
int shim_conf_set(const shim_api *api, rd_kafka_conf_t *conf, const char *name, const char *value, int optional,
                  const shim_conf_error *error);

/// Sets an integer setting, as shim_conf_set.
int shim_conf_set_int(const shim_api *api, rd_kafka_conf_t *conf, const char *name, int value, int optional,
                      const shim_conf_error *error);

/// Keeps librdkafka from writing its log lines to stderr; errors reach the error callbacks instead.
void shim_conf_silence_log(const shim_api *api, rd_kafka_conf_t *conf);

#endif
