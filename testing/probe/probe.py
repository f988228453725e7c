#!/usr/bin/env python3
"""A black-box probe of a tracetest server: hostile input, fuzzing and faults (issue 15).

Starts the server binary on a fresh database (SQLite, or PostgreSQL when --postgres names a cluster that this script
may stop and start), then:

  known     the inputs that once crashed, hung or leaked, each with the answer it must get;
  big       a 60 MiB OTLP/JSON request of one span with a million attributes: accepted, the server's resident
            memory meanwhile at most 4x the request's size above what it was before, and back within half the
            request's size of it once the span has left the recent-traces buffer (maxAge 10s here);
  fuzz      random and mutated bodies for the OTLP/HTTP receiver, the resource API and the expression language;
  schema    schemathesis against the server's own OpenAPI document (/api/openapi.yaml), when --schemathesis is given;
  kill      runs started, the server killed with SIGKILL mid-way, restarted: every run must end;
  outage    (PostgreSQL only) the database stopped for a while under runs, then started: every run must end.

Every request must answer within 15 s (HANG) without a 5xx, and no body may carry internals (SQL, SQLSTATE, Swift or
Foundation type names). Prints counts by outcome and exits non-zero on any failure.
"""
import argparse
import json
import threading
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import tracetest_server  # noqa: E402

LEAKS = ["SELECT ", "INSERT INTO", "UPDATE test", "SQLSTATE", "PSQLError", "sqlite3_", "Swift.", "NSError",
         "Foundation.", "DecodingError", "YamlError", "NIOCore"]
# What counts as a hang. An answer is normally far below it; the slowest legitimate one, a 100,000-step suite written
# by a debug build to PostgreSQL on a busy 2-core machine, takes up to ~8 s. Hangs (ReDoS, locks) take minutes.
HANG = 15.0


