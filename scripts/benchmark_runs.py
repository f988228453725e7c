#!/usr/bin/env python3
"""Load client for scripts/benchmark-runs (Python 3 standard library only).

    benchmark_runs.py --port P --app URL [--sequential N] [--concurrent C] [--retry-delay D]

Against an empty server on 127.0.0.1:P whose OTLP receiver gets the demo app's spans (Tests/Demo/demo_app.py at
URL): sets the polling profile's retryDelay to D, creates a test of GET /pokemon/1 with three specs, then
1. runs it N times one after the other: each run's duration is completedAt - createdAt of the run;
2. starts C runs at once and waits for all: total wall time, and each run's duration.
Every run must end FINISHED with all specs passed, so a broken server fails instead of looking fast.
"""

import argparse
import datetime
import http.client
import json
import sys
import time

HOST = "127.0.0.1"


class Client:
    def __init__(self, port):
        self.connection = http.client.HTTPConnection(HOST, port, timeout=120)

    def request(self, method, path, body=None, content_type="application/json"):
        headers = {"Content-Type": content_type} if body is not None else {}
        data = body if isinstance(body, (bytes, type(None))) else body.encode()
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        if response.status >= 300:
            raise SystemExit("%s %s answered %d: %s" % (method, path, response.status, text))
        return json.loads(text) if text.strip() else None


def test_body(app):
    return json.dumps({
        "type": "Test",
        "spec": {
            "id": "bench-run",
            "name": "Get a pokemon",
            "trigger": {"type": "http", "httpRequest": {"method": "GET", "url": app + "/pokemon/1"}},
            "specs": [
                {"selector": 'span[tracetest.span.type="http" name="GET /pokemon/:id"]',
                 "assertions": ["attr:http.status_code = 200"]},
                {"selector": 'span[tracetest.span.type="database"]', "assertions": ['attr:db.system = "sqlite"']},
                {"selector": 'span[name="Tracetest trigger"]', "assertions": ["attr:tracetest.response.status = 200"]},
            ],
        },
    })


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def duration_ms(run):
    return (parse_time(run["completedAt"]) - parse_time(run["createdAt"])).total_seconds() * 1000


def wait_finished(client, run_id, deadline):
    while True:
        run = client.request("GET", "/api/tests/bench-run/run/%d" % run_id)
        if run["state"] in ("FINISHED", "TRIGGER_FAILED", "TRACE_FAILED", "ASSERTION_FAILED", "ANALYZING_ERROR", "STOPPED"):
            if run["state"] != "FINISHED" or not run["result"]["allPassed"]:
                raise SystemExit("run %d ended %s: %s" % (run_id, run["state"], run.get("lastErrorState")))
            return run
        if time.time() > deadline:
            raise SystemExit("run %d still %s after the deadline" % (run_id, run["state"]))
        time.sleep(0.01)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(label, values):
    print("%-44s p50 %6.0f ms  p90 %6.0f ms  max %6.0f ms  (n=%d)" % (
        label, percentile(values, 50), percentile(values, 90), max(values), len(values)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--app", required=True)
    parser.add_argument("--sequential", type=int, default=20)
    parser.add_argument("--concurrent", type=int, default=100)
    parser.add_argument("--retry-delay", default="100ms")
    args = parser.parse_args()
    client = Client(args.port)
    client.request("PUT", "/api/pollingprofiles/current", json.dumps({
        "type": "PollingProfile",
        "spec": {"id": "current", "name": "bench", "strategy": "periodic",
                 "periodic": {"timeout": "1m", "retryDelay": args.retry_delay, "selectorMatchRetries": 3}},
    }))
    client.request("POST", "/api/tests", test_body(args.app))
    print("polling retryDelay %s" % args.retry_delay)

    durations = []
    for _ in range(args.sequential):
        run = client.request("POST", "/api/tests/bench-run/run", "{}")
        durations.append(duration_ms(wait_finished(client, run["id"], time.time() + 60)))
    summary("sequential runs, created → completed", durations)

    started = time.time()
    ids = [client.request("POST", "/api/tests/bench-run/run", "{}")["id"] for _ in range(args.concurrent)]
    runs = [wait_finished(client, run_id, time.time() + 300) for run_id in ids]
    wall = time.time() - started
    summary("%d concurrent runs, created → completed" % args.concurrent, [duration_ms(run) for run in runs])
    print("%d concurrent runs: all FINISHED and passed %.2f s after the first was started" % (args.concurrent, wall))


if __name__ == "__main__":
    sys.exit(main())
