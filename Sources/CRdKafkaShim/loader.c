// Opens librdkafka with dlopen and resolves the functions the shim calls.
#include "CRdKafkaShim.h"
#include "shim_api.h"
#include "shim_util.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "function pointers must be pointer-sized for dlsym");

// The names tried in order when no library name is given.
static const char *const default_names[] = {
#if defined(__APPLE__)
    "librdkafka.1.dylib",
    "librdkafka.dylib",
    "/opt/homebrew/lib/librdkafka.1.dylib",
    "/usr/local/lib/librdkafka.1.dylib",
#else
    "librdkafka.so.1",
    "librdkafka.so",
#endif
    NULL,
};

static void resolve(shim_api *api, shim_api_group group, const char *name, void *slot) {
    void *symbol = dlsym(api->handle, name);
    if (symbol == NULL) {
        if (api->missing[group] == NULL) {
            api->missing[group] = name;
        }
        return;
    }
    memcpy(slot, &symbol, sizeof symbol);
}

static void resolve_all(shim_api *api) {
    resolve(api, SHIM_GROUP_PRODUCER, "rd_kafka_version_str", &api->version_str);
    resolve(api, SHIM_GROUP_PRODUCER, "rd_kafka_err2str", &api->err2str);
    resolve(api, SHIM_GROUP_PRODUCER, "rd_kafka_conf_new", &api->conf_new);
    resolve(api, SHIM_GROUP_PRODUCER, "rd_kafka_conf_destroy", &api->conf_destroy);
    resolve(api, SHIM_GROUP_PRODUCER, "rd_kafka_conf_set", &api->conf_set);
    resolve(api, SHIM_GROUP_PRODUCER, "rd_kafka_conf_set_opaque", &api->conf_set_opaque);
    resolve(api, SHIM_GROUP_PRODUCER, "rd_kafka_conf_set_dr_msg_cb", &api->conf_set_dr_msg_cb);
    resolve(api, SHIM_GROUP_PRODUCER, "rd_kafka_conf_set_error_cb", &api->conf_set_error_cb);
    resolve(api, SHIM_GROUP_PRODUCER, "rd_kafka_conf_set_log_cb", &api->conf_set_log_cb);
    resolve(api, SHIM_GROUP_PRODUCER, "rd_kafka_new", &api->kafka_new);
    resolve(api, SHIM_GROUP_PRODUCER, "rd_kafka_destroy", &api->kafka_destroy);
    resolve(api, SHIM_GROUP_PRODUCER, "rd_kafka_poll", &api->poll);
    resolve(api, SHIM_GROUP_PRODUCER, "rd_kafka_purge", &api->purge);
    resolve(api, SHIM_GROUP_PRODUCER, "rd_kafka_producev", &api->producev);
    resolve(api, SHIM_GROUP_PRODUCER, "rd_kafka_headers_new", &api->headers_new);
    resolve(api, SHIM_GROUP_PRODUCER, "rd_kafka_headers_destroy", &api->headers_destroy);
    resolve(api, SHIM_GROUP_PRODUCER, "rd_kafka_header_add", &api->header_add);

    resolve(api, SHIM_GROUP_CONSUMER, "rd_kafka_poll_set_consumer", &api->poll_set_consumer);
    resolve(api, SHIM_GROUP_CONSUMER, "rd_kafka_metadata", &api->metadata);
    resolve(api, SHIM_GROUP_CONSUMER, "rd_kafka_metadata_destroy", &api->metadata_destroy);
    resolve(api, SHIM_GROUP_CONSUMER, "rd_kafka_topic_partition_list_new", &api->partition_list_new);
    resolve(api, SHIM_GROUP_CONSUMER, "rd_kafka_topic_partition_list_add", &api->partition_list_add);
    resolve(api, SHIM_GROUP_CONSUMER, "rd_kafka_topic_partition_list_set_offset", &api->partition_list_set_offset);
    resolve(api, SHIM_GROUP_CONSUMER, "rd_kafka_topic_partition_list_destroy", &api->partition_list_destroy);
    resolve(api, SHIM_GROUP_CONSUMER, "rd_kafka_assign", &api->assign);
    resolve(api, SHIM_GROUP_CONSUMER, "rd_kafka_consumer_poll", &api->consumer_poll);
    resolve(api, SHIM_GROUP_CONSUMER, "rd_kafka_consumer_close", &api->consumer_close);
    resolve(api, SHIM_GROUP_CONSUMER, "rd_kafka_message_destroy", &api->message_destroy);
    resolve(api, SHIM_GROUP_CONSUMER, "rd_kafka_message_headers", &api->message_headers);
    resolve(api, SHIM_GROUP_CONSUMER, "rd_kafka_header_get_all", &api->header_get_all);

    resolve(api, SHIM_GROUP_MOCK, "rd_kafka_mock_cluster_new", &api->mock_cluster_new);
    resolve(api, SHIM_GROUP_MOCK, "rd_kafka_mock_cluster_destroy", &api->mock_cluster_destroy);
    resolve(api, SHIM_GROUP_MOCK, "rd_kafka_mock_cluster_bootstraps", &api->mock_cluster_bootstraps);
    resolve(api, SHIM_GROUP_MOCK, "rd_kafka_mock_topic_create", &api->mock_topic_create);
    resolve(api, SHIM_GROUP_MOCK, "rd_kafka_mock_broker_set_down", &api->mock_broker_set_down);
    resolve(api, SHIM_GROUP_MOCK, "rd_kafka_mock_broker_set_up", &api->mock_broker_set_up);
}

