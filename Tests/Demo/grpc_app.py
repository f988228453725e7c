"""A small instrumented gRPC service (grpcio) for the gRPC trigger tests.

It serves `pokeshop.Pokeshop` from pokeshop.proto beside this file on loopback, without TLS. The Python stubs are
generated at start-up with grpc_tools.protoc into a temporary directory (none is committed). Every call continues
the trace propagated in its metadata (W3C traceparent) and its spans go over OTLP/gRPC (the official OpenTelemetry
SDK) to the endpoint given with --otlp. It prints `listening <port>` once it accepts calls.

    getPokemon(GetPokemonRequest{id})           Pokemon{id, name, type, abilities, isFeatured, weight}, or NOT_FOUND
                                                spans: server, SELECT pokemon (sqlite)
    importPokemon(ImportPokemonRequest{id, name})  ImportPokemonResponse{id, name} (id 0: a new one)
                                                spans: server, INSERT pokemon (sqlite)
    fail(Empty)                                 always NOT_FOUND "this method always fails"   span: server (ERROR)
    describePokemon(DescribePokemonRequest)     PokemonDescription: nested enum, map, oneof, Timestamp echoed back
                                                spans: server, SELECT pokemon (sqlite)

The server span is `pokeshop.Pokeshop/<method>` (kind SERVER) with rpc.system=grpc, rpc.service=pokeshop.Pokeshop,
rpc.method and rpc.grpc.status_code (int); a non-OK code also sets the span status to ERROR with the message.
Every answer, an error too, carries `x-received-metadata` in its initial and in its trailing metadata: the JSON list
of the metadata keys the call arrived with, sorted (e.g. ["traceparent", "tracestate", "user-agent", ...]).

With --reflection it also serves gRPC server reflection, both grpc.reflection.v1alpha and grpc.reflection.v1.
"""

import argparse
import importlib.resources
import json
import pathlib
import shutil
import signal
import sqlite3
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor

import grpc
from grpc_tools import protoc
from opentelemetry import propagate
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode

SERVICE = "pokeshop.Pokeshop"
PROTO = pathlib.Path(__file__).resolve().with_name("pokeshop.proto")
# id, name, type, abilities, featured, weight
POKEMON = [
    (1, "pikachu", "electric", "static,lightning-rod", 1, 60),
    (2, "bulbasaur", "grass", "overgrow", 0, 69),
    (3, "charmander", "fire", "blaze,solar-power", 0, 85),
    (4, "squirtle", "water", "torrent", 1, 90),
]


def load_stubs(directory):
    """Generates pokeshop_pb2 and pokeshop_pb2_grpc into directory and imports them."""
    include = importlib.resources.files("grpc_tools") / "_proto"  # google/protobuf/timestamp.proto
    arguments = ["protoc", f"-I{PROTO.parent}", f"-I{include}", f"--python_out={directory}",
                 f"--grpc_python_out={directory}", str(PROTO)]
    if protoc.main(arguments) != 0:
        sys.exit(f"protoc could not compile {PROTO}")
    sys.path.insert(0, directory)
    import pokeshop_pb2
    import pokeshop_pb2_grpc
    return pokeshop_pb2, pokeshop_pb2_grpc


def make_database():
    database = sqlite3.connect(":memory:", check_same_thread=False)
    database.execute("CREATE TABLE pokemon (id INTEGER PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL,"
                     " abilities TEXT NOT NULL, featured INTEGER NOT NULL, weight INTEGER NOT NULL)")
    database.executemany("INSERT INTO pokemon VALUES (?, ?, ?, ?, ?, ?)", POKEMON)
    database.commit()
    return database


