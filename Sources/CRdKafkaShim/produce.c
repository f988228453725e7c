// One message, produced synchronously: configure, produce, poll until the delivery report, the timeout or the
// cancellation flag, then destroy everything.
#include "CRdKafkaShim.h"
#include "shim_api.h"
#include "shim_conf.h"
#include "shim_util.h"

#include <string.h>

enum {
    POLL_INTERVAL_MS = 50,
    // How long past message.timeout.ms the loop waits for librdkafka's own timeout report.
    DEADLINE_GRACE_MS = 2000,
    // How long to wait for the delivery report of a purged message.
    PURGE_WAIT_MS = 2000,
};

typedef struct delivery_state {
    int done;
    rd_kafka_resp_err_t err;
    int32_t partition;
    int64_t offset;
    // An error that retrying will not fix (authentication, fatal): the wait ends early.
    int permanent;
    char permanent_reason[512];
    // The latest broker or connection error, which explains a timeout.
    char broker_error[512];
} delivery_state;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque) {
    (void)rk;
    delivery_state *state = opaque;
    state->done = 1;
    state->err = message->err;
    state->partition = message->partition;
    state->offset = message->offset;
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
    (void)rk;
    delivery_state *state = opaque;
    if (err == RDK_ERR_AUTHENTICATION || err == RDK_ERR_FATAL) {
        state->permanent = 1;
        shim_format(state->permanent_reason, sizeof state->permanent_reason, "%s", reason);
    }
    // "N/N brokers are down" says less than the connection error before it.
    if (err == RDK_ERR_ALL_BROKERS_DOWN && state->broker_error[0] != '\0') {
        return;
    }
    shim_format(state->broker_error, sizeof state->broker_error, "%s", reason);
}

static int clamp(int value, int low, int high) { return value < low ? low : (value > high ? high : value); }

static const char *security_protocol(const shim_produce_request *request) {
    int sasl = request->sasl_username != NULL && request->sasl_password != NULL;
    if (request->tls) {
        return sasl ? "sasl_ssl" : "ssl";
    }
    return sasl ? "sasl_plaintext" : "plaintext";
}

static int configure(const shim_api *api, rd_kafka_conf_t *conf, const shim_produce_request *request,
                     delivery_state *state, const shim_conf_error *error) {
    int timeout = request->timeout_ms;
    int ok = shim_conf_set(api, conf, "bootstrap.servers", request->brokers, 0, error) &&
             shim_conf_set(api, conf, "acks", "all", 0, error) &&
             shim_conf_set(api, conf, "retries", "5", 0, error) &&
             shim_conf_set_int(api, conf, "message.timeout.ms", clamp(timeout, 1, 0x7fffffff), 0, error) &&
             shim_conf_set_int(api, conf, "request.timeout.ms", clamp(timeout, 1, 900000), 0, error) &&
             shim_conf_set_int(api, conf, "socket.timeout.ms", clamp(timeout, 10, 300000), 0, error) &&
             shim_conf_set_int(api, conf, "socket.connection.setup.timeout.ms", clamp(timeout, 1000, 0x7fffffff), 1,
                               error) &&
             shim_conf_set(api, conf, "security.protocol", security_protocol(request), 0, error);
    if (ok && request->tls) {
        ok = shim_conf_set(api, conf, "enable.ssl.certificate.verification", "true", 1, error) &&
             shim_conf_set(api, conf, "ssl.endpoint.identification.algorithm", "https", 1, error);
    }
    if (ok && request->sasl_username != NULL && request->sasl_password != NULL) {
        ok = shim_conf_set(api, conf, "sasl.mechanisms", "PLAIN", 0, error) &&
             shim_conf_set(api, conf, "sasl.username", request->sasl_username, 0, error) &&
             shim_conf_set(api, conf, "sasl.password", request->sasl_password, 0, error);
    }
    if (ok) {
        api->conf_set_opaque(conf, state);
        api->conf_set_dr_msg_cb(conf, on_delivery);
        api->conf_set_error_cb(conf, on_error);
        shim_conf_silence_log(api, conf);
    }
    return ok;
}

// Hands the message to librdkafka; returns RDK_ERR_NO_ERROR or why it was refused.
static rd_kafka_resp_err_t enqueue(const shim_api *api, rd_kafka_t *rk, const shim_produce_request *request) {
    rd_kafka_headers_t *headers = api->headers_new(request->header_count > 0 ? request->header_count : 1);
    for (size_t index = 0; index < request->header_count; index++) {
        const shim_header *header = &request->headers[index];
        rd_kafka_resp_err_t err = api->header_add(headers, header->name, (ssize_t)header->name_length,
                                                  header->value, (ssize_t)header->value_length);
        if (err != RDK_ERR_NO_ERROR) {
            api->headers_destroy(headers);
            return err;
        }
    }
    // Empty keys and values are sent as empty, not null, like the upstream producer does.
    const void *key = request->key != NULL ? request->key : "";
    const void *value = request->value != NULL ? request->value : "";
    rd_kafka_resp_err_t err = api->producev(rk, RDK_VTYPE_TOPIC, request->topic, RDK_VTYPE_KEY, key,
                                            request->key_length, RDK_VTYPE_VALUE, (void *)(uintptr_t)value,
                                            request->value_length, RDK_VTYPE_MSGFLAGS, (int)RDK_MSG_F_COPY,
                                            RDK_VTYPE_HEADERS, headers, RDK_VTYPE_END);
    if (err != RDK_ERR_NO_ERROR) {
        api->headers_destroy(headers);  // librdkafka owns them only once the message is accepted
    }
    return err;
}

