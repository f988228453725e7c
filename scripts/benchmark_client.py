#!/usr/bin/env python3
"""Load client for scripts/benchmark (Python 3 standard library only).

    benchmark_client.py wait URL [--timeout S] [--pid PID]   # until GET URL answers 200
    benchmark_client.py run --port P --label L [--tests N] [--workers W] [--requests R] [--warmup K] [--json FILE]

`run` expects an empty server on 127.0.0.1:P. It creates N tests with POST /api/tests from W threads (one
keep-alive connection each), reads each back with GET /api/tests/{id}, pages through GET /api/tests?take=100,
then times R sequential list requests (after K warm-up requests) for each list scenario. Every response is
checked (status, ids, item counts, `count`), so a broken server fails the run instead of looking fast.
"""

import argparse
import http.client
import json
import math
import os
import sys
import threading
import time
import urllib.request

HOST = "127.0.0.1"
PAGE = 100


class CheckFailed(Exception):
    pass


def test_id(i):
    return "bench-%05d" % i


def test_body(i):
    """A realistic test: http trigger with a header, 2 specs with 2 assertions each, 1 output."""
    return {
        "type": "Test",
        "spec": {
            "id": test_id(i),
            "name": "Benchmark test %d" % i,
            "description": "Lists pokemon",
            "trigger": {
                "type": "http",
                "httpRequest": {
                    "method": "GET",
                    "url": "http://demo-api:8081/pokemon?take=20",
                    "headers": [{"key": "Content-Type", "value": "application/json"}],
                },
            },
            "specs": [
                {
                    "selector": 'span[tracetest.span.type="http"]',
                    "name": "HTTP spans succeed",
                    "assertions": ["attr:http.status_code = 200", "attr:tracetest.span.duration < 2s"],
                },
                {
                    "selector": 'span[name="pg.query"]',
                    "assertions": ['attr:db.system = "postgresql"', "attr:tracetest.span.duration < 500ms"],
                },
            ],
            "outputs": [
                {
                    "name": "COUNT",
                    "selector": 'span[name="GET /pokemon"]',
                    "value": "attr:http.response.body | json_path '.count'",
                }
            ],
        },
    }


