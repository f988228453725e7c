"""A small instrumented Kafka consumer (confluent-kafka) for the Kafka trigger tests.

It consumes --topic as a member of --group from the brokers at --brokers (plain TCP, e.g. a librdkafka mock cluster
on 127.0.0.1), from the earliest offset when the group has none; a missing topic is created on demand where the
brokers allow it (the mock cluster does, with 4 partitions). On the mock cluster the group assigns it its
partitions about 3 s after start. Each message continues the trace propagated in its headers (W3C traceparent;
header values are decoded as UTF-8) and the spans go over OTLP/gRPC (the official OpenTelemetry SDK) to the
endpoint given with --otlp.

    spans per message: `<topic> process` (kind CONSUMER) with messaging.system=kafka, messaging.operation=process,
                       messaging.destination.name, messaging.kafka.consumer.group, messaging.kafka.message.key (when
                       the message has a key), messaging.kafka.partition, messaging.kafka.offset (ints);
                       its child `SELECT pokemon` (sqlite), looking up the value's "id" or "name" (JSON) or the
                       value itself as a name

Standard output: `listening 0` once the group has assigned it its partitions (or, at the latest, after
--ready-timeout seconds of polling, when the group is slow to assign), then one JSON line per
message: {"key", "value", "headers": {name: value}, "partition", "offset"} (key and value are UTF-8 text or null;
a header repeated keeps its last value). librdkafka's own log and consume errors go to standard error.
"""

import argparse
import json
import signal
import sqlite3
import sys
import threading
import time

from confluent_kafka import Consumer, KafkaError, KafkaException
from opentelemetry import propagate
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind

NAMES = ["pikachu", "bulbasaur", "charmander", "squirtle"]


def make_database():
    database = sqlite3.connect(":memory:")
    database.execute("CREATE TABLE pokemon (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    database.executemany("INSERT INTO pokemon (name) VALUES (?)", [(name,) for name in NAMES])
    database.commit()
    return database


def text(data):
    return None if data is None else data.decode("utf-8", "replace")


def lookup(value):
    """The (id, name) a message's value asks for: {"id": N} or {"name": S} in JSON, or a plain name."""
    try:
        document = json.loads(value or "")
    except ValueError:
        document = None
    if isinstance(document, dict):
        pokemon_id, name = document.get("id"), document.get("name")
        return (pokemon_id if isinstance(pokemon_id, int) else None), (name if isinstance(name, str) else None)
    return None, value


class Processor:
    def __init__(self, tracer, topic, group):
        self.tracer, self.topic, self.group = tracer, topic, group
        self.database = make_database()

    def process(self, message):
        key, value = text(message.key()), text(message.value())
        headers = {name: text(data) for name, data in message.headers() or []}
        attributes = {
            "messaging.system": "kafka",
            "messaging.operation": "process",
            "messaging.destination.name": message.topic(),
            "messaging.kafka.consumer.group": self.group,
            "messaging.kafka.partition": message.partition(),
            "messaging.kafka.offset": message.offset(),
        }
        if key is not None:
            attributes["messaging.kafka.message.key"] = key
        carrier = {name.lower(): data for name, data in headers.items() if data is not None}
        with self.tracer.start_as_current_span(
            f"{message.topic()} process",
            context=propagate.extract(carrier),
            kind=SpanKind.CONSUMER,
            attributes=attributes,
        ):
            pokemon_id, name = lookup(value)
            statement = "SELECT id, name FROM pokemon WHERE id = ? OR name = ?"
            with self.tracer.start_as_current_span(
                "SELECT pokemon",
                kind=SpanKind.CLIENT,
                attributes={"db.system": "sqlite", "db.statement": statement, "db.name": "pokemon",
                            "db.operation": "SELECT"},
            ) as span:
                rows = self.database.execute(statement, (pokemon_id, name)).fetchall()
                span.set_attribute("db.rows", len(rows))
        print(json.dumps({"key": key, "value": value, "headers": headers, "partition": message.partition(),
                          "offset": message.offset()}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--otlp", required=True, help="OTLP/gRPC endpoint, host:port")
    parser.add_argument("--brokers", required=True, help="bootstrap servers, host:port[,host:port]")
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--flush-ms", type=int, default=50, help="how long the SDK batches spans")
    parser.add_argument("--service", default="pokeshop-worker")
    parser.add_argument("--ready-timeout", type=float, default=10,
                        help="print `listening 0` after this many seconds even without an assignment")
    arguments = parser.parse_args()

    provider = TracerProvider(resource=Resource.create({"service.name": arguments.service}))
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=arguments.otlp, insecure=True),
                           schedule_delay_millis=arguments.flush_ms)
    )
    stop = threading.Event()
    # A parent may have started us with signals blocked; stop cleanly on SIGTERM and SIGINT.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    consumer = Consumer({
        "bootstrap.servers": arguments.brokers,
        "group.id": arguments.group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": True,
        "allow.auto.create.topics": True,
        "topic.metadata.refresh.interval.ms": 1000,
        "session.timeout.ms": 6000,
        "heartbeat.interval.ms": 500,
    })
    ready = threading.Event()

    def announce(*_):
        if not ready.is_set():
            ready.set()
            print("listening 0", flush=True)

    # Subscribed to a missing topic, a consumer is assigned only seconds after the topic appears (librdkafka's mock
    # cluster then makes the group join twice): ask for the topic's metadata first, which creates it where the
    # brokers create topics on demand (the mock cluster does, with 4 partitions).
    try:
        consumer.list_topics(arguments.topic, timeout=5)
    except KafkaException as error:
        print(f"no metadata for {arguments.topic}: {error}", file=sys.stderr, flush=True)
    consumer.subscribe([arguments.topic], on_assign=announce)
    processor = Processor(provider.get_tracer("demo"), arguments.topic, arguments.group)
    started = time.monotonic()
    try:
        while not stop.is_set():
            message = consumer.poll(0.2)
            if not ready.is_set() and time.monotonic() - started >= arguments.ready_timeout:
                print(f"no assignment after {arguments.ready_timeout} s: polling on", file=sys.stderr, flush=True)
                announce()
            if message is None:
                continue
            if message.error():
                if message.error().code() != KafkaError._PARTITION_EOF:
                    print(f"consume error: {message.error()}", file=sys.stderr, flush=True)
                continue
            processor.process(message)
    finally:
        consumer.close()
        provider.shutdown()


if __name__ == "__main__":
    sys.exit(main())