// Drops the message from librdkafka's queues and serves its (purge) delivery report, so nothing is left behind.
static void give_up(const shim_api *api, rd_kafka_t *rk, delivery_state *state) {
    api->purge(rk, RDK_PURGE_F_QUEUE | RDK_PURGE_F_INFLIGHT);
    int64_t deadline = shim_now_ms() + PURGE_WAIT_MS;
    while (!state->done && shim_now_ms() < deadline) {
        api->poll(rk, POLL_INTERVAL_MS);
    }
}

static int wait_for_delivery(const shim_api *api, rd_kafka_t *rk, const shim_produce_request *request,
                             const int32_t *cancel_flag, delivery_state *state, shim_produce_result *result) {
    int64_t deadline = shim_now_ms() + request->timeout_ms + DEADLINE_GRACE_MS;
    while (!state->done) {
        if (shim_cancel_flag_is_raised(cancel_flag)) {
            give_up(api, rk, state);
            return SHIM_CANCELLED;
        }
        if (state->permanent) {
            give_up(api, rk, state);
            shim_format(result->reason, result->reason_size, "%s", state->permanent_reason);
            return SHIM_DELIVERY_FAILED;
        }
        if (shim_now_ms() >= deadline) {
            give_up(api, rk, state);
            shim_format(result->reason, result->reason_size, "%s",
                        state->broker_error[0] != '\0' ? state->broker_error : api->err2str(RDK_ERR_MSG_TIMED_OUT));
            return SHIM_TIMED_OUT;
        }
        api->poll(rk, POLL_INTERVAL_MS);
    }
    if (state->err == RDK_ERR_NO_ERROR) {
        result->partition = state->partition;
        result->offset = state->offset;
        return SHIM_OK;
    }
    if (state->err == RDK_ERR_MSG_TIMED_OUT) {
        shim_format(result->reason, result->reason_size, "%s",
                    state->broker_error[0] != '\0' ? state->broker_error : api->err2str(state->err));
        return SHIM_TIMED_OUT;
    }
    shim_format(result->reason, result->reason_size, "%s", api->err2str(state->err));
    return SHIM_DELIVERY_FAILED;
}

static int produce_with(const shim_api *api, const shim_produce_request *request, const int32_t *cancel_flag,
                        shim_produce_result *result) {
    delivery_state state;
    memset(&state, 0, sizeof state);
    shim_conf_error conf_error = {result->setting, result->setting_size, result->reason, result->reason_size};
    rd_kafka_conf_t *conf = api->conf_new();
    if (!configure(api, conf, request, &state, &conf_error)) {
        api->conf_destroy(conf);
        return SHIM_CONFIG_INVALID;
    }
    rd_kafka_t *rk = api->kafka_new(RDK_PRODUCER, conf, result->reason, result->reason_size);
    if (rk == NULL) {
        api->conf_destroy(conf);  // rd_kafka_new takes the configuration only when it succeeds
        return SHIM_CREATE_FAILED;
    }
    int status;
    rd_kafka_resp_err_t err = enqueue(api, rk, request);
    if (err != RDK_ERR_NO_ERROR) {
        shim_format(result->reason, result->reason_size, "%s", api->err2str(err));
        status = SHIM_DELIVERY_FAILED;
    } else {
        status = wait_for_delivery(api, rk, request, cancel_flag, &state, result);
    }
    api->kafka_destroy(rk);
    return status;
}

int shim_produce(const shim_produce_request *request, const int32_t *cancel_flag, shim_produce_result *result) {
    result->partition = -1;
    result->offset = -1;
    shim_format(result->setting, result->setting_size, "%s", "");
    shim_format(result->reason, result->reason_size, "%s", "");
    if (shim_cancel_flag_is_raised(cancel_flag)) {
        return SHIM_CANCELLED;
    }
    shim_api_lease lease;
    int status = shim_api_acquire(request->library, SHIM_GROUP_PRODUCER, &lease, result->reason,
                                  result->reason_size);
    if (status != SHIM_OK) {
        return status;
    }
    status = produce_with(lease.api, request, cancel_flag, result);
    shim_api_release(&lease);
    return status;
}
