// A small C layer over librdkafka, which it opens at run time with dlopen: nothing of librdkafka is needed to build.
#ifndef TRACETEST_CRDKAFKASHIM_H
#define TRACETEST_CRDKAFKASHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Outcomes of the shim's calls; `reason` buffers hold the details.
typedef enum shim_status {
    SHIM_OK = 0,
    /// librdkafka could not be opened (reason: the loader's message).
    SHIM_LIBRARY_MISSING = 1,
    /// librdkafka was opened but lacks a function (reason: its name).
    SHIM_LIBRARY_INCOMPATIBLE = 2,
    /// A setting was refused (setting: its name; reason: librdkafka's message).
    SHIM_CONFIG_INVALID = 3,
    /// The client could not be created (reason: librdkafka's message).
    SHIM_CREATE_FAILED = 4,
    /// No delivery report within the timeout (reason: the last broker error, or librdkafka's error).
    SHIM_TIMED_OUT = 5,
    /// The message was refused or failed (reason: librdkafka's error).
    SHIM_DELIVERY_FAILED = 6,
    /// The cancellation flag was raised.
    SHIM_CANCELLED = 7,
} shim_status;

// MARK: Cancellation

/// Raises a flag (an int32_t owned by the caller) that the shim's loops check between polls.
void shim_cancel_flag_raise(int32_t *flag);

/// Whether the flag was raised; a NULL flag is never raised.
int shim_cancel_flag_is_raised(const int32_t *flag);

// MARK: Producer

typedef struct shim_header {
    const char *name;
    size_t name_length;
    const void *value;
    size_t value_length;
} shim_header;

typedef struct shim_produce_request {
    /// NULL: the default library names.
    const char *library;
    /// Comma-separated host:port list.
    const char *brokers;
    const char *topic;
    const void *key;
    size_t key_length;
    const void *value;
    size_t value_length;
    const shim_header *headers;
    size_t header_count;
    /// Non-zero: TLS with certificate and host name verification.
    int tls;
    /// Both non-NULL: SASL/PLAIN.
    const char *sasl_username;
    const char *sasl_password;
    /// Bounds the delivery (message.timeout.ms) and the socket timeouts.
    int timeout_ms;
} shim_produce_request;

typedef struct shim_produce_result {
    int32_t partition;
    int64_t offset;
    /// Caller-owned buffers, always NUL-terminated on return.
    char *setting;
    size_t setting_size;
    char *reason;
    size_t reason_size;
} shim_produce_result;

/// Produces one message with acks=all and waits for its delivery report, the timeout or the cancellation flag.
/// Blocks the calling thread. Returns a shim_status.
int shim_produce(const shim_produce_request *request, const int32_t *cancel_flag, shim_produce_result *result);

// MARK: Consumer (tests)

typedef struct shim_consumer shim_consumer;
typedef struct shim_record shim_record;

/// Opens a consumer of every partition of `topic` from the beginning; waits up to `timeout_ms` for the topic to exist.
/// Returns NULL with SHIM_* in `*status` and the reason in `reason` (SHIM_TIMED_OUT: the topic did not appear).
shim_consumer *shim_consumer_open(const char *library, const char *brokers, const char *topic, int timeout_ms,
                                  int *status, char *reason, size_t reason_size);

/// The next message within `timeout_ms`, or NULL when none arrived.
shim_record *shim_consumer_next(shim_consumer *consumer, int timeout_ms);

void shim_consumer_close(shim_consumer *consumer);

int32_t shim_record_partition(const shim_record *record);
int64_t shim_record_offset(const shim_record *record);
const void *shim_record_key(const shim_record *record, size_t *length);
const void *shim_record_value(const shim_record *record, size_t *length);
size_t shim_record_header_count(const shim_record *record);
/// Header `index` (< shim_record_header_count); returns 0 if there is none.
int shim_record_header(const shim_record *record, size_t index, const char **name, const void **value,
                       size_t *value_length);
void shim_record_free(shim_record *record);

// MARK: Mock cluster (tests)

typedef struct shim_mock_cluster shim_mock_cluster;

/// Starts librdkafka's mock cluster with `broker_count` brokers listening on 127.0.0.1.
/// Returns NULL with SHIM_* in `*status` and the reason in `reason`.
shim_mock_cluster *shim_mock_cluster_new(const char *library, int broker_count, int *status, char *reason,
                                         size_t reason_size);

/// The cluster's bootstrap.servers list; valid while the cluster lives.
const char *shim_mock_cluster_bootstraps(const shim_mock_cluster *cluster);

/// Creates a topic; returns 0 or writes librdkafka's error to `reason`.
int shim_mock_cluster_create_topic(shim_mock_cluster *cluster, const char *topic, int partitions,
                                   int replication_factor, char *reason, size_t reason_size);

/// Stops (up != 0: restarts) a broker's listener and connections; -1: all brokers.
int shim_mock_cluster_set_broker_up(shim_mock_cluster *cluster, int32_t broker_id, int up, char *reason,
                                    size_t reason_size);

void shim_mock_cluster_destroy(shim_mock_cluster *cluster);

#ifdef __cplusplus
}
#endif

#endif
