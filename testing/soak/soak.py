#!/usr/bin/env python3
"""Soak and fault suite: a tracetest server under mixed load for a while, with faults, its memory sampled.

Starts the server binary on a fresh database (SQLite, or PostgreSQL when --postgres names a cluster this script may
stop and start), the demo app of Tests/Demo (exporting to the server) and a collector for the server's own telemetry
(testing/soak/collector.py), then for --minutes runs, all at once:

  runs      a few workers start runs of a test that calls the demo app and wait for each: each must end FINISHED;
  api       a worker reads lists, runs, resources and the OpenAPI document: every answer must be 2xx/4xx;
  otlp      a worker sends batches of spans of traces no run waits for (the recent-traces buffer) over OTLP/HTTP.

Faults, each once, spread over the time: the server killed with SIGKILL and restarted; (PostgreSQL) the database
stopped for 10 s and started; the collector stopped for 20 s and started. After the load, --quiet seconds (30).

Prints the server's resident memory (sampled every second): at the end of the first minute, the median and the
peak under load, at the end of the load, and after the quiet, with counts by outcome. Exits non-zero when a run did
not finish, a request answered 5xx outside the database outage, or the server did not come back after a fault.
"""
import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "testing"))
import tracetest_server  # noqa: E402


def request(port, method, path, body=None, timeout=30, headers=None):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    all_headers = {"Content-Type": "application/json"}
    all_headers.update(headers or {})
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Soak:
    def __init__(self, args, workdir):
        self.args, self.workdir = args, workdir
        self.postgres = json.loads(args.postgres) if args.postgres else None
        self.port, self.otlp_grpc, self.otlp_http, self.collector_port = (tracetest_server.free_port() for _ in range(4))
        self.outcomes = Counter()
        self.failures = []
        self.lock = threading.Lock()
        self.server = self.app = self.collector = None
        self.rss = []  # (seconds since the load began, KiB)
        self.stopping = threading.Event()
        self.outage = threading.Event()  # requests may answer 503 / fail while set
        self.started = time.time()

    # -- processes --------------------------------------------------------------------------------------------------

    def count(self, outcome):
        with self.lock:
            self.outcomes[outcome] += 1

    def fail(self, what):
        with self.lock:
            self.failures.append(what)
            self.outcomes["FAILED"] += 1
        print(f"FAIL {what}", flush=True)

    def configuration(self):
        text = (f"server:\n  host: 127.0.0.1\n  httpPort: {self.port}\n  telemetry:\n    exporter: collector\n"
                f"otlpServer:\n  grpcPort: {self.otlp_grpc}\n  httpPort: {self.otlp_http}\n"
                f"  recentTraces:\n    maxAge: {self.args.buffer_age}\n"
                f"telemetry:\n  exporters:\n    collector:\n      serviceName: tracetest\n      sampling: 100\n"
                f"      metricsReaderInterval: 5s\n      exporter:\n        type: collector\n"
                f"        collector:\n          endpoint: 127.0.0.1:{self.collector_port}\n")
        return text + tracetest_server.storage_yaml(self.postgres, self.workdir)

    def start_server(self):
        self.server = tracetest_server.start(
            self.args.binary, self.workdir, self.configuration(), "soak", retry_delay="200ms", timeout="30s")
        deadline = time.time() + 90
        while time.time() < deadline and self.server.poll() is None:
            try:
                if request(self.port, "GET", "/health", timeout=2)[0] == 200:
                    return True
            except OSError:
                pass
            time.sleep(0.2)
        # Say why, with the end of the server's log: CI keeps nothing else.
        state = "still running" if self.server.poll() is None else f"exited with {self.server.returncode}"
        with open(f"{self.workdir}/server.log", errors="replace") as f:
            tail = f.readlines()[-30:]
        print(f"the server did not answer /health on port {self.port} within 90 s ({state}); the end of its log:\n"
              + "".join("  | " + line for line in tail), flush=True)
        return False

    def start_collector(self):
        self.collector = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "testing/soak/collector.py"), "--port", str(self.collector_port)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.collector.stdout.readline()  # "listening"

    def start_app(self):
        self.app = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "Tests/Demo/demo_app.py"), "--otlp", f"127.0.0.1:{self.otlp_grpc}",
             "--flush-ms", "50"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        return int(self.app.stdout.readline().split()[1])

    def pg_cluster(self, action):
        subprocess.run([os.path.join(ROOT, "scripts/pg-cluster"), action, self.postgres["cluster"]],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    # -- load -------------------------------------------------------------------------------------------------------

    def runs_worker(self, app_port):
        while not self.stopping.is_set():
            try:
                status, body = request(self.port, "POST", "/api/tests/soak/run", {})
            except OSError:
                self.count("run: server away")
                time.sleep(0.5)
                continue
            if status != 200:
                self.count(f"run start: {status}")
                if status >= 500 and not self.outage.is_set():
                    self.fail(f"starting a run answered {status}: {body[:200]!r}")
                time.sleep(0.5)
                continue
            run_id = json.loads(body)["id"]
            self.count("run: started")
            self.wait_for_run(run_id)

    def wait_for_run(self, run_id):
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                status, body = request(self.port, "GET", f"/api/tests/soak/run/{run_id}?trace=false")
            except OSError:
                time.sleep(0.5)
                continue
            if status == 200:
                run = json.loads(body)
                state = run["state"]
                if state in ("FINISHED", "TRIGGER_FAILED", "TRACE_FAILED", "ASSERTION_FAILED", "ANALYZING_ERROR",
                             "STOPPED", "FAILED"):
                    self.count(f"run: {state}")
                    # A run caught by the kill in its trigger ends TRIGGER_FAILED, by design.
                    if state != "FINISHED" and not (state == "TRIGGER_FAILED" and "stopped" in
                                                    run.get("lastErrorState", "")):
                        self.fail(f"run {run_id} ended {state}: {run.get('lastErrorState', '')}")
                    return
            time.sleep(0.1)
        self.fail(f"run {run_id} did not end within 180 s")

    def api_worker(self):
        paths = ["/api/tests", "/api/tests/soak/run?take=20", "/api/testsuites", "/api/variablesets",
                 "/api/datastores/current", "/api/openapi.yaml", "/api/tests/soak", "/api/tests/missing/run/1"]
        while not self.stopping.is_set():
            path = random.choice(paths)
            try:
                status, _ = request(self.port, "GET", path, timeout=10)
            except OSError:
                self.count("api: server away")
                time.sleep(0.5)
                continue
            self.count(f"api: {status // 100}xx")
            if status >= 500 and not self.outage.is_set():
                self.fail(f"GET {path} answered {status}")
            time.sleep(0.02)

    def otlp_worker(self):
        rng = random.Random(7)
        while not self.stopping.is_set():
            trace_id = "%032x" % rng.getrandbits(128)
            now = time.time_ns()
            spans = [{"traceId": trace_id, "spanId": "%016x" % rng.getrandbits(64), "name": f"work {i}", "kind": 2,
                      "startTimeUnixNano": str(now), "endTimeUnixNano": str(now + 1000000),
                      "attributes": [{"key": "payload", "value": {"stringValue": "x" * rng.randint(10, 2000)}}]}
                     for i in range(50)]
            body = {"resourceSpans": [{"resource": {"attributes": [
                {"key": "service.name", "value": {"stringValue": "soak"}}]}, "scopeSpans": [{"spans": spans}]}]}
            try:
                status, _ = request(self.otlp_http, "POST", "/v1/traces", body, timeout=10)
                self.count(f"otlp: {status}")
                if status >= 500 and not self.outage.is_set():
                    self.fail(f"OTLP export answered {status}")
            except OSError:
                self.count("otlp: server away")
                time.sleep(0.5)
            time.sleep(0.05)

    def sample_rss(self):
        while not self.stopping.is_set() or self.sampling_quiet:
            pid = self.server.pid if self.server else None
            try:
                with open(f"/proc/{pid}/status") as f:
                    kib = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
                self.rss.append((time.time() - self.started, kib))
            except (OSError, StopIteration, TypeError):
                pass
            time.sleep(1)

    # -- the soak ---------------------------------------------------------------------------------------------------

    def run(self):
        self.start_collector()
        if not self.start_server():
            self.fail("the server did not start")
            return
        app_port = self.start_app()
        test = {"type": "Test", "spec": {
            "id": "soak", "name": "Soak",
            "trigger": {"type": "http", "httpRequest": {"method": "GET",
                                                         "url": f"http://127.0.0.1:{app_port}/pokemon/1"}},
            "specs": [{"selector": 'span[name="GET /pokemon/:id"]', "assertions": ["attr:http.status_code = 200"]}]}}
        request(self.port, "PUT", "/api/tests", test)
        duration = self.args.minutes * 60
        self.started = time.time()
        self.sampling_quiet = False
        load = self.args.load.split(",")
        workers = [threading.Thread(target=self.runs_worker, args=(app_port,))
                   for _ in range(self.args.runners if "runs" in load else 0)]
        workers += [threading.Thread(target=self.api_worker) for _ in range(1 if "api" in load else 0)]
        workers += [threading.Thread(target=self.otlp_worker) for _ in range(1 if "otlp" in load else 0)]
        sampler = threading.Thread(target=self.sample_rss)
        for thread in workers + [sampler]:
            thread.start()
        faults = [] if self.args.no_faults else [
            (0.25, self.kill_fault), (0.5, self.database_fault), (0.75, self.collector_fault)]
        for at, fault in faults:
            self.sleep_until(self.started + duration * at)
            fault()
        self.sleep_until(self.started + duration)
        load_end = time.time() - self.started
        self.sampling_quiet = True
        self.stopping.set()
        for thread in workers:
            thread.join()
        time.sleep(self.args.quiet)
        self.sampling_quiet = False
        sampler.join()
        self.report(load_end)

    def sleep_until(self, when):
        while time.time() < when:
            time.sleep(0.5)

    def kill_fault(self):
        print(f"fault at {time.time() - self.started:.0f} s: SIGKILL, restart", flush=True)
        self.outage.set()
        self.server.send_signal(signal.SIGKILL)
        self.server.wait()
        if not self.start_server():
            self.fail("the server did not come back after SIGKILL")
        self.outage.clear()
        self.count("fault: killed and restarted")

    def database_fault(self):
        if not self.postgres:
            return
        print(f"fault at {time.time() - self.started:.0f} s: PostgreSQL stopped for 10 s", flush=True)
        self.outage.set()
        self.pg_cluster("stop")
        time.sleep(10)
        self.pg_cluster("start")
        time.sleep(5)  # requests during reconnection may still answer 503
        self.outage.clear()
        self.count("fault: database down and up")

    def collector_fault(self):
        print(f"fault at {time.time() - self.started:.0f} s: collector stopped for 20 s", flush=True)
        self.collector.terminate()
        self.collector.wait()
        time.sleep(20)
        self.start_collector()
        self.count("fault: collector down and up")

    def report(self, load_end):
        def at(second):
            near = [kib for t, kib in self.rss if abs(t - second) < 1.5]
            return near[-1] / 1024 if near else float("nan")
        under_load = [kib / 1024 for t, kib in self.rss if t <= load_end]
        print(f"soak ({'postgresql' if self.postgres else 'sqlite'}, {self.args.minutes} min, "
              f"{self.args.runners} run workers):")
        if under_load:
            print(f"  RSS after 1 min       {at(60):8.1f} MiB")
            minutes = [f"{at(60 * m):.0f}" for m in range(1, int(load_end // 60) + 1)]
            print(f"  RSS each minute (MiB) {' '.join(minutes)}")
            print(f"  RSS median under load {statistics.median(under_load):8.1f} MiB")
            print(f"  RSS peak under load   {max(under_load):8.1f} MiB")
            print(f"  RSS at the load's end {at(load_end):8.1f} MiB")
            print(f"  RSS after {self.args.quiet:.0f} s quiet  {self.rss[-1][1] / 1024:8.1f} MiB")
        for outcome, count in sorted(self.outcomes.items()):
            print(f"  {outcome:<32} {count}")
        try:
            self.server.send_signal(signal.SIGTERM)
            if self.server.wait(timeout=45) != 0:
                self.fail(f"the server exited {self.server.returncode} on SIGTERM")
        except subprocess.TimeoutExpired:
            self.fail("the server did not stop within 45 s of SIGTERM")
            self.server.kill()
        for process in (self.app, self.collector):
            if process and process.poll() is None:
                process.terminate()
                process.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--postgres", help="JSON: host, port, user, password, dbname, cluster (for pg-cluster)")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--runners", type=int, default=4)
    parser.add_argument("--quiet", type=float, default=30, help="seconds of quiet after the load")
    parser.add_argument("--buffer-age", default="5m", help="otlpServer.recentTraces.maxAge of the server")
    parser.add_argument("--load", default="runs,api,otlp", help="which load: runs, api, otlp (comma-separated)")
    parser.add_argument("--no-faults", action="store_true", help="no kill, database outage or collector outage")
    parser.add_argument("--keep", action="store_true", help="keep the working directory (server log)")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="tracetest-soak-")
    soak = Soak(args, workdir)
    try:
        soak.run()
    finally:
        for process in (soak.server, soak.app, soak.collector):
            if process and process.poll() is None:
                process.kill()
    if soak.failures:
        print(f"soak: {len(soak.failures)} failures (server log in {workdir})")
        return 1
    if not args.keep:
        subprocess.run(["rm", "-rf", workdir])
    return 0


if __name__ == "__main__":
    sys.exit(main())
