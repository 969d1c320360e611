"""Send one OTLP trace (or one metric) as protobuf over HTTP (or gRPC), for lab smoke tests.

Runs with the Phoenix venv's interpreter, which already carries opentelemetry-sdk
and opentelemetry-exporter-otlp-proto-http:

  $LAB/venv-phoenix/bin/python scripts/lab/send_otlp.py traces \
      --endpoint http://127.0.0.1:6006/v1/traces --project lab-smoke
  $LAB/venv-phoenix/bin/python scripts/lab/send_otlp.py traces --protocol grpc \
      --endpoint 127.0.0.1:6007 --project lab-smoke
  $LAB/venv-phoenix/bin/python scripts/lab/send_otlp.py metrics \
      --endpoint http://127.0.0.1:4318/v1/metrics

The trace has two spans: a root CHAIN span and a child LLM span
(openinference.span.kind=LLM) with a few OpenInference LLM attributes; the
resource carries openinference.project.name=<project>. Prints one JSON line with
the hex trace_id and span ids so callers can read the spans back. Exits 1 if the
exporter reports a failure. Only loopback endpoints are accepted.
"""

from __future__ import annotations

import argparse
import json
import sys
from urllib.parse import urlparse

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _check_loopback(endpoint: str) -> None:
    host = urlparse(endpoint if "://" in endpoint else f"grpc://{endpoint}").hostname or ""
    if host not in LOOPBACK and not host.startswith("127."):
        sys.exit(f"send_otlp.py: refusing non-loopback endpoint {endpoint!r}")


def send_trace(endpoint: str, project: str, service: str, protocol: str) -> dict:
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter
    from opentelemetry.sdk.trace.export import SpanExportResult

    results: list[SpanExportResult] = []

    class Recording(SpanExporter):
        def __init__(self, inner: SpanExporter) -> None:
            self.inner = inner

        def export(self, spans):  # type: ignore[no-untyped-def]
            result = self.inner.export(spans)
            results.append(result)
            return result

        def shutdown(self) -> None:
            self.inner.shutdown()

    resource = Resource.create(
        {"service.name": service, "openinference.project.name": project}
    )
    provider = TracerProvider(resource=resource)
    exporter: SpanExporter
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as Grpc

        exporter = Grpc(endpoint=endpoint, insecure=True, timeout=10)
    else:  # protobuf over HTTP
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=endpoint, timeout=10)
    provider.add_span_processor(SimpleSpanProcessor(Recording(exporter)))
    tracer = provider.get_tracer("switchyard.lab.smoke")

    with tracer.start_as_current_span(
        "lab-smoke.request", attributes={"openinference.span.kind": "CHAIN"}
    ) as root:
        with tracer.start_as_current_span(
            "lab-smoke.llm",
            attributes={
                "openinference.span.kind": "LLM",
                "llm.model_name": "smoke-model",
                "llm.provider": "switchyard-lab",
                "llm.token_count.prompt": 12,
                "llm.token_count.completion": 3,
                "input.value": "ping",
                "output.value": "pong",
            },
        ) as child:
            pass
    provider.shutdown()

    ctx, cctx = root.get_span_context(), child.get_span_context()
    ok = len(results) == 2 and all(r == SpanExportResult.SUCCESS for r in results)
    return {
        "ok": ok,
        "trace_id": f"{ctx.trace_id:032x}",
        "root_span_id": f"{ctx.span_id:016x}",
        "llm_span_id": f"{cctx.span_id:016x}",
        "project": project,
    }


def send_metric(endpoint: str, service: str) -> dict:
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.sdk.resources import Resource

    exporter = OTLPMetricExporter(endpoint=endpoint, timeout=10)
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=60_000)
    provider = MeterProvider(
        resource=Resource.create({"service.name": service}), metric_readers=[reader]
    )
    counter = provider.get_meter("switchyard.lab.smoke").create_counter(
        "lab_smoke_requests", unit="1", description="smoke-test counter"
    )
    counter.add(7, {"route": "smoke"})
    ok = provider.force_flush(timeout_millis=10_000)
    provider.shutdown()
    return {"ok": bool(ok), "metric": "lab_smoke_requests", "value": 7}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("signal", choices=["traces", "metrics"])
    parser.add_argument(
        "--endpoint",
        required=True,
        help="http: full URL, e.g. http://127.0.0.1:6006/v1/traces; grpc: host:port",
    )
    parser.add_argument("--protocol", choices=["http", "grpc"], default="http")
    parser.add_argument("--project", default="lab-smoke")
    parser.add_argument("--service", default="switchyard-lab-smoke")
    args = parser.parse_args()
    _check_loopback(args.endpoint)
    if args.signal == "traces":
        out = send_trace(args.endpoint, args.project, args.service, args.protocol)
    else:
        out = send_metric(args.endpoint, args.service)
    print(json.dumps(out))
    return 0 if out["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
