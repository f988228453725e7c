#!/usr/bin/env python3
"""The web UI with a big trace: time to the first screen of a run's trace and how it responds to scrolling and search.

    benchmark_ui.py --binary PATH [--spans 100000] [--repeat 3]

Starts `tracetest serve` (PATH, a release build) on SQLite in a temporary directory, stores a run whose trace has
--spans spans (sent to its OTLP/HTTP receiver, a trace-id test run), then opens the run's Trace tab in headless
Chromium --repeat times and prints: time from navigation to the first rows of the timeline, to the run's state, and
the frame times while scrolling and while searching. Figures go to docs/BENCHMARKS.md.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(method, url, body=None, content_type="application/json"):
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=120) as response:
        text = response.read()
        return json.loads(text) if text and response.headers.get("Content-Type", "").startswith("application/json") else text


def batches(trace_id, count, size=5000):
    """A tree of `count` spans: a root, 100 services' handlers under it, the rest spread below them."""
    start = time.time_ns() - 10_000_000_000
    ids = [random.getrandbits(64).to_bytes(8, "big") for _ in range(count)]
    for first in range(0, count, size):
        request = ExportTraceServiceRequest()
        resource = request.resource_spans.add()
        resource.resource.attributes.append(KeyValue(key="service.name", value=AnyValue(string_value=f"svc-{first // size}")))
        scope = resource.scope_spans.add()
        for index in range(first, min(count, first + size)):
            span = scope.spans.add()
            span.trace_id = trace_id
            span.span_id = ids[index]
            if index > 0:
                span.parent_span_id = ids[0 if index <= 100 else 1 + index % 100]
            span.name = "root" if index == 0 else f"operation {index % 500}"
            span.kind = Span.SPAN_KIND_SERVER if index <= 100 else Span.SPAN_KIND_INTERNAL
            span.start_time_unix_nano = start + index * 1000
            span.end_time_unix_nano = span.start_time_unix_nano + 5_000_000
            span.attributes.append(KeyValue(key="http.route", value=AnyValue(string_value=f"/items/{index % 97}")))
            span.attributes.append(KeyValue(key="item.index", value=AnyValue(string_value=str(index))))
        yield request.SerializeToString()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--spans", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    directory = tempfile.mkdtemp(prefix="tracetest-ui-bench-")
    api_port, grpc_port, http_port = free_port(), free_port(), free_port()
    with open(os.path.join(directory, "tracetest.yaml"), "w") as config:
        config.write(f"server: {{httpPort: {api_port}}}\notlpServer: {{grpcPort: {grpc_port}, httpPort: {http_port}}}\n")
    log = open(os.path.join(directory, "serve.log"), "w")
    server = subprocess.Popen([args.binary, "serve", "--config", "tracetest.yaml"], cwd=directory, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{api_port}/"
    try:
        for _ in range(100):
            try:
                call("GET", base + "api/tests")
                break
            except OSError:
                time.sleep(0.1)
        call("PUT", base + "api/pollingprofiles/current", {"type": "PollingProfile", "spec": {
            "name": "bench", "strategy": "periodic", "periodic": {"retryDelay": "1s", "timeout": "2m"}}})
        trace_id = random.getrandbits(128).to_bytes(16, "big")
        call("PUT", base + "api/tests", {"type": "Test", "spec": {
            "id": "big", "name": "big trace", "trigger": {"type": "traceid", "traceid": {"id": trace_id.hex()}},
            "specs": [{"selector": 'span[name = "root"]', "assertions": ["attr:tracetest.span.duration < 1m"]}]}})
        run = call("POST", base + "api/tests/big/run", {})
        sent = time.time()
        for body in batches(trace_id, args.spans):
            call("POST", f"http://127.0.0.1:{http_port}/v1/traces", body, "application/x-protobuf")
        print(f"sent {args.spans} spans in {time.time() - sent:.1f} s", flush=True)
        while call("GET", base + f"api/tests/big/run/{run['id']}?trace=false")["state"] not in ("FINISHED", "FAILED"):
            time.sleep(1)
        page = base + f"test/big/run/{run['id']}/trace"

        options = Options()
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1500,1000"):
            options.add_argument(flag)
        options.binary_location = "/usr/bin/chromium"
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        rows = "//*[@aria-label='Spans']//button[not(@aria-expanded)]"
        first, state, scroll, search = [], [], [], []
        try:
            for _ in range(args.repeat):
                driver.get("about:blank")
                started = time.perf_counter()
                driver.get(page)
                WebDriverWait(driver, 60, poll_frequency=0.02).until(
                    lambda d: d.find_elements(By.XPATH, "//main//*[contains(@class,'badge')]"))
                state.append(time.perf_counter() - started)
                WebDriverWait(driver, 60, poll_frequency=0.02).until(lambda d: d.find_elements(By.XPATH, rows))
                first.append(time.perf_counter() - started)
                # Frame times while the timeline scrolls 3,000 px a frame, 60 frames.
                scroll += driver.execute_async_script("""
                    const done = arguments[0], scroller = document.querySelector("[aria-label='Spans']");
                    const times = []; let last = performance.now(), n = 0;
                    function step(now) { times.push(now - last); last = now; scroller.scrollTop += 3000;
                      if (++n < 60) requestAnimationFrame(step); else done(times.slice(1)); }
                    requestAnimationFrame(step);""")
                # A text search over every span: from typing to the count of matches shown (the field waits 300 ms
                # for typing to pause; the server's attribute search may add matches later).
                search.append(driver.execute_async_script("""
                    const done = arguments[0], input = document.querySelector("[aria-label='Search spans']");
                    const status = input.parentElement.querySelector("[aria-live='polite']");
                    const started = performance.now();
                    input.value = 'operation 42'; input.dispatchEvent(new Event('input', {bubbles: true}));
                    (function check() { if (/matches/.test(status.textContent)) done(performance.now() - started);
                      else requestAnimationFrame(check); })();"""))
        finally:
            driver.quit()
        print(f"{args.spans} spans, {args.repeat} loads of the run's Trace tab (headless Chromium, release server):")
        print(f"  run state shown:      median {statistics.median(state):.2f} s (all: {', '.join(f'{x:.2f}' for x in state)})")
        print(f"  first timeline rows:  median {statistics.median(first):.2f} s (all: {', '.join(f'{x:.2f}' for x in first)})")
        print(f"  scrolling frames:     median {statistics.median(scroll):.1f} ms, max {max(scroll):.1f} ms")
        print(f"  search, typing to matches shown (300 ms of it waiting for typing to pause): "
              f"median {statistics.median(search):.0f} ms, max {max(search):.0f} ms")
    finally:
        server.terminate()
        server.wait(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
