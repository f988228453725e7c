// Our own declarations of the part of librdkafka's C ABI the shim uses, so that no librdkafka headers are needed
// at build time. Checked against librdkafka 2.0.2's rdkafka.h and rdkafka_mock.h; every type and value here has
// been stable since librdkafka 1.0 (the mock cluster functions since 1.4).
#ifndef TRACETEST_RDKAFKA_ABI_H
#define TRACETEST_RDKAFKA_ABI_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct rd_kafka_s rd_kafka_t;
typedef struct rd_kafka_conf_s rd_kafka_conf_t;
typedef struct rd_kafka_topic_s rd_kafka_topic_t;
typedef struct rd_kafka_headers_s rd_kafka_headers_t;
typedef struct rd_kafka_topic_partition_list_s rd_kafka_topic_partition_list_t;
typedef struct rd_kafka_topic_partition_s rd_kafka_topic_partition_t;
typedef struct rd_kafka_mock_cluster_s rd_kafka_mock_cluster_t;

typedef int rd_kafka_resp_err_t;
typedef int rd_kafka_conf_res_t;
typedef int rd_kafka_type_t;
typedef int rd_kafka_vtype_t;

enum {
    RDK_PRODUCER = 0,
    RDK_CONSUMER = 1,
};

enum {
    RDK_CONF_UNKNOWN = -2,
    RDK_CONF_INVALID = -1,
    RDK_CONF_OK = 0,
};

enum {
    RDK_ERR_NO_ERROR = 0,
    RDK_ERR_MSG_TIMED_OUT = -192,
    RDK_ERR_ALL_BROKERS_DOWN = -187,
    RDK_ERR_AUTHENTICATION = -169,
    RDK_ERR_NOENT = -156,
    RDK_ERR_FATAL = -150,
};

enum {
    RDK_VTYPE_END = 0,
    RDK_VTYPE_TOPIC = 1,
    RDK_VTYPE_VALUE = 4,
    RDK_VTYPE_KEY = 5,
    RDK_VTYPE_MSGFLAGS = 7,
    RDK_VTYPE_HEADERS = 10,
};

enum {
    RDK_MSG_F_COPY = 0x2,
    RDK_PURGE_F_QUEUE = 0x1,
    RDK_PURGE_F_INFLIGHT = 0x2,
};

#define RDK_OFFSET_BEGINNING ((int64_t)-2)

/// Layout of rd_kafka_message_t (public and ABI-stable).
typedef struct rd_kafka_message_s {
    rd_kafka_resp_err_t err;
    rd_kafka_topic_t *rkt;
    int32_t partition;
    void *payload;
    size_t len;
    void *key;
    size_t key_len;
    int64_t offset;
    void *_private;
} rd_kafka_message_t;

/// Layouts of the metadata structures (public and ABI-stable).
typedef struct rd_kafka_metadata_broker {
    int32_t id;
    char *host;
    int port;
} rd_kafka_metadata_broker_t;

typedef struct rd_kafka_metadata_partition {
    int32_t id;
    rd_kafka_resp_err_t err;
    int32_t leader;
    int replica_cnt;
    int32_t *replicas;
    int isr_cnt;
    int32_t *isrs;
} rd_kafka_metadata_partition_t;

typedef struct rd_kafka_metadata_topic {
    char *topic;
    int partition_cnt;
    struct rd_kafka_metadata_partition *partitions;
    rd_kafka_resp_err_t err;
} rd_kafka_metadata_topic_t;

typedef struct rd_kafka_metadata {
    int broker_cnt;
    struct rd_kafka_metadata_broker *brokers;
    int topic_cnt;
    struct rd_kafka_metadata_topic *topics;
    int32_t orig_broker_id;
    char *orig_broker_name;
} rd_kafka_metadata_t;

typedef void (*rdk_dr_msg_cb)(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque);
typedef void (*rdk_error_cb)(rd_kafka_t *rk, int err, const char *reason, void *opaque);
typedef void (*rdk_log_cb)(const rd_kafka_t *rk, int level, const char *facility, const char *line);

#endif
