#include "shim_conf.h"
#include "shim_util.h"

#include <stdio.h>

int shim_conf_set(const shim_api *api, rd_kafka_conf_t *conf, const char *name, const char *value, int optional,
                  const shim_conf_error *error) {
    char message[512] = "";
    rd_kafka_conf_res_t result = api->conf_set(conf, name, value, message, sizeof message);
    if (result == RDK_CONF_OK || (optional && result == RDK_CONF_UNKNOWN)) {
        return 1;
    }
    shim_format(error->setting, error->setting_size, "%s", name);
    shim_format(error->reason, error->reason_size, "%s", message);
    return 0;
}

int shim_conf_set_int(const shim_api *api, rd_kafka_conf_t *conf, const char *name, int value, int optional,
                      const shim_conf_error *error) {
    char text[24];
    snprintf(text, sizeof text, "%d", value);
    return shim_conf_set(api, conf, name, text, optional, error);
}

static void ignore_log(const rd_kafka_t *rk, int level, const char *facility, const char *line) {
    (void)rk;
    (void)level;
    (void)facility;
    (void)line;
}

void shim_conf_silence_log(const shim_api *api, rd_kafka_conf_t *conf) { api->conf_set_log_cb(conf, ignore_log); }