// Opens `name` into `api`; on failure leaves the loader's message in `reason`.
static int open_library(const char *name, int flags, shim_api *api, char *reason, size_t reason_size) {
    memset(api, 0, sizeof *api);
    api->handle = dlopen(name, RTLD_NOW | RTLD_LOCAL | flags);
    if (api->handle == NULL) {
        const char *error = dlerror();
        shim_format(reason, reason_size, "%s", error != NULL ? error : name);
        return 0;
    }
    resolve_all(api);
    return 1;
}

static pthread_mutex_t default_lock = PTHREAD_MUTEX_INITIALIZER;
static shim_api default_api;
static int default_loaded;

// Opens the first default name that loads, once per process; a failure is retried on the next call, so that
// installing librdkafka takes effect without a restart.
static const shim_api *load_default(char *reason, size_t reason_size) {
    pthread_mutex_lock(&default_lock);
    if (!default_loaded) {
        char first_error[512] = "";
        for (const char *const *name = default_names; *name != NULL && !default_loaded; name++) {
            char error[512];
            default_loaded = open_library(*name, 0, &default_api, error, sizeof error);
            if (!default_loaded && first_error[0] == '\0') {
                shim_format(first_error, sizeof first_error, "%s", error);
            }
        }
        if (!default_loaded) {
            shim_format(reason, reason_size, "%s", first_error);
        }
    }
    const shim_api *loaded = default_loaded ? &default_api : NULL;
    pthread_mutex_unlock(&default_lock);
    return loaded;
}

static const char *missing_function(const shim_api *api, shim_api_group group) {
    if (api->missing[SHIM_GROUP_PRODUCER] != NULL) {
        return api->missing[SHIM_GROUP_PRODUCER];
    }
    return api->missing[group];
}

int shim_api_acquire(const char *library, shim_api_group group, shim_api_lease *lease, char *reason,
                     size_t reason_size) {
    memset(lease, 0, sizeof *lease);
    if (library == NULL) {
        lease->api = load_default(reason, reason_size);
    } else if (open_library(library, RTLD_NODELETE, &lease->storage, reason, reason_size)) {
        lease->api = &lease->storage;
    }
    if (lease->api == NULL) {
        return SHIM_LIBRARY_MISSING;
    }
    const char *missing = missing_function(lease->api, group);
    if (missing != NULL) {
        shim_format(reason, reason_size, "%s", missing);
        shim_api_release(lease);
        return SHIM_LIBRARY_INCOMPATIBLE;
    }
    return SHIM_OK;
}

void shim_api_release(shim_api_lease *lease) {
    if (lease->storage.handle != NULL) {
        dlclose(lease->storage.handle);
    }
    memset(lease, 0, sizeof *lease);
}
