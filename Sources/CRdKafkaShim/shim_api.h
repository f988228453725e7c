// The table of librdkafka functions resolved with dlsym, and how to get one.
#ifndef TRACETEST_SHIM_API_H
#define TRACETEST_SHIM_API_H

#include "rdkafka_abi.h"

/// The functions each part of the shim needs; a part works only if all of its functions were found.
typedef enum shim_api_group {
    SHIM_GROUP_PRODUCER = 0,
    SHIM_GROUP_CONSUMER = 1,
    SHIM_GROUP_MOCK = 2,
    SHIM_GROUP_COUNT = 3,
} shim_api_group;

typedef struct shim_api {
    void *handle;
    /// The first function of each group that the loaded library lacks, or NULL.
    const char *missing[SHIM_GROUP_COUNT];

    // Producer (and shared by the other parts).
    const char *(*version_str)(void);
    const char *(*err2str)(rd_kafka_resp_err_t err);
    rd_kafka_conf_t *(*conf_new)(void);
    void (*conf_destroy)(rd_kafka_conf_t *conf);
    rd_kafka_conf_res_t (*conf_set)(rd_kafka_conf_t *conf, const char *name, const char *value, char *errstr,
                                    size_t errstr_size);
    void (*conf_set_opaque)(rd_kafka_conf_t *conf, void *opaque);
    void (*conf_set_dr_msg_cb)(rd_kafka_conf_t *conf, rdk_dr_msg_cb callback);
    void (*conf_set_error_cb)(rd_kafka_conf_t *conf, rdk_error_cb callback);
    void (*conf_set_log_cb)(rd_kafka_conf_t *conf, rdk_log_cb callback);
    rd_kafka_t *(*kafka_new)(rd_kafka_type_t type, rd_kafka_conf_t *conf, char *errstr, size_t errstr_size);
    void (*kafka_destroy)(rd_kafka_t *rk);
    int (*poll)(rd_kafka_t *rk, int timeout_ms);
    rd_kafka_resp_err_t (*purge)(rd_kafka_t *rk, int purge_flags);
    rd_kafka_resp_err_t (*producev)(rd_kafka_t *rk, ...);
    rd_kafka_headers_t *(*headers_new)(size_t initial_count);
    void (*headers_destroy)(rd_kafka_headers_t *headers);
    rd_kafka_resp_err_t (*header_add)(rd_kafka_headers_t *headers, const char *name, ssize_t name_size,
                                      const void *value, ssize_t value_size);

    // Consumer (tests).
    rd_kafka_resp_err_t (*poll_set_consumer)(rd_kafka_t *rk);
    rd_kafka_resp_err_t (*metadata)(rd_kafka_t *rk, int all_topics, rd_kafka_topic_t *only_topic,
                                    const rd_kafka_metadata_t **metadata, int timeout_ms);
    void (*metadata_destroy)(const rd_kafka_metadata_t *metadata);
    rd_kafka_topic_partition_list_t *(*partition_list_new)(int size);
    rd_kafka_topic_partition_t *(*partition_list_add)(rd_kafka_topic_partition_list_t *list, const char *topic,
                                                      int32_t partition);
    rd_kafka_resp_err_t (*partition_list_set_offset)(rd_kafka_topic_partition_list_t *list, const char *topic,
                                                     int32_t partition, int64_t offset);
    void (*partition_list_destroy)(rd_kafka_topic_partition_list_t *list);
    rd_kafka_resp_err_t (*assign)(rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *partitions);
    rd_kafka_message_t *(*consumer_poll)(rd_kafka_t *rk, int timeout_ms);
    rd_kafka_resp_err_t (*consumer_close)(rd_kafka_t *rk);
    void (*message_destroy)(rd_kafka_message_t *message);
    rd_kafka_resp_err_t (*message_headers)(const rd_kafka_message_t *message, rd_kafka_headers_t **headers);
    rd_kafka_resp_err_t (*header_get_all)(const rd_kafka_headers_t *headers, size_t index, const char **name,
                                          const void **value, size_t *size);

    // Mock cluster (tests).
    rd_kafka_mock_cluster_t *(*mock_cluster_new)(rd_kafka_t *rk, int broker_count);
    void (*mock_cluster_destroy)(rd_kafka_mock_cluster_t *cluster);
    const char *(*mock_cluster_bootstraps)(const rd_kafka_mock_cluster_t *cluster);
    rd_kafka_resp_err_t (*mock_topic_create)(rd_kafka_mock_cluster_t *cluster, const char *topic, int partitions,
                                             int replication_factor);
    rd_kafka_resp_err_t (*mock_broker_set_down)(rd_kafka_mock_cluster_t *cluster, int32_t broker_id);
    rd_kafka_resp_err_t (*mock_broker_set_up)(rd_kafka_mock_cluster_t *cluster, int32_t broker_id);
} shim_api;

/// A loaded function table: `api` points either at the process-wide table of the default library or at `storage`,
/// which holds a library opened by an explicit name (tests) until shim_api_release.
typedef struct shim_api_lease {
    const shim_api *api;
    shim_api storage;
} shim_api_lease;

/// Opens librdkafka (`library` NULL: the default names) and checks that `group` is complete.
/// Returns SHIM_OK, SHIM_LIBRARY_MISSING or SHIM_LIBRARY_INCOMPATIBLE with the reason in `reason`.
int shim_api_acquire(const char *library, shim_api_group group, shim_api_lease *lease, char *reason,
                     size_t reason_size);

/// Gives back what shim_api_acquire took (closes a library opened by an explicit name).
void shim_api_release(shim_api_lease *lease);

#endif
