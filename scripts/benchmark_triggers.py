"""Trigger overhead on loopback: how long the server's trigger takes (`serviceTriggeredAt` to
`serviceTriggerCompletedAt` of a run, resolution included) against the same request made directly by a Python client,
for each trigger type: http (Tests/Demo/demo_app.py), graphql (graphql_app.py), grpc (grpc_app.py) and kafka
(librdkafka's mock cluster). Runs skip trace collection, so only the trigger is measured. Prints one line per type.

    python scripts/benchmark_triggers.py --binary PATH [--runs 30]
"""

import argparse
import ctypes
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO = os.path.join(ROOT, "Tests", "Demo")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(arguments, cwd=None):
    """Starts a process that prints `listening <port>`; returns (process, port)."""
    process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=cwd)
    line = process.stdout.readline().strip()
    if not line.startswith("listening "):
        raise SystemExit(f"{arguments[1]} did not start: {line!r}")
    return process, int(line.split()[1])


def request(url, body=None, method=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method or ("POST" if data else "GET"),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as answer:
        return json.loads(answer.read() or b"null")


def mock_kafka():
    lib = ctypes.CDLL("librdkafka.so.1")
    lib.rd_kafka_conf_new.restype = ctypes.c_void_p
    lib.rd_kafka_new.restype = ctypes.c_void_p
    lib.rd_kafka_new.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.rd_kafka_mock_cluster_new.restype = ctypes.c_void_p
    lib.rd_kafka_mock_cluster_new.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.rd_kafka_mock_cluster_bootstraps.restype = ctypes.c_char_p
    lib.rd_kafka_mock_cluster_bootstraps.argtypes = [ctypes.c_void_p]
    errors = ctypes.create_string_buffer(512)
    handle = lib.rd_kafka_new(0, lib.rd_kafka_conf_new(), errors, 512)
    cluster = lib.rd_kafka_mock_cluster_new(handle, 1)
    return (lib, handle, cluster), lib.rd_kafka_mock_cluster_bootstraps(cluster).decode()


def timestamp(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def server_times(api, test, runs):
    test_id = request(f"{api}/api/tests", {"type": "Test", "spec": test}, "PUT")["spec"]["id"]
    times = []
    for _ in range(runs):
        run = request(f"{api}/api/tests/{test_id}/run", {})
        while True:
            run = request(f"{api}/api/tests/{test_id}/run/{run['id']}")
            if run["state"] in ("FINISHED", "TRIGGER_FAILED", "FAILED"):
                break
            time.sleep(0.01)
        if run["state"] == "TRIGGER_FAILED":
            raise SystemExit(f"{test['name']}: {run.get('lastErrorState')}")
        times.append(timestamp(run["serviceTriggerCompletedAt"]) - timestamp(run["serviceTriggeredAt"]))
    return times


def direct_times(call, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--runs", type=int, default=30)
    arguments = parser.parse_args()
    python = sys.executable
    work = tempfile.mkdtemp(prefix="tracetest-bench-triggers.")
    api_port, grpc_port, http_port = free_port(), free_port(), free_port()
    with open(os.path.join(work, "tracetest.yaml"), "w") as config:
        config.write(f"server: {{httpPort: {api_port}}}\notlpServer: {{grpcPort: {grpc_port}, httpPort: {http_port}}}\n")
    processes = []
    try:
        server = subprocess.Popen([arguments.binary, "serve"], cwd=work, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        processes.append(server)
        api = f"http://127.0.0.1:{api_port}"
        for _ in range(300):
            try:
                request(f"{api}/api/tests")
                break
            except OSError:
                time.sleep(0.05)
        otlp = ["--otlp", f"127.0.0.1:{grpc_port}"]
        demo, demo_port = start([python, os.path.join(DEMO, "demo_app.py")] + otlp)
        graphql, graphql_port = start([python, os.path.join(DEMO, "graphql_app.py")] + otlp)
        grpc_app, grpc_app_port = start([python, os.path.join(DEMO, "grpc_app.py")] + otlp)
        processes += [demo, graphql, grpc_app]
        kafka, brokers = mock_kafka()

        proto = open(os.path.join(DEMO, "pokeshop.proto")).read()
        query = {"query": "query P($id: Int!) { pokemon(id: $id) { id name } }", "variables": {"id": 1}}
        triggers = {
            "http": {"type": "http", "httpRequest": {"method": "GET", "url": f"http://127.0.0.1:{demo_port}/types/pikachu"}},
            "graphql": {"type": "graphql", "graphql": {"url": f"http://127.0.0.1:{graphql_port}/graphql", "body": query}},
            "grpc": {"type": "grpc", "grpc": {"protobufFile": proto, "address": f"127.0.0.1:{grpc_app_port}",
                                              "method": "pokeshop.Pokeshop.getPokemon", "request": '{"id": 1}'}},
            "kafka": {"type": "kafka", "kafka": {"brokerUrls": [brokers], "topic": "bench", "messageValue": "v"}},
        }

        sys.path.insert(0, os.path.join(work))
        import grpc
        from grpc_tools import protoc
        import grpc_tools
        well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
        protoc.main(["protoc", f"-I{DEMO}", f"-I{well_known}", f"--python_out={work}", f"--grpc_python_out={work}",
                     os.path.join(DEMO, "pokeshop.proto")])
        import pokeshop_pb2, pokeshop_pb2_grpc
        from confluent_kafka import Producer

        def grpc_call():
            with grpc.insecure_channel(f"127.0.0.1:{grpc_app_port}") as channel:
                pokeshop_pb2_grpc.PokeshopStub(channel).getPokemon(pokeshop_pb2.GetPokemonRequest(id=1))

        def kafka_call():
            producer = Producer({"bootstrap.servers": brokers, "acks": "all"})
            producer.produce("bench", value=b"v")
            producer.flush(30)

        # Kept-alive connections, as the server's HTTP client keeps them.
        demo_connection = http.client.HTTPConnection("127.0.0.1", demo_port, timeout=30)
        graphql_connection = http.client.HTTPConnection("127.0.0.1", graphql_port, timeout=30)

        def keep_alive(connection, method, path, body=None):
            headers = {"Content-Type": "application/json"} if body else {}
            connection.request(method, path, body=json.dumps(body) if body else None, headers=headers)
            connection.getresponse().read()

        direct = {
            "http": lambda: keep_alive(demo_connection, "GET", "/types/pikachu"),
            "graphql": lambda: keep_alive(graphql_connection, "POST", "/graphql", query),
            "grpc": grpc_call,
            "kafka": kafka_call,
        }
        print(f"trigger overhead, {arguments.runs} runs each (median / p90, milliseconds)")
        for kind, trigger in triggers.items():
            test = {"id": f"bench-{kind}", "name": f"bench {kind}", "trigger": trigger, "skipTraceCollection": True}
            server_side = server_times(api, test, arguments.runs)
            client_side = direct_times(direct[kind], arguments.runs)
            def figures(values):
                values = sorted(v * 1000 for v in values)
                return f"{statistics.median(values):7.1f} / {values[int(len(values) * 0.9) - 1]:7.1f}"
            print(f"{kind:8} server trigger {figures(server_side)}   direct client {figures(client_side)}")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
