"""A small instrumented GraphQL service (strawberry-graphql on uvicorn) for the GraphQL trigger tests.

It answers HTTP on loopback, continues the trace propagated in the request headers (W3C traceparent) and exports
its spans over OTLP/gRPC (the official OpenTelemetry SDK) to the endpoint given with --otlp. It prints
`listening <port>` once it accepts requests.

    POST /graphql   GraphQL over HTTP (GET with ?query= works too), schema:
                      type Query    { pokemon(id: Int!): Pokemon   fail: String }
                      type Mutation { importPokemon(name: String!): Pokemon }
                      type Pokemon  { id: Int!  name: String!  type: String! }
                    `fail` always raises: the answer is 200 with {"data": null, "errors": [{"message": ...}]}
                    spans: server, SELECT pokemon (pokemon) or INSERT pokemon (importPokemon), both sqlite
    GET  /html      200 text/html, a page that is not GraphQL                          span: server
    other paths     404 text/plain                                                     span: server

The server span is `<METHOD> <route>` (`POST /graphql`, `GET /html`; the bare method elsewhere), kind SERVER, with
http.request.method, http.route, url.path, http.response.status_code and, for GraphQL, graphql.operation.type
(query, mutation) and graphql.operation.name (when the operation has one). Every answer carries the header
`x-received-headers`: the names of the request's headers, lower-case, sorted, comma-separated.
"""

import argparse
import logging
import signal
import socket
import sqlite3
import sys
import threading

import strawberry
import uvicorn
from opentelemetry import propagate, trace
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode
from strawberry.asgi import GraphQL
from strawberry.extensions import SchemaExtension

TYPES = {"pikachu": "electric", "bulbasaur": "grass", "charmander": "fire", "squirtle": "water"}
HTML = b"<!DOCTYPE html>\n<html><head><title>Pokeshop</title></head><body><h1>Not GraphQL</h1></body></html>\n"


class Store:
    """The SQLite database, queried inside a CLIENT span each time."""

    def __init__(self, tracer):
        self.tracer = tracer
        self.lock = threading.Lock()
        self.database = sqlite3.connect(":memory:", check_same_thread=False)
        self.database.execute("CREATE TABLE pokemon (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        self.database.executemany("INSERT INTO pokemon (name) VALUES (?)", [(name,) for name in TYPES])
        self.database.commit()

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


store = None  # set by main()


@strawberry.type
class Pokemon:
    id: int
    name: str
    type: str


@strawberry.type
class Query:
    @strawberry.field
    def pokemon(self, id: int) -> Pokemon | None:
        rows = store.query("SELECT id, name FROM pokemon WHERE id = ?", (id,), "SELECT")
        return Pokemon(id=rows[0][0], name=rows[0][1], type=TYPES.get(rows[0][1], "normal")) if rows else None

    @strawberry.field
    def fail(self) -> str | None:
        raise ValueError("this field always fails")


@strawberry.type
class Mutation:
    @strawberry.mutation
    def import_pokemon(self, name: str) -> Pokemon:  # importPokemon in the schema
        new_id = store.query("INSERT INTO pokemon (name) VALUES (?)", (name,), "INSERT")
        return Pokemon(id=new_id, name=name, type=TYPES.get(name, "normal"))


class OperationAttributes(SchemaExtension):
    """Puts the operation's type and name on the request's server span (the current span)."""

    def on_execute(self):
        span, context = trace.get_current_span(), self.execution_context
        try:
            span.set_attribute("graphql.operation.type", context.operation_type.value)
        except Exception:  # no operation to execute (e.g. an unknown operationName): the errors tell
            pass
        if context.operation_name:
            span.set_attribute("graphql.operation.name", context.operation_name)
        yield


class App:
    """The ASGI application: one SERVER span per request around the GraphQL endpoint and the plain routes."""

    def __init__(self, tracer, port):
        self.tracer, self.port = tracer, port
        schema = strawberry.Schema(query=Query, mutation=Mutation, extensions=[OperationAttributes])
        self.graphql = GraphQL(schema, graphql_ide=None)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.graphql(scope, receive, send)
        headers = [(name.decode("latin-1").lower(), value.decode("latin-1")) for name, value in scope["headers"]]
        received = ",".join(sorted({name for name, _ in headers})).encode("latin-1")
        carrier = {}
        for name, value in headers:
            carrier.setdefault(name, value)
        method, path = scope["method"], scope["path"]
        route = path if path in ("/graphql", "/html") else None
        status = 500

        async def send_echoing(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []), (b"x-received-headers", received)]}
            await send(message)

        attributes = {"http.request.method": method, "url.path": path, "url.scheme": "http",
                      "server.address": "127.0.0.1", "server.port": self.port}
        if route:
            attributes["http.route"] = route
        with self.tracer.start_as_current_span(
            f"{method} {route}" if route else method,
            context=propagate.extract(carrier),
            kind=SpanKind.SERVER,
            attributes=attributes,
        ) as span:
            if path == "/graphql":
                await self.graphql(scope, receive, send_echoing)
            elif path == "/html":
                await self.answer(send_echoing, 200, "text/html; charset=utf-8", HTML)
            else:
                await self.answer(send_echoing, 404, "text/plain", f"no route {path}\n".encode())
            span.set_attribute("http.response.status_code", status)
            if status >= 500:
                span.set_status(Status(StatusCode.ERROR))

    @staticmethod
    async def answer(send, status, content_type, body):
        headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class Server(uvicorn.Server):
    async def startup(self, sockets=None):
        await super().startup(sockets=sockets)
        if not self.should_exit:
            print(f"listening {sockets[0].getsockname()[1]}", flush=True)


def main():
    global store
    parser = argparse.ArgumentParser()
    parser.add_argument("--otlp", required=True, help="OTLP/gRPC endpoint, host:port")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--flush-ms", type=int, default=50, help="how long the SDK batches spans")
    parser.add_argument("--service", default="pokeshop-graphql")
    arguments = parser.parse_args()

    provider = TracerProvider(resource=Resource.create({"service.name": arguments.service}))
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=arguments.otlp, insecure=True),
                           schedule_delay_millis=arguments.flush_ms)
    )
    tracer = provider.get_tracer("demo")
    store = Store(tracer)
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)  # `fail`'s traceback: the answer has it

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", arguments.port))
    listener.listen(128)
    # A parent may have started us with signals blocked. uvicorn handles SIGTERM and SIGINT while it serves (a
    # graceful stop), then raises the signal again with the handlers found before it: make those harmless, so that
    # the spans are flushed below.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: None)
    signal.signal(signal.SIGINT, lambda *_: None)
    config = uvicorn.Config(App(tracer, listener.getsockname()[1]), log_level="warning", access_log=False,
                            lifespan="off", timeout_graceful_shutdown=2)
    try:
        Server(config).run(sockets=[listener])
    finally:
        provider.shutdown()


if __name__ == "__main__":
    sys.exit(main())