class Client:
    """One persistent HTTP/1.1 connection."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)

    def request(self, method, path, body=None, headers=None):
        hdrs = {"Accept": "application/json"}
        if body is not None:
            hdrs["Content-Type"] = "application/json"
        if headers:
            hdrs.update(headers)
        self.conn.request(method, path, body=body, headers=hdrs)
        resp = self.conn.getresponse()
        data = resp.read()
        if resp.will_close:
            raise CheckFailed("%s %s: server closed the keep-alive connection" % (method, path))
        return resp.status, data

    def close(self):
        self.conn.close()


def expect(status, data, wanted, what):
    if status != wanted:
        raise CheckFailed("%s: HTTP %d (wanted %d): %s" % (what, status, wanted, data[:300].decode("utf-8", "replace")))
    try:
        return json.loads(data)
    except ValueError as error:
        raise CheckFailed("%s: response is not JSON (%s): %r" % (what, error, data[:300]))


def parallel(port, workers, jobs, work):
    """Runs work(client, job) for every job on `workers` threads (one connection each, jobs interleaved).
    Returns (seconds, results in job order)."""
    results = [None] * len(jobs)
    errors = []
    start_barrier = threading.Barrier(workers + 1)

    def worker(w):
        client = Client(port)
        try:
            start_barrier.wait()
            for index in range(w, len(jobs), workers):
                if errors:
                    return
                results[index] = work(client, jobs[index])
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    start_barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise errors[0]
    return elapsed, results


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


def run(args):
    n, workers = args.tests, args.workers
    bodies = [json.dumps(test_body(i), separators=(",", ":")).encode() for i in range(1, n + 1)]
    ids = [test_id(i) for i in range(1, n + 1)]

    client = Client(args.port)
    status, data = client.request("GET", "/api/tests?take=1")
    if expect(status, data, 200, "GET /api/tests")["count"] != 0:
        raise CheckFailed("the database is not empty")
    client.close()

    throughput = []

    # 1. Create.
    def create(client, i):
        status, data = client.request("POST", "/api/tests", body=bodies[i])
        spec = expect(status, data, 201, "POST /api/tests " + ids[i])["spec"]
        if spec.get("id") != ids[i]:
            raise CheckFailed("POST /api/tests: got id %r, wanted %r" % (spec.get("id"), ids[i]))

    elapsed, _ = parallel(args.port, workers, list(range(n)), create)
    throughput.append(("create: POST /api/tests", n, elapsed))

    # 2. Read each back.
    def get(client, i):
        status, data = client.request("GET", "/api/tests/" + ids[i])
        spec = expect(status, data, 200, "GET /api/tests/" + ids[i])["spec"]
        if spec.get("id") != ids[i] or spec.get("name") != "Benchmark test %d" % (i + 1) or len(spec["specs"]) != 2:
            raise CheckFailed("GET /api/tests/%s: wrong test %r" % (ids[i], spec.get("id")))

    elapsed, _ = parallel(args.port, workers, list(range(n)), get)
    throughput.append(("read: GET /api/tests/{id}", n, elapsed))

    # 3. Page through the list.
    skips = list(range(0, n, PAGE))

    def page(client, skip):
        path = "/api/tests?take=%d&skip=%d" % (PAGE, skip)
        listing = expect(*client.request("GET", path), 200, "GET " + path)
        wanted = min(PAGE, n - skip)
        if listing["count"] != n or len(listing["items"]) != wanted:
            raise CheckFailed("GET %s: count %s, %d items (wanted %d, %d)"
                              % (path, listing["count"], len(listing["items"]), n, wanted))
        return [item["spec"]["id"] for item in listing["items"]]

    elapsed, pages = parallel(args.port, workers, skips, page)
    seen = [i for p in pages for i in p]
    if len(seen) != n or set(seen) != set(ids):
        raise CheckFailed("paging returned %d ids, %d distinct, not the %d created" % (len(seen), len(set(seen)), n))
    throughput.append(("read: GET /api/tests?take=%d&skip=N" % PAGE, len(skips), elapsed))

    # 4. Latency of the first page, sequential on one connection.
    names_ascending = sorted("Benchmark test %d" % i for i in range(1, n + 1))[:20]

    def check_default(listing):
        return None

    def check_augmented(listing):
        for item in listing["items"]:
            spec = item["spec"]
            if "version" not in spec or "createdAt" not in spec or "summary" not in spec:
                return "augmented item lacks version/createdAt/summary: %s" % sorted(spec)
        return None

    def check_by_name(listing):
        names = [item["spec"]["name"] for item in listing["items"]]
        return None if names == names_ascending else "not sorted by name: %s" % names[:3]

    scenarios = [
        ("GET /api/tests?take=20", "/api/tests?take=20", None, check_default),
        ("  + X-Tracetest-Augmented: true", "/api/tests?take=20", {"X-Tracetest-Augmented": "true"}, check_augmented),
        ("GET /api/tests?take=20&sortBy=name&sortDirection=asc",
         "/api/tests?take=20&sortBy=name&sortDirection=asc", None, check_by_name),
    ]
    latencies = []
    client = Client(args.port)
    for label, path, headers, check in scenarios:
        samples = []
        for k in range(args.warmup + args.requests):
            began = time.perf_counter()
            status, data = client.request("GET", path, headers=headers)
            took = time.perf_counter() - began
            listing = expect(status, data, 200, "GET " + path)
            if listing["count"] != n or len(listing["items"]) != 20:
                raise CheckFailed("GET %s: count %s, %d items" % (path, listing["count"], len(listing["items"])))
            problem = check(listing)
            if problem:
                raise CheckFailed("GET %s: %s" % (path, problem))
            if k >= args.warmup:
                samples.append(took * 1000.0)
        samples.sort()
        latencies.append((label, len(samples), percentile(samples, 50), percentile(samples, 90),
                          percentile(samples, 99), samples[-1], sum(samples) / len(samples)))
    client.close()

    # Report.
    print()
    print("== %s: %d tests, %d client threads (keep-alive) ==" % (args.label, n, workers))
    print("%-42s %9s %9s %10s" % ("bulk phase", "requests", "seconds", "req/s"))
    for label, count, seconds in throughput:
        print("%-42s %9d %9.2f %10.0f" % (label, count, seconds, count / seconds))
    print("latency, 1 connection, %d sequential requests after %d warm-up (ms):" % (args.requests, args.warmup))
    print("%-52s %6s %6s %6s %6s %6s" % ("request", "p50", "p90", "p99", "max", "mean"))
    for label, _, p50, p90, p99, worst, mean in latencies:
        print("%-52s %6.2f %6.2f %6.2f %6.2f %6.2f" % (label, p50, p90, p99, worst, mean))
    sys.stdout.flush()

    if args.json:
        with open(args.json, "w") as out:
            json.dump({
                "label": args.label, "tests": n, "workers": workers,
                "requests": args.requests, "warmup": args.warmup,
                "throughput": [{"phase": l, "requests": c, "seconds": s, "rps": c / s} for l, c, s in throughput],
                "latency_ms": [{"request": l, "samples": c, "p50": a, "p90": b, "p99": d, "max": e, "mean": m}
                               for l, c, a, b, d, e, m in latencies],
            }, out, indent=2)


def wait(args):
    deadline = time.monotonic() + args.timeout
    last = None
    while time.monotonic() < deadline:
        if args.pid and not os.path.exists("/proc/%d" % args.pid):
            sys.exit("benchmark_client: the server (pid %d) exited before it answered %s" % (args.pid, args.url))
        try:
            with urllib.request.urlopen(args.url, timeout=2) as resp:
                if resp.status == 200:
                    return
                last = "HTTP %d" % resp.status
        except Exception as error:  # noqa: BLE001 - retried
            last = error
        time.sleep(0.1)
    sys.exit("benchmark_client: %s did not answer 200 within %ss (last: %s)" % (args.url, args.timeout, last))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("wait")
    w.add_argument("url")
    w.add_argument("--timeout", type=float, default=120)
    w.add_argument("--pid", type=int)
    r = sub.add_parser("run")
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--label", default="server")
    r.add_argument("--tests", type=int, default=10000)
    r.add_argument("--workers", type=int, default=8)
    r.add_argument("--requests", type=int, default=1000)
    r.add_argument("--warmup", type=int, default=50)
    r.add_argument("--json")
    args = parser.parse_args()
    if args.command == "wait":
        wait(args)
        return
    if args.tests < 20:
        sys.exit("benchmark_client: --tests must be at least 20")
    try:
        run(args)
    except CheckFailed as error:
        sys.exit("benchmark_client: FAILED: %s" % error)
    except (OSError, http.client.HTTPException) as error:
        sys.exit("benchmark_client: FAILED: connection to the server lost: %r" % error)


if __name__ == "__main__":
    main()
