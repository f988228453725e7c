// A plain consumer for tests: every partition of one topic from the beginning, no group membership.
#include "CRdKafkaShim.h"
#include "shim_api.h"
#include "shim_conf.h"
#include "shim_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { METADATA_RETRY_MS = 100 };

struct shim_consumer {
    shim_api_lease lease;
    rd_kafka_t *rk;
};

struct shim_record {
    const shim_api *api;
    rd_kafka_message_t *message;
    rd_kafka_headers_t *headers;
    size_t header_count;
};

static rd_kafka_t *create(const shim_api *api, const char *brokers, char *reason, size_t reason_size) {
    char setting[128] = "";
    char message[512] = "";
    shim_conf_error error = {setting, sizeof setting, message, sizeof message};
    char group[64];
    snprintf(group, sizeof group, "tracetest-kafka-test-%lld", (long long)shim_now_ms());
    rd_kafka_conf_t *conf = api->conf_new();
    int ok = shim_conf_set(api, conf, "bootstrap.servers", brokers, 0, &error) &&
             shim_conf_set(api, conf, "group.id", group, 0, &error) &&
             shim_conf_set(api, conf, "enable.auto.commit", "false", 0, &error) &&
             shim_conf_set(api, conf, "enable.partition.eof", "false", 0, &error);
    if (!ok) {
        shim_format(reason, reason_size, "%s: %s", setting, message);
        api->conf_destroy(conf);
        return NULL;
    }
    shim_conf_silence_log(api, conf);
    rd_kafka_t *rk = api->kafka_new(RDK_CONSUMER, conf, reason, reason_size);
    if (rk == NULL) {
        api->conf_destroy(conf);
        return NULL;
    }
    api->poll_set_consumer(rk);
    return rk;
}

// The assignment of every partition of `topic` at the beginning, once the topic exists; NULL on timeout.
static rd_kafka_topic_partition_list_t *partitions_of(const shim_api *api, rd_kafka_t *rk, const char *topic,
                                                      int timeout_ms) {
    int64_t deadline = shim_now_ms() + timeout_ms;
    for (;;) {
        int64_t remaining = deadline - shim_now_ms();
        if (remaining <= 0) {
            return NULL;
        }
        const rd_kafka_metadata_t *metadata = NULL;
        if (api->metadata(rk, 1, NULL, &metadata, (int)remaining) == RDK_ERR_NO_ERROR) {
            rd_kafka_topic_partition_list_t *list = NULL;
            for (int index = 0; index < metadata->topic_cnt && list == NULL; index++) {
                const rd_kafka_metadata_topic_t *found = &metadata->topics[index];
                if (strcmp(found->topic, topic) != 0 || found->err != RDK_ERR_NO_ERROR || found->partition_cnt == 0) {
                    continue;
                }
                list = api->partition_list_new(found->partition_cnt);
                for (int partition = 0; partition < found->partition_cnt; partition++) {
                    int32_t id = found->partitions[partition].id;
                    api->partition_list_add(list, topic, id);
                    api->partition_list_set_offset(list, topic, id, RDK_OFFSET_BEGINNING);
                }
            }
            api->metadata_destroy(metadata);
            if (list != NULL) {
                return list;
            }
        }
        shim_sleep_ms(METADATA_RETRY_MS);
    }
}

static shim_consumer *fail(shim_consumer *consumer, int *status, int code) {
    *status = code;
    if (consumer->rk != NULL) {
        consumer->lease.api->kafka_destroy(consumer->rk);
    }
    shim_api_release(&consumer->lease);
    free(consumer);
    return NULL;
}

shim_consumer *shim_consumer_open(const char *library, const char *brokers, const char *topic, int timeout_ms,
                                  int *status, char *reason, size_t reason_size) {
    shim_format(reason, reason_size, "%s", "");
    shim_consumer *consumer = calloc(1, sizeof *consumer);
    if (consumer == NULL) {
        shim_format(reason, reason_size, "out of memory");
        *status = SHIM_CREATE_FAILED;
        return NULL;
    }
    int loaded = shim_api_acquire(library, SHIM_GROUP_CONSUMER, &consumer->lease, reason, reason_size);
    if (loaded != SHIM_OK) {
        return fail(consumer, status, loaded);
    }
    const shim_api *api = consumer->lease.api;
    consumer->rk = create(api, brokers, reason, reason_size);
    if (consumer->rk == NULL) {
        return fail(consumer, status, SHIM_CREATE_FAILED);
    }
    rd_kafka_topic_partition_list_t *partitions = partitions_of(api, consumer->rk, topic, timeout_ms);
    if (partitions == NULL) {
        shim_format(reason, reason_size, "topic %s did not appear within %d ms", topic, timeout_ms);
        return fail(consumer, status, SHIM_TIMED_OUT);
    }
    rd_kafka_resp_err_t err = api->assign(consumer->rk, partitions);
    api->partition_list_destroy(partitions);
    if (err != RDK_ERR_NO_ERROR) {
        shim_format(reason, reason_size, "%s", api->err2str(err));
        return fail(consumer, status, SHIM_DELIVERY_FAILED);
    }
    *status = SHIM_OK;
    return consumer;
}

shim_record *shim_consumer_next(shim_consumer *consumer, int timeout_ms) {
    const shim_api *api = consumer->lease.api;
    int64_t deadline = shim_now_ms() + timeout_ms;
    for (;;) {
        int64_t remaining = deadline - shim_now_ms();
        if (remaining <= 0) {
            return NULL;
        }
        rd_kafka_message_t *message = api->consumer_poll(consumer->rk, (int)remaining);
        if (message == NULL) {
            continue;
        }
        if (message->err != RDK_ERR_NO_ERROR) {  // consumer errors are transient here; keep polling
            api->message_destroy(message);
            continue;
        }
        shim_record *record = calloc(1, sizeof *record);
        if (record == NULL) {
            api->message_destroy(message);
            return NULL;
        }
        record->api = api;
        record->message = message;
        if (api->message_headers(message, &record->headers) != RDK_ERR_NO_ERROR) {
            record->headers = NULL;
        }
        const char *name;
        const void *value;
        size_t size;
        while (record->headers != NULL &&
               api->header_get_all(record->headers, record->header_count, &name, &value, &size) == RDK_ERR_NO_ERROR) {
            record->header_count++;
        }
        return record;
    }
}

void shim_consumer_close(shim_consumer *consumer) {
    if (consumer == NULL) {
        return;
    }
    consumer->lease.api->consumer_close(consumer->rk);
    consumer->lease.api->kafka_destroy(consumer->rk);
    shim_api_release(&consumer->lease);
    free(consumer);
}

int32_t shim_record_partition(const shim_record *record) { return record->message->partition; }

int64_t shim_record_offset(const shim_record *record) { return record->message->offset; }

const void *shim_record_key(const shim_record *record, size_t *length) {
    *length = record->message->key_len;
    return record->message->key;
}

const void *shim_record_value(const shim_record *record, size_t *length) {
    *length = record->message->len;
    return record->message->payload;
}

size_t shim_record_header_count(const shim_record *record) { return record->header_count; }

int shim_record_header(const shim_record *record, size_t index, const char **name, const void **value,
                       size_t *value_length) {
    if (record->headers == NULL || index >= record->header_count) {
        return 0;
    }
    return record->api->header_get_all(record->headers, index, name, value, value_length) == RDK_ERR_NO_ERROR;
}

void shim_record_free(shim_record *record) {
    if (record == NULL) {
        return;
    }
    record->api->message_destroy(record->message);
    free(record);
}
