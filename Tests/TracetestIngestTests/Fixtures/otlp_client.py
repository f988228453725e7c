"""Real OTLP senders for the ingest tests, built on the OpenTelemetry Python SDK and opentelemetry-proto.

  otlp_client.py sdk --protocol grpc|http|http-json --endpoint URL --trace-id HEX
      Exports a three-span trace with the SDK's own OTLP exporter (gRPC, HTTP/protobuf, or HTTP/JSON from
      opentelemetry-exporter-otlp-json-http): every attribute type the SDK allows, resource and scope attributes, an
      event, a link and an error status. Prints {"trace_id", "parent", "child", "linked"}; exits 1 if an export
      failed.
  otlp_client.py raw --protocol grpc|http-protobuf|http-json --endpoint URL --trace-id HEX [--gzip]
      Sends a hand-built ExportTraceServiceRequest with the value types the SDK cannot produce (maps, bytes, nested
      arrays) and one span with an invalid span id. Prints the response as {"status", "rejected", "message"}.
  otlp_client.py bytes --protocol grpc|http-protobuf|http-json --endpoint URL --body-file FILE [--gzip]
      Sends the file's bytes as they are (malformed or oversized payloads). Prints {"status", "code", "message"}.
"""

import argparse
import gzip
import json
import sys
import urllib.error
import urllib.request

from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.trace.v1 import trace_pb2

EXPORT = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"


def sdk(args):
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.id_generator import RandomIdGenerator

    class FixedTrace(RandomIdGenerator):
        def generate_trace_id(self):
            return int(args.trace_id, 16)

    from opentelemetry.sdk.trace.export import SpanExportResult

    if args.protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=args.endpoint, insecure=True)
    elif args.protocol == "http-json":
        from opentelemetry.exporter.otlp.json.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=args.endpoint + "/v1/traces")
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=args.endpoint + "/v1/traces")

    failures = []
    export = exporter.export

    def checked_export(spans):
        # The span processor ignores the result; a failed export must fail the test, not lose spans quietly.
        result = export(spans)
        if result != SpanExportResult.SUCCESS:
            failures.append([span.name for span in spans])
        return result

    exporter.export = checked_export

    resource = Resource.create({"service.name": "checkout", "deployment.environment": "test", "resource.only": "r"})
    provider = TracerProvider(resource=resource, id_generator=FixedTrace())
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("checkout.instrumentation", "1.2.3", attributes={"scope.only": "s"})

    with tracer.start_as_current_span("POST /purchase", kind=trace.SpanKind.SERVER) as parent:
        parent.set_attributes(
            {
                "http.method": "POST",
                "http.status_code": 201,
                "ratio.half": 1.5,
                "ratio.tenth": 0.1,
                "ratio.whole": 2.0,
                "flag": True,
                "names": ["a", "b"],
                "counts": [1, 2],
                "ratios": [1.5, 2.0],
                "flags": [True, False],
                "deployment.environment": "span-value",
            }
        )
        other = tracer.start_span("linked")
        other.end()
        with tracer.start_as_current_span(
            "SELECT pokemon",
            kind=trace.SpanKind.CLIENT,
            links=[trace.Link(other.get_span_context(), {"link.reason": "retry"})],
        ) as child:
            child.set_attribute("db.system", "postgresql")
            child.add_event("cache miss", {"cache.key": "pokemon:52", "attempt": 2})
            child.set_status(trace.Status(trace.StatusCode.ERROR, "row not found"))
    provider.shutdown()
    if failures:
        sys.exit(f"the {args.protocol} exporter failed to export {failures}")
    print(
        json.dumps(
            {
                "trace_id": args.trace_id,
                "parent": format(parent.get_span_context().span_id, "016x"),
                "child": format(child.get_span_context().span_id, "016x"),
                "linked": format(other.get_span_context().span_id, "016x"),
            }
        )
    )


def value(v):
    if isinstance(v, bool):
        return common_pb2.AnyValue(bool_value=v)
    if isinstance(v, int):
        return common_pb2.AnyValue(int_value=v)
    if isinstance(v, float):
        return common_pb2.AnyValue(double_value=v)
    if isinstance(v, bytes):
        return common_pb2.AnyValue(bytes_value=v)
    if isinstance(v, list):
        return common_pb2.AnyValue(array_value=common_pb2.ArrayValue(values=[value(x) for x in v]))
    if isinstance(v, dict):
        return common_pb2.AnyValue(
            kvlist_value=common_pb2.KeyValueList(
                values=[common_pb2.KeyValue(key=k, value=value(x)) for k, x in v.items()]
            )
        )
    return common_pb2.AnyValue(string_value=v)


