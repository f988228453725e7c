"""A small instrumented service for the run-engine tests and benchmarks.

It answers HTTP on loopback, makes a real SQLite query and an outgoing HTTP call to itself inside every
/pokemon request, and exports its spans over OTLP/gRPC (the official OpenTelemetry SDK) to the endpoint given
with --otlp. It prints `listening <port>` once it accepts requests.

    GET  /pokemon/<id>   200 {"id", "name", "type"}      spans: server, SELECT (sqlite), client + server /types
    POST /pokemon        201 {"id", "name"}               spans: server, INSERT (sqlite)
    GET  /types/<name>   200 {"type"}                    span:  server
    GET  /fail           500 {"error"}                   span:  server (status ERROR)
    GET  /slow?ms=N      200 after N ms                  span:  server
    ANY  /echo           200 {"method", "target", "headers": [[name, value]], "body"}
    GET  /redirect?to=P  302 to P
    GET  /requests       200 {"<path and query>": count} of every request before (no span)

With --tls CERT KEY it serves HTTPS.
"""

import argparse
import json
import signal
import sqlite3
import ssl
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry import propagate, trace
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode

TYPES = {"pikachu": "electric", "bulbasaur": "grass", "charmander": "fire", "squirtle": "water"}


def make_database():
    database = sqlite3.connect(":memory:", check_same_thread=False)
    database.execute("CREATE TABLE pokemon (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    for name in TYPES:
        database.execute("INSERT INTO pokemon (name) VALUES (?)", (name,))
    database.commit()
    return database


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    tracer = None
    database = None
    lock = threading.Lock()
    port = 0
    counts = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.handle_request("GET")

    def do_POST(self):
        self.handle_request("POST")

    def do_PUT(self):
        self.handle_request("PUT")

    def do_PATCH(self):
        self.handle_request("PATCH")

    def do_DELETE(self):
        self.handle_request("DELETE")

    def handle_request(self, method):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/requests":
            with self.lock:
                data = json.dumps(self.counts).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        with self.lock:
            self.counts[self.path] = self.counts.get(self.path, 0) + 1
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        # Header names are case-insensitive (urllib sends `Traceparent`): extract from the lower-cased names.
        context = propagate.extract({name.lower(): value for name, value in self.headers.items()})
        route = self.route_of(method, url.path)
        with self.tracer.start_as_current_span(
            f"{method} {route}",
            context=context,
            kind=SpanKind.SERVER,
            attributes={
                "http.method": method,
                "http.route": route,
                "http.target": self.path,
                "http.scheme": "http",
                "net.host.port": self.port,
            },
        ) as span:
            status, payload, *extra = self.respond(method, url, body)
            span.set_attribute("http.status_code", status)
            if status >= 500:
                span.set_status(Status(StatusCode.ERROR, payload.get("error", "")))
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (extra[0] if extra else {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    @staticmethod
    def route_of(method, path):
        if path.startswith("/pokemon/"):
            return "/pokemon/:id"
        if path.startswith("/types/"):
            return "/types/:name"
        return path

    def respond(self, method, url, body):
        parts = url.path.strip("/").split("/")
        if method == "GET" and parts[0] == "pokemon" and len(parts) == 2:
            row = self.query("SELECT id, name FROM pokemon WHERE id = ?", (int(parts[1]),), "SELECT")
            if not row:
                return 404, {"error": "no pokemon " + parts[1]}
            kind = self.call_types(row[0][1])
            return 200, {"id": row[0][0], "name": row[0][1], "type": kind}
        if method == "POST" and url.path == "/pokemon":
            try:
                name = json.loads(body or b"{}")["name"]
            except (ValueError, KeyError):
                return 400, {"error": "send {\"name\": ...}"}
            new_id = self.query("INSERT INTO pokemon (name) VALUES (?)", (name,), "INSERT")
            return 201, {"id": new_id, "name": name}
        if method == "GET" and parts[0] == "types" and len(parts) == 2:
            return 200, {"type": TYPES.get(parts[1], "normal")}
        if url.path == "/echo":
            headers = [[name, value] for name, value in self.headers.items()]
            return 200, {"method": method, "target": self.path, "headers": headers, "body": body.decode()}
        if url.path == "/redirect":
            target = urllib.parse.parse_qs(url.query).get("to", ["/echo"])[0]
            return 302, {"location": target}, {"Location": target}
        if url.path == "/fail":
            return 500, {"error": "this endpoint always fails"}
        if url.path == "/slow":
            milliseconds = int(urllib.parse.parse_qs(url.query).get("ms", ["100"])[0])
            time.sleep(milliseconds / 1000)
            return 200, {"slept": milliseconds}
        return 404, {"error": "no route " + url.path}

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

    def call_types(self, name):
        url = f"http://127.0.0.1:{self.port}/types/{name}"
        with self.tracer.start_as_current_span(
            "GET /types/:name",
            kind=SpanKind.CLIENT,
            attributes={"http.method": "GET", "http.url": url},
        ) as span:
            headers = {}
            propagate.inject(headers)
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as response:
                span.set_attribute("http.status_code", response.status)
                return json.loads(response.read())["type"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--otlp", required=True, help="OTLP/gRPC endpoint, host:port")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--flush-ms", type=int, default=50, help="how long the SDK batches spans")
    parser.add_argument("--service", default="pokemon-api")
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve HTTPS with this certificate and key")
    arguments = parser.parse_args()

    provider = TracerProvider(resource=Resource.create({"service.name": arguments.service}))
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=arguments.otlp, insecure=True),
                           schedule_delay_millis=arguments.flush_ms)
    )
    # A parent may have started us with signals blocked; stop cleanly on SIGTERM and SIGINT.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    Handler.tracer = provider.get_tracer("demo")
    Handler.database = make_database()
    # A listen backlog like a production server's: the default (5) drops connections beyond it, which then take
    # longer than the trigger's 1 s connect timeout.
    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
    server.daemon_threads = True
    if arguments.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*arguments.tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    Handler.port = server.server_address[1]
    print(f"listening {Handler.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        provider.shutdown()


if __name__ == "__main__":
    sys.exit(main())