class Probe:
    def __init__(self, binary, workdir, postgres):
        self.binary, self.workdir, self.postgres = binary, workdir, postgres
        self.port = tracetest_server.free_port()
        self.otlp_http = tracetest_server.free_port()
        self.process = None
        self.outcomes = Counter()
        self.failures = []

    # -- the server -------------------------------------------------------------------------------------------------

    def configuration(self):
        text = (f"server:\n  host: 127.0.0.1\n  httpPort: {self.port}\n"
                f"otlpServer:\n  enabled: true\n  grpcPort: {tracetest_server.free_port()}\n  httpPort: {self.otlp_http}\n"
                f"  recentTraces:\n    maxAge: 10s\n")
        return text + tracetest_server.storage_yaml(self.postgres, self.workdir)

    def start(self):
        self.process = tracetest_server.start(
            self.binary, self.workdir, self.configuration(), "quick", retry_delay="500ms", timeout="3s")
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if self.request("GET", "/health", check=False)[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                raise SystemExit(f"probe: the server exited at start-up; see {self.workdir}/server.log")
            time.sleep(0.2)
        raise SystemExit("probe: the server did not answer /health within 60 s")

    def stop(self, sig=signal.SIGTERM):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.fail("shutdown", "the server did not stop within 30 s of SIGTERM")
                self.process.kill()
                self.process.wait()

    def alive(self, where):
        if self.process.poll() is not None:
            self.fail(where, f"the server died (exit {self.process.returncode})")
            self.start()

    # -- requests and outcomes --------------------------------------------------------------------------------------

    def fail(self, where, what):
        self.failures.append(f"{where}: {what}")
        self.outcomes["failure"] += 1

    def request(self, method, path, body=None, headers=None, port=None, check=True, where=""):
        data = body if isinstance(body, (bytes, type(None))) else body.encode("utf-8", "surrogatepass")
        request = urllib.request.Request(f"http://127.0.0.1:{port or self.port}{path}", data=data, method=method,
                                         headers=headers or {"Content-Type": "application/json"})
        started = time.time()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, text = response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode("utf-8", "replace")
        except (urllib.error.URLError, OSError) as error:
            if check:
                self.fail(where or path, f"no answer: {error}")
            return None, ""
        took = time.time() - started
        if check:
            self.outcomes[f"{status // 100}xx"] += 1
            if status >= 500:
                self.fail(where or path, f"{status} {text[:200]}")
            if took > HANG:
                self.fail(where or path, f"answered after {took:.1f} s")
            leak = next((l for l in LEAKS if l in text), None)
            if leak:
                self.fail(where or path, f"the body leaks {leak!r}: {text[:200]}")
        return status, text

    def expect(self, where, status, wanted):
        if status not in wanted:
            self.fail(where, f"answered {status}, expected one of {sorted(wanted)}")

    # -- known inputs -----------------------------------------------------------------------------------------------

    def known(self):
        r = self.request
        self.expect("paging", r("GET", "/api/resources?skip=9223372036854775807")[0], {200})
        self.expect("paging", r("GET", "/api/tests?take=9223372036854775807&skip=1")[0], {200})
        redos = '{"expression": "\'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\' | regex \'(a+)+$\'"}'
        for _ in range(2):
            self.expect("ReDoS", r("POST", "/api/expressions/resolve", redos)[0], {200})
        bomb = "type: Test\nspec:\n  id: bomb\n  name: &a \"" + "x" * 500_000 + "\"\n  description: [" + \
            ", ".join(["*a"] * 2000) + "]\n"
        yaml = {"Content-Type": "text/yaml"}
        self.expect("alias bomb", r("POST", "/api/tests", bomb, yaml)[0], {400})
        self.expect("alias key", r("POST", "/api/tests", "a: &a {k: v}\n{*a : 1}: 2\n", yaml)[0], {400})
        self.expect("NUL", r("POST", "/api/tests", '{"type":"Test","spec":{"id":"n","name":"a\\u0000b"}}')[0], {400})
        self.expect("surrogates", r("POST", "/api/tests", json.dumps(
            {"type": "Test", "spec": {"id": "emoji", "name": "smile \U0001F600"}}))[0], {201})
        injected = {"type": "Test", "spec": {"id": "inject", "name": "i", "trigger": {"type": "http", "httpRequest": {
            "method": "GET /x HTTP/1.1\r\nX-Injected: yes\r\n\r\nGET", "url": "http://127.0.0.1:1/"}}}}
        self.expect("method injection", r("POST", "/api/tests", json.dumps(injected))[0], {400})
        unix = {"type": "Test", "spec": {"id": "unix", "name": "u", "trigger": {"type": "http", "httpRequest": {
            "method": "GET", "url": "unix:///var/run/docker.sock"}}}}
        self.expect("unix socket", r("POST", "/api/tests", json.dumps(unix))[0], {400})
        cross = {"Content-Type": "text/plain", "Origin": "http://evil.example"}
        self.expect("cross-site", r("POST", "/api/tests", '{"type":"Test","spec":{"name":"x"}}', cross)[0], {403})
        store = {"type": "DataStore", "spec": {"name": "os", "type": "opensearch", "opensearch": {
            "addresses": ["http://127.0.0.1:9200"], "username": "u", "password": "s3cret-probe", "index": "t"}}}
        r("PUT", "/api/datastores/current", json.dumps(store))
        if "s3cret-probe" in r("GET", "/api/datastores/current")[1]:
            self.fail("secrets", "GET /api/datastores/current shows the password")
        r("PUT", "/api/datastores/current", json.dumps({"type": "DataStore", "spec": {"name": "OTLP", "type": "otlp"}}))
        r("PUT", "/api/tests", json.dumps({"type": "Test", "spec": {"id": "step", "name": "s"}}))
        steps = json.dumps({"type": "TestSuite", "spec": {"id": "huge", "name": "h", "steps": ["step"] * 100_000}})
        self.expect("big suite", r("POST", "/api/testsuites", steps)[0], {201})
        # Gone again, so that the fuzzing and schemathesis phases do not page through 100,000 steps at every list.
        self.expect("big suite deleted", r("DELETE", "/api/testsuites/huge")[0], {204})
        for name, raw, wanted in [
                ("garbage", b"GARBAGE\r\n\r\n", "400"),
                ("long line", b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\n\r\n", "431"),
                ("big header", b"GET / HTTP/1.1\r\nX: " + b"a" * (1 << 20) + b"\r\n\r\n", "431"),
                ("many headers", b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(10_000)) + b"\r\n",
                 "431")]:
            answer = self.raw(raw)
            self.outcomes["raw"] += 1
            if not answer.startswith(f"HTTP/1.1 {wanted}"):
                self.fail(f"malformed HTTP: {name}", f"answered {answer[:40]!r}")
        self.alive("known inputs")

    def resident_mib(self):
        with open(f"/proc/{self.process.pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024

    def big(self):
        """One span with a million attributes, as OTLP/JSON and as protobuf: each must answer, stay within a few times
        its size in resident memory above the baseline, and give the memory back once the span has left the buffer."""
        count = 1_000_000
        attributes = ",".join('{"key":"attribute.%07d","value":{"stringValue":"v%07d"}}' % (i, i)
                              for i in range(count))
        body = ('{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"big"}}]},'
                '"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"b7ad6b7169203331",'
                '"name":"a million attributes","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":['
                + attributes + ']}]}]}]}').encode()
        del attributes
        self.big_request("OTLP/JSON", body, "application/json", count, limit=4)
        del body

        def varint(value):
            out = bytearray()
            while value >= 0x80:
                out.append(value & 0x7F | 0x80)
                value >>= 7
            out.append(value)
            return bytes(out)

        def field(number, content):
            return varint(number << 3 | 2) + varint(len(content)) + content

        def key_value(key, text):
            return field(1, key) + field(2, field(1, text))
        span = (field(1, bytes.fromhex("5b8efff798038103d269b633813fc60d")) + field(2, bytes.fromhex("b7ad6b7169203332"))
                + field(5, b"a million attributes")
                + b"".join(field(9, key_value(b"attribute.%07d" % i, b"v%07d" % i)) for i in range(count)))
        resource = field(1, key_value(b"service.name", b"big"))
        body = field(1, field(1, resource) + field(2, field(2, span)))
        del span
        # Protobuf is about half the size of the same JSON, while the spans take the same memory (a dictionary of a
        # million entries is ~125 MiB): 5.5-6.4x its size measured (7.9x when it was decoded into a message tree).
        self.big_request("protobuf", body, "application/x-protobuf", count, limit=7)

    def big_request(self, encoding, body, content_type, count, limit):
        size = len(body) / (1 << 20)
        where = f"big {encoding} request"
        before = self.request("GET", "/api/config/connection/otlp", where=where)[1]
        time.sleep(1)
        baseline = self.resident_mib()
        peak, sampling = [baseline], threading.Event()

        def sample():
            while not sampling.is_set():
                peak[0] = max(peak[0], self.resident_mib())
                time.sleep(0.01)
        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.time()
        status, text = self.request("POST", "/v1/traces", body, {"Content-Type": content_type},
                                    port=self.otlp_http, check=False)
        took = time.time() - started
        sampling.set()
        sampler.join()
        self.outcomes[where] += 1
        if status != 200 or "rejected" in text:
            self.fail(where, f"answered {status} {text[:200]}")
        after = json.loads(self.request("GET", "/api/config/connection/otlp", where=where)[1] or "{}")
        if after.get("spanCount", 0) != json.loads(before or "{}").get("spanCount", 0) + 1:
            self.fail(where, f"the receiver did not count the span: {after}")
        growth = peak[0] - baseline
        print(f"{where}: {size:.1f} MiB, {count:,} attributes, answered {status} in {took:.1f} s; "
              f"resident memory {baseline:.0f} MiB before, peak {peak[0]:.0f} MiB (+{growth:.0f} MiB, "
              f"{growth / size:.1f}x the request)", flush=True)
        if growth > limit * size:
            self.fail(where, f"resident memory grew by {growth:.0f} MiB, more than {limit}x the request ({size:.0f} MiB)")
        # The span expires from the buffer after 10 s; the server drops it and returns freed memory every 10 s.
        waited, resident = 0, self.resident_mib()
        while resident > baseline + size / 2 and waited < 40:
            time.sleep(1)
            waited += 1
            resident = self.resident_mib()
        print(f"{where}: resident memory back to {resident:.0f} MiB after {waited} s", flush=True)
        if resident > baseline + size / 2:
            self.fail(where, f"resident memory stayed at {resident:.0f} MiB, {resident - baseline:.0f} MiB above "
                      f"its {baseline:.0f} MiB before the request, 40 s after it")
        self.alive(where)

    def raw(self, data, wait=5):
        with socket.create_connection(("127.0.0.1", self.port)) as s:
            s.settimeout(wait)
            try:
                s.sendall(data)
            except OSError:
                pass
            try:
                return s.recv(200).decode("latin-1")
            except OSError:
                return ""

    # -- fuzzing ----------------------------------------------------------------------------------------------------

    def fuzz(self, rounds, rng):
        scalars = [None, True, False, 0, -1, 2 ** 63, 1e308, "", "x", "\u0000", "\ud800", "😀", "a" * 10_000,
                   "${env:X}", "${var:X}", "span[", "attr:x = ", "'", "\"", "|", "[]", "{}"]

        def value(depth=0):
            kind = rng.random()
            if depth > 3 or kind < 0.5:
                return rng.choice(scalars)
            if kind < 0.75:
                return [value(depth + 1) for _ in range(rng.randint(0, 4))]
            keys = ["id", "name", "type", "spec", "steps", "specs", "selector", "assertions", "trigger", "httpRequest",
                    "url", "method", "headers", "values", "key", "value", "outputs", "pollingProfile", "strategy"]
            return {rng.choice(keys): value(depth + 1) for _ in range(rng.randint(0, 5))}

        def mutate(text):
            data = bytearray(text.encode())
            for _ in range(rng.randint(1, 8)):
                if not data:
                    break
                i = rng.randrange(len(data))
                choice = rng.random()
                if choice < 0.4:
                    data[i] = rng.randrange(256)
                elif choice < 0.7:
                    del data[i:i + rng.randint(1, 10)]
                else:
                    data[i:i] = data[rng.randrange(len(data)):][:rng.randint(1, 20)]
            return bytes(data)

        valid = json.dumps({"type": "Test", "spec": {"id": "fz", "name": "f", "trigger": {"type": "http", "httpRequest": {
            "method": "GET", "url": "http://127.0.0.1:1/"}}, "specs": [{"selector": "span[name=\"x\"]",
                                                                        "assertions": ["attr:a = 1"]}]}})
        otlp = json.dumps({"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {
            "stringValue": "s"}}]}, "scopeSpans": [{"spans": [{"traceId": "0af7651916cd43dd8448eb211c80319c",
                                                             "spanId": "b7ad6b7169203331", "name": "n",
                                                             "startTimeUnixNano": "1", "endTimeUnixNano": "2",
                                                             "attributes": [{"key": "k", "value": {
                                                                 "intValue": "1"}}]}]}]}]})
        paths = ["/api/tests", "/api/testsuites", "/api/variablesets", "/api/datastores/current",
                 "/api/pollingprofiles/current", "/api/tests/fz/run", "/api/expressions/resolve"]
        for i in range(rounds):
            target = i % 4
            if target == 0:
                body = json.dumps(value(), ensure_ascii=rng.random() < 0.5)
                self.request(rng.choice(["POST", "PUT"]), rng.choice(paths), body, where="fuzz resource JSON")
            elif target == 1:
                self.request("POST", rng.choice(paths), mutate(valid), where="fuzz mutated resource")
            elif target == 2:
                body = mutate(otlp) if rng.random() < 0.7 else os.urandom(rng.randint(0, 512))
                kind = "application/json" if rng.random() < 0.7 else "application/x-protobuf"
                self.request("POST", "/v1/traces", body, {"Content-Type": kind}, port=self.otlp_http,
                             where="fuzz OTLP")
            else:
                pieces = ["attr:a", "1", "'s'", "+", "-", "*", "/", "=", "!=", "<", "contains", "|", "regex",
                          "json_path", "'$.a'", "${env:A}", "(", ")", "[", "]", "\"", "span", "100ms", "1e999"]
                expression = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
                self.request("POST", "/api/expressions/resolve", json.dumps({"expression": expression}),
                             where="fuzz expression")
            if i % 100 == 99:
                self.alive("fuzzing")
        self.alive("fuzzing")

    def schema(self, schemathesis, examples, seed):
        result = subprocess.run(
            [schemathesis, "run", f"http://127.0.0.1:{self.port}/api/openapi.yaml", "--url",
             f"http://127.0.0.1:{self.port}/api", "--checks", "not_a_server_error", "--max-examples", str(examples),
             "--seed", str(seed), "--no-color", "--request-timeout", str(HANG * 2),
             # A connection test dials the endpoints it is sent (5 s each): fuzzing it tests the network, not the server.
             "--exclude-path", "/config/connection"], capture_output=True, text=True, cwd=self.workdir)
        summary = next((line.strip() for line in result.stdout.splitlines() if " generated, " in line), "no summary")
        self.outcomes[f"schemathesis: {summary}"] += 1
        if result.returncode != 0:
            self.fail("schemathesis", result.stdout[-3000:])
        self.alive("schemathesis")

    # -- faults -----------------------------------------------------------------------------------------------------

    def start_runs(self, count, prefix):
        self.request("PUT", "/api/tests", json.dumps({"type": "Test", "spec": {
            "id": prefix, "name": prefix, "trigger": {"type": "traceid", "traceid": {
                "id": "0af7651916cd43dd8448eb211c80319c"}}}}), where=f"{prefix}: create")
        runs = []
        for _ in range(count):
            status, text = self.request("POST", f"/api/tests/{prefix}/run", "{}", where=f"{prefix}: start",
                                        check=False)
            if status == 200:
                runs.append(json.loads(text)["id"])
        return runs

    def wait_for_ends(self, prefix, runs, limit):
        deadline = time.time() + limit
        pending = set(runs)
        while pending and time.time() < deadline:
            for run in list(pending):
                status, text = self.request("GET", f"/api/tests/{prefix}/run/{run}", check=False)
                if status == 200 and json.loads(text).get("state") in {
                        "FINISHED", "TRIGGER_FAILED", "TRACE_FAILED", "ASSERTION_FAILED", "ANALYZING_ERROR",
                        "STOPPED", "FAILED"}:
                    pending.discard(run)
            time.sleep(1)
        self.outcomes[f"{prefix}: runs ended"] += len(runs) - len(pending)
        for run in sorted(pending):
            self.fail(prefix, f"run {run} did not end within {limit} s (stranded)")

    def kill(self, count):
        runs = self.start_runs(count, "killed")
        time.sleep(1)
        self.stop(signal.SIGKILL)
        self.start()
        self.wait_for_ends("killed", runs, 60)

    def outage(self, count, seconds):
        runs = self.start_runs(count, "outage")
        cluster = self.postgres["cluster"]
        subprocess.run(["scripts/pg-cluster", "stop", cluster], check=True, stdout=subprocess.DEVNULL)
        started = time.time()
        while time.time() - started < seconds:
            status, _ = self.request("GET", "/api/tests", check=False)
            took = time.time() - started
            self.outcomes[f"outage: answered {status}"] += 1
            if status is not None and status not in (200, 503):
                self.fail("outage", f"GET /api/tests answered {status} while the database was down")
            time.sleep(1)
        subprocess.run(["scripts/pg-cluster", "start", cluster], check=True, stdout=subprocess.DEVNULL)
        self.alive("outage")
        self.wait_for_ends("outage", runs, 120)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--rounds", type=int, default=3000, help="fuzzing requests")
    parser.add_argument("--runs", type=int, default=30, help="runs under each fault")
    parser.add_argument("--outage", type=int, default=15,
                        help="seconds PostgreSQL stays stopped (0: no outage phase)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--schemathesis", help="the schemathesis command; without it the schema phase is skipped")
    parser.add_argument("--examples", type=int, default=100, help="schemathesis examples per operation")
    parser.add_argument("--postgres", help="JSON {host, port, user, password, dbname, cluster}")
    parser.add_argument("--phases", default="known,big,fuzz,schema,kill,outage",
                        help="the phases to run, comma-separated (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the working directory (server log, database)")
    arguments = parser.parse_args()
    seed = arguments.seed if arguments.seed is not None else random.randrange(1 << 30)
    postgres = json.loads(arguments.postgres) if arguments.postgres else None
    backend = "postgresql" if postgres else "sqlite"
    phases = set(arguments.phases.split(","))
    workdir = tempfile.mkdtemp(prefix="tracetest-probe-")
    try:
        probe = Probe(arguments.binary, workdir, postgres)
        probe.start()
        started = time.time()
        try:
            if "known" in phases:
                probe.known()
            if "big" in phases:
                probe.big()
            if "fuzz" in phases:
                probe.fuzz(arguments.rounds, random.Random(seed))
            if arguments.schemathesis and "schema" in phases:
                probe.schema(arguments.schemathesis, arguments.examples, seed)
            if "kill" in phases:
                probe.kill(arguments.runs)
            if postgres and arguments.outage > 0 and "outage" in phases:
                probe.outage(arguments.runs, arguments.outage)
        finally:
            probe.stop()
            if probe.failures:
                os.system(f"tail -30 {workdir}/server.log")
            if arguments.keep:
                print(f"probe: the working directory is kept: {workdir}")
        print(f"probe ({backend}, seed {seed}, {time.time() - started:.0f} s):")
        for outcome, count in sorted(probe.outcomes.items()):
            print(f"  {outcome:<32} {count}")
        for failure in probe.failures[:50]:
            print(f"  FAILED {failure}")
        sys.exit(1 if probe.failures else 0)
    finally:
        if not arguments.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