def attributes(values):
    return [common_pb2.KeyValue(key=k, value=value(v)) for k, v in values.items()]


def raw_request(trace_id):
    trace_bytes = bytes.fromhex(trace_id)
    good = trace_pb2.Span(
        trace_id=trace_bytes,
        span_id=bytes.fromhex("00000000000000a1"),
        name="raw values",
        kind=trace_pb2.Span.SPAN_KIND_PRODUCER,
        start_time_unix_nano=1_700_000_000_000_000_000,
        end_time_unix_nano=1_700_000_000_250_000_000,
        attributes=attributes(
            {
                "map": {"k": "v", "n": 1},
                "blob": b"\x00\x01\xfe",
                "nested": [[1, 2], {"x": True}],
                "negative": -1.5,
                "zero": 0.0,
                "big": 1e21,
                "empty": "",
            }
        ),
    )
    invalid = trace_pb2.Span(trace_id=trace_bytes, span_id=b"\x00\x01", name="bad id")
    scope = trace_pb2.ScopeSpans(spans=[good, invalid])
    return trace_service_pb2.ExportTraceServiceRequest(resource_spans=[trace_pb2.ResourceSpans(scope_spans=[scope])])


def hex_ids(document):
    """OTLP/JSON writes ids as hex; protobuf's JSON mapping writes bytes as base64."""
    import base64

    if isinstance(document, dict):
        return {
            k: (base64.b64decode(v).hex() if k in ("traceId", "spanId", "parentSpanId") else hex_ids(v))
            for k, v in document.items()
        }
    if isinstance(document, list):
        return [hex_ids(x) for x in document]
    return document


def send(protocol, endpoint, body, compress, authorization=None):
    """Sends body bytes (with an Authorization header or metadata when given); returns (status, response bytes or
    grpc details)."""
    if protocol == "grpc":
        import grpc

        options = [("grpc.max_send_message_length", 200 * 1024 * 1024), ("grpc.max_receive_message_length", -1)]
        channel = grpc.insecure_channel(endpoint.replace("http://", ""), options=options)
        call = channel.unary_unary(EXPORT, request_serializer=None, response_deserializer=None)
        compression = grpc.Compression.Gzip if compress else grpc.Compression.NoCompression
        metadata = [("authorization", authorization)] if authorization else None
        try:
            response = call(body, timeout=30, compression=compression, metadata=metadata)
            return "OK", response
        except grpc.RpcError as error:
            return error.code().name, error.details().encode()
    content_type = "application/json" if protocol == "http-json" else "application/x-protobuf"
    headers = {"Content-Type": content_type}
    if authorization:
        headers["Authorization"] = authorization
    if compress:
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    request = urllib.request.Request(endpoint + "/v1/traces", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def raw(args):
    request = raw_request(args.trace_id)
    if args.protocol == "http-json":
        from google.protobuf import json_format

        body = json.dumps(hex_ids(json_format.MessageToDict(request))).encode()
    else:
        body = request.SerializeToString()
    status, payload = send(args.protocol, args.endpoint, body, args.gzip)
    response = trace_service_pb2.ExportTraceServiceResponse()
    if args.protocol == "http-json":
        decoded = json.loads(payload or b"{}")
        partial = decoded.get("partialSuccess", {})
        rejected, message = int(partial.get("rejectedSpans", 0)), partial.get("errorMessage", "")
    else:
        response.ParseFromString(payload)
        rejected, message = response.partial_success.rejected_spans, response.partial_success.error_message
    print(json.dumps({"status": status, "rejected": rejected, "message": message}))


def raw_bytes(args):
    with open(args.body_file, "rb") as file:
        body = file.read()
    status, payload = send(args.protocol, args.endpoint, body, args.gzip, args.authorization)
    result = {"status": status, "code": None, "message": ""}
    if args.protocol == "grpc":
        result["message"] = payload.decode(errors="replace")
    elif args.protocol == "http-json" or payload[:1] == b"{":
        decoded = json.loads(payload) if payload else {}
        result["code"], result["message"] = decoded.get("code"), decoded.get("message", "")
    elif payload:
        from google.rpc import status_pb2

        decoded = status_pb2.Status()
        decoded.ParseFromString(payload)
        result["code"], result["message"] = decoded.code, decoded.message
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["sdk", "raw", "bytes"])
    parser.add_argument("--protocol", required=True)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--trace-id")
    parser.add_argument("--body-file")
    parser.add_argument("--gzip", action="store_true")
    parser.add_argument("--authorization", help="the Authorization header (metadata over gRPC) of a bytes request")
    args = parser.parse_args()
    {"sdk": sdk, "raw": raw, "bytes": raw_bytes}[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())
