"""A Kafka-protocol broker for tests and the dogfood suites: librdkafka's mock cluster (librdkafka1), started through
ctypes in this process. It prints `listening <host:port>` (the bootstrap servers) once it accepts connections and
lives until SIGTERM.

    python Tests/Demo/kafka_broker.py [--brokers 1]
"""

import argparse
import ctypes
import signal
import threading


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--brokers", type=int, default=1)
    arguments = parser.parse_args()
    library = ctypes.CDLL("librdkafka.so.1")
    library.rd_kafka_conf_new.restype = ctypes.c_void_p
    library.rd_kafka_conf_set.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                                          ctypes.c_size_t]
    library.rd_kafka_new.restype = ctypes.c_void_p
    library.rd_kafka_new.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    library.rd_kafka_mock_cluster_new.restype = ctypes.c_void_p
    library.rd_kafka_mock_cluster_new.argtypes = [ctypes.c_void_p, ctypes.c_int]
    library.rd_kafka_mock_cluster_bootstraps.restype = ctypes.c_char_p
    library.rd_kafka_mock_cluster_bootstraps.argtypes = [ctypes.c_void_p]
    errors = ctypes.create_string_buffer(512)
    configuration = library.rd_kafka_conf_new()
    # The handle only hosts the cluster: keep librdkafka's notice about its missing bootstrap.servers quiet.
    library.rd_kafka_conf_set(configuration, b"log_level", b"0", errors, 512)
    handle = library.rd_kafka_new(0, configuration, errors, 512)
    if not handle:
        raise SystemExit(f"cannot create a librdkafka handle: {errors.value.decode()}")
    cluster = library.rd_kafka_mock_cluster_new(handle, arguments.brokers)
    if not cluster:
        raise SystemExit("cannot start librdkafka's mock cluster")
    print(f"listening {library.rd_kafka_mock_cluster_bootstraps(cluster).decode()}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass


if __name__ == "__main__":
    main()
