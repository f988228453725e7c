#!/usr/bin/env python3
"""Driver of scripts/benchmark-scale-out (Python 3 standard library, plus Tests/Demo/demo_app.py's packages).

    benchmark_scale_out.py --binary B --psql P --pg-host H --pg-port N --pg-user U [--runs R] [--servers 1,2,3]

For each server count S: a fresh database, S `tracetest serve` processes on it (the first with the OTLP receiver
the demo app exports to), R runs of GET /pokemon/1 started round-robin through the S servers at once; prints the
runs per second from the first start to the last end. Every run must end FINISHED with its specs passed.
Then, with three servers: a run waiting for its trace on the second server, that server killed with SIGKILL, the
trace sent to the first; prints how long after the kill the run finished on another server.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        "http://127.0.0.1:%d%s" % (port, path), data=data, method=method,
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        text = response.read().decode()
        return json.loads(text) if text.strip() else None


class Server:
    def __init__(self, args, work, name, database, otlp=None):
        self.home = os.path.join(work, name)
        os.makedirs(self.home, exist_ok=True)
        receiver = ("  host: 127.0.0.1\n  grpcPort: %d\n  httpPort: %d\n" % otlp) if otlp else "  enabled: false\n"
        with open(os.path.join(self.home, "tracetest.yaml"), "w") as config:
            config.write(
                "server:\n  host: 127.0.0.1\n  httpPort: 0\n  instanceName: %s\notlpServer:\n%s"
                "postgres:\n  host: %s\n  port: %d\n  user: %s\n  password: \"\"\n  dbname: %s\n"
                "  params: sslmode=disable\n" % (name, receiver, args.pg_host, args.pg_port, args.pg_user, database))
        self.log = open(os.path.join(self.home, "server.log"), "w+")
        self.process = subprocess.Popen([args.binary, "serve"], cwd=self.home, stderr=self.log,
                                        stdout=subprocess.DEVNULL)
        self.port = self.wait_for_port()

    def wait_for_port(self):
        deadline = time.time() + 60
        while time.time() < deadline:
            self.log.seek(0)
            for line in self.log.read().splitlines():
                if "HTTP API listening on port" in line:
                    return int(line.rsplit(" ", 1)[1])
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.log.seek(0)
        raise SystemExit("the server did not start:\n" + self.log.read())

    def stop(self, sig=signal.SIGTERM):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=60)


def test_body(app_port):
    return {"type": "Test", "spec": {
        "id": "bench", "name": "Get a pokemon",
        "trigger": {"type": "http", "httpRequest": {"method": "GET", "url": "http://127.0.0.1:%d/pokemon/1" % app_port}},
        "specs": [{"selector": 'span[name="GET /pokemon/:id"]', "assertions": ["attr:http.status_code = 200"]}]}}


def wait_for_end(port, test, run, timeout=300):
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = call(port, "GET", "/api/tests/%s/run/%d?trace=false" % (test, run))
        if state["state"] in ("FINISHED", "TRIGGER_FAILED", "TRACE_FAILED", "ASSERTION_FAILED", "ANALYZING_ERROR",
                              "STOPPED", "FAILED"):
            return state
        time.sleep(0.05)
    raise SystemExit("run %s/%d did not end" % (test, run))


def create_database(args, name):
    subprocess.run([args.psql, "-h", args.pg_host, "-p", str(args.pg_port), "-U", args.pg_user, "-d", "postgres",
                    "-q", "-c", "DROP DATABASE IF EXISTS %s" % name, "-c", "CREATE DATABASE %s" % name], check=True,
                   env=dict(os.environ, PGOPTIONS="--client-min-messages=warning"))


def with_servers(args, work, count, database, body):
    otlp = (free_port(), free_port())
    create_database(args, database)
    servers = []
    app = subprocess.Popen([sys.executable, os.path.join(ROOT, "Tests/Demo/demo_app.py"), "--otlp",
                            "127.0.0.1:%d" % otlp[0], "--flush-ms", "50"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True)
    try:
        app_port = int(app.stdout.readline().split()[1])
        for index in range(count):
            servers.append(Server(args, work, "%s-%d" % (database, index), database, otlp if index == 0 else None))
        return body(servers, app_port, otlp)
    finally:
        for server in servers:
            server.stop()
        app.terminate()
        app.wait()


def throughput(args, work, count):
    def body(servers, app_port, _):
        call(servers[0].port, "PUT", "/api/tests", test_body(app_port))
        # One warm-up run per server.
        for server in servers:
            run = call(server.port, "POST", "/api/tests/bench/run", {})
            wait_for_end(server.port, "bench", run["id"])
        started = time.time()
        ids = [None] * args.runs
        def start(index):
            ids[index] = call(servers[index % count].port, "POST", "/api/tests/bench/run", {})["id"]
        threads = [threading.Thread(target=start, args=(i,)) for i in range(args.runs)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for index, run in enumerate(ids):
            final = wait_for_end(servers[(index + 1) % count].port, "bench", run)
            if final["state"] != "FINISHED" or not final["result"].get("allPassed"):
                raise SystemExit("run %d ended %s: %s" % (run, final["state"], final.get("lastErrorState")))
        elapsed = time.time() - started
        print("%d server(s): %d runs in %.1f s: %.1f runs/s" % (count, args.runs, elapsed, args.runs / elapsed))
    with_servers(args, work, count, "bench_scale_%d" % count, body)


def takeover(args, work):
    def body(servers, _, otlp):
        trace_id = os.urandom(16).hex()
        call(servers[0].port, "PUT", "/api/tests", {"type": "Test", "spec": {
            "id": "waits", "name": "By trace id", "trigger": {"type": "traceid", "traceid": {"id": "${var:TRACE_ID}"}}}})
        run = call(servers[1].port, "POST", "/api/tests/waits/run",
                   {"variables": [{"key": "TRACE_ID", "value": trace_id}]})["id"]
        while call(servers[1].port, "GET", "/api/tests/waits/run/%d?trace=false" % run)["state"] != "AWAITING_TRACE":
            time.sleep(0.05)
        servers[1].stop(signal.SIGKILL)
        killed = time.time()
        now = time.time_ns()
        span = {"traceId": trace_id, "spanId": os.urandom(8).hex(), "name": "work", "kind": 2,
                "startTimeUnixNano": str(now), "endTimeUnixNano": str(now + 1000000)}
        request = urllib.request.Request(
            "http://127.0.0.1:%d/v1/traces" % otlp[1], method="POST", headers={"Content-Type": "application/json"},
            data=json.dumps({"resourceSpans": [{"resource": {}, "scopeSpans": [{"spans": [span]}]}]}).encode())
        urllib.request.urlopen(request, timeout=10).read()
        final = wait_for_end(servers[0].port, "waits", run, timeout=120)
        print("takeover: the killed server's run ended %s %.1f s after the kill" % (final["state"], time.time() - killed))
    with_servers(args, work, 3, "bench_scale_takeover", body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--psql", required=True)
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, required=True)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--runs", type=int, default=150)
    parser.add_argument("--servers", default="1,2,3")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        for count in [int(c) for c in args.servers.split(",")]:
            throughput(args, work, count)
        takeover(args, work)


if __name__ == "__main__":
    main()
