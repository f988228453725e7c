// librdkafka's mock cluster, for tests: real Kafka-protocol brokers on 127.0.0.1, inside this process.
#include "CRdKafkaShim.h"
#include "shim_api.h"
#include "shim_conf.h"
#include "shim_util.h"

#include <stdlib.h>

struct shim_mock_cluster {
    shim_api_lease lease;
    // The client the cluster lives in; it is never polled and talks to no broker.
    rd_kafka_t *rk;
    rd_kafka_mock_cluster_t *cluster;
};

static shim_mock_cluster *fail(shim_mock_cluster *mock, int *status, int code) {
    *status = code;
    if (mock->rk != NULL) {
        mock->lease.api->kafka_destroy(mock->rk);
    }
    shim_api_release(&mock->lease);
    free(mock);
    return NULL;
}

shim_mock_cluster *shim_mock_cluster_new(const char *library, int broker_count, int *status, char *reason,
                                         size_t reason_size) {
    shim_format(reason, reason_size, "%s", "");
    shim_mock_cluster *mock = calloc(1, sizeof *mock);
    if (mock == NULL) {
        shim_format(reason, reason_size, "out of memory");
        *status = SHIM_CREATE_FAILED;
        return NULL;
    }
    int loaded = shim_api_acquire(library, SHIM_GROUP_MOCK, &mock->lease, reason, reason_size);
    if (loaded != SHIM_OK) {
        return fail(mock, status, loaded);
    }
    const shim_api *api = mock->lease.api;
    rd_kafka_conf_t *conf = api->conf_new();
    shim_conf_silence_log(api, conf);
    mock->rk = api->kafka_new(RDK_PRODUCER, conf, reason, reason_size);
    if (mock->rk == NULL) {
        api->conf_destroy(conf);
        return fail(mock, status, SHIM_CREATE_FAILED);
    }
    mock->cluster = api->mock_cluster_new(mock->rk, broker_count);
    if (mock->cluster == NULL) {
        shim_format(reason, reason_size, "librdkafka could not start a mock cluster of %d brokers", broker_count);
        return fail(mock, status, SHIM_CREATE_FAILED);
    }
    *status = SHIM_OK;
    return mock;
}

const char *shim_mock_cluster_bootstraps(const shim_mock_cluster *mock) {
    return mock->lease.api->mock_cluster_bootstraps(mock->cluster);
}

static int report(const shim_api *api, rd_kafka_resp_err_t err, char *reason, size_t reason_size) {
    if (err == RDK_ERR_NO_ERROR) {
        return 0;
    }
    shim_format(reason, reason_size, "%s", api->err2str(err));
    return 1;
}

int shim_mock_cluster_create_topic(shim_mock_cluster *mock, const char *topic, int partitions,
                                   int replication_factor, char *reason, size_t reason_size) {
    const shim_api *api = mock->lease.api;
    return report(api, api->mock_topic_create(mock->cluster, topic, partitions, replication_factor), reason,
                  reason_size);
}

int shim_mock_cluster_set_broker_up(shim_mock_cluster *mock, int32_t broker_id, int up, char *reason,
                                    size_t reason_size) {
    const shim_api *api = mock->lease.api;
    rd_kafka_resp_err_t err = up ? api->mock_broker_set_up(mock->cluster, broker_id)
                                 : api->mock_broker_set_down(mock->cluster, broker_id);
    return report(api, err, reason, reason_size);
}

void shim_mock_cluster_destroy(shim_mock_cluster *mock) {
    if (mock == NULL) {
        return;
    }
    mock->lease.api->mock_cluster_destroy(mock->cluster);
    mock->lease.api->kafka_destroy(mock->rk);
    shim_api_release(&mock->lease);
    free(mock);
}