class Abort(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


class Pokeshop:
    def __init__(self, tracer, database, pb2):
        self.tracer, self.database, self.pb2 = tracer, database, pb2
        self.lock = threading.Lock()

    # The four methods of pokeshop.Pokeshop, as grpcio calls them.
    def getPokemon(self, request, context):
        return self.serve("getPokemon", context, lambda: self.find_pokemon("id = ?", request.id))

    def importPokemon(self, request, context):
        return self.serve("importPokemon", context, lambda: self.import_pokemon(request))

    def fail(self, request, context):
        def always_fails():
            raise Abort(grpc.StatusCode.NOT_FOUND, "this method always fails")
        return self.serve("fail", context, always_fails)

    def describePokemon(self, request, context):
        return self.serve("describePokemon", context, lambda: self.describe_pokemon(request))

    def serve(self, method, context, answer):
        """Runs answer() inside the call's SERVER span, continuing the trace propagated in the metadata."""
        metadata = context.invocation_metadata()
        echo = (("x-received-metadata", json.dumps(sorted({key for key, _ in metadata}))),)
        context.send_initial_metadata(echo)
        context.set_trailing_metadata(echo)
        carrier = {}
        for key, value in metadata:
            if isinstance(value, str):  # binary (-bin) entries carry no trace context
                carrier.setdefault(key.lower(), value)
        code, message, response = grpc.StatusCode.OK, "", None
        with self.tracer.start_as_current_span(
            f"{SERVICE}/{method}",
            context=propagate.extract(carrier),
            kind=SpanKind.SERVER,
            attributes={"rpc.system": "grpc", "rpc.service": SERVICE, "rpc.method": method},
        ) as span:
            try:
                response = answer()
            except Abort as abort:
                code, message = abort.code, abort.message
            span.set_attribute("rpc.grpc.status_code", code.value[0])
            if code is not grpc.StatusCode.OK:
                span.set_status(Status(StatusCode.ERROR, message))
        if code is not grpc.StatusCode.OK:
            context.abort(code, message)  # raises; the trailing metadata set above goes with the status
        return response

    def find_pokemon(self, condition, value):
        rows = self.query(f"SELECT id, name, type, abilities, featured, weight FROM pokemon WHERE {condition}",
                          (value,), "SELECT")
        if not rows:
            raise Abort(grpc.StatusCode.NOT_FOUND, f"no pokemon {value}")
        pokemon_id, name, kind, abilities, featured, weight = rows[0]
        return self.pb2.Pokemon(id=pokemon_id, name=name, type=kind, abilities=abilities.split(","),
                                isFeatured=bool(featured), weight=weight)

    def import_pokemon(self, request):
        if not request.name:
            raise Abort(grpc.StatusCode.INVALID_ARGUMENT, "a pokemon needs a name")
        new_id = self.query("INSERT OR REPLACE INTO pokemon VALUES (?, ?, 'normal', '', 0, 0)",
                            (request.id or None, request.name), "INSERT")
        return self.pb2.ImportPokemonResponse(id=new_id, name=request.name)

    def describe_pokemon(self, request):
        selected = request.WhichOneof("selector")
        if selected is None:
            raise Abort(grpc.StatusCode.INVALID_ARGUMENT, "set id or name")
        pokemon = self.find_pokemon(f"{selected} = ?", getattr(request, selected))
        return self.pb2.PokemonDescription(pokemon=pokemon, rarity=request.rarity, labels=dict(request.labels),
                                           asOf=request.asOf if request.HasField("asOf") else None,
                                           selectedBy=selected)

    def query(self, statement, arguments, operation):
        with self.tracer.start_as_current_span(
            f"{operation} pokemon",
            kind=SpanKind.CLIENT,
            attributes={"db.system": "sqlite", "db.statement": statement, "db.name": "pokemon",
                        "db.operation": operation},
        ):
            with self.lock:
                cursor = self.database.execute(statement, arguments)
                if operation == "INSERT":
                    self.database.commit()
                    return cursor.lastrowid
                return cursor.fetchall()


def enable_reflection(server, pb2):
    from grpc_reflection.v1alpha import reflection, reflection_pb2
    v1 = "grpc.reflection.v1.ServerReflection"
    names = (pb2.DESCRIPTOR.services_by_name["Pokeshop"].full_name, reflection.SERVICE_NAME, v1)
    reflection.enable_server_reflection(names, server)
    # grpcio-reflection serves v1alpha only; v1's messages are the same on the wire, so one servicer answers both.
    servicer = reflection.ReflectionServicer(names)
    handler = grpc.stream_stream_rpc_method_handler(
        servicer.ServerReflectionInfo,
        request_deserializer=reflection_pb2.ServerReflectionRequest.FromString,
        response_serializer=reflection_pb2.ServerReflectionResponse.SerializeToString,
    )
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(v1, {"ServerReflectionInfo": handler}),))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--otlp", required=True, help="OTLP/gRPC endpoint, host:port")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--flush-ms", type=int, default=50, help="how long the SDK batches spans")
    parser.add_argument("--service", default="pokeshop-grpc")
    parser.add_argument("--reflection", action="store_true", help="serve gRPC server reflection (v1 and v1alpha)")
    arguments = parser.parse_args()

    directory = tempfile.mkdtemp(prefix="pokeshop-stubs-")
    try:
        pb2, pb2_grpc = load_stubs(directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)  # the modules are imported by now

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

    server = grpc.server(ThreadPoolExecutor(max_workers=16))
    pb2_grpc.add_PokeshopServicer_to_server(Pokeshop(provider.get_tracer("demo"), make_database(), pb2), server)
    if arguments.reflection:
        enable_reflection(server, pb2)
    port = server.add_insecure_port(f"127.0.0.1:{arguments.port}")
    server.start()
    print(f"listening {port}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop(1).wait()
        provider.shutdown()


if __name__ == "__main__":
    sys.exit(main())
