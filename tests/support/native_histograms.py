"""A scrape target serving native histograms in Prometheus's protobuf exposition format.

Prometheus 2.x ingests native histograms only by scraping this format (the text formats, promtool's
test input and the OpenMetrics backfill have no way to write one), so a test of native-histogram
SLIs serves one here, on 127.0.0.1, to a real Prometheus started with
`--enable-feature=native-histograms` (which makes its scraper ask for protobuf first).

The message types are built from the `io.prometheus.client` schema (client_model's metrics.proto,
the fields a native histogram needs, at their published field numbers) with the `protobuf`
library: the `prometheus-metrics-proto` package on PyPI (18.1.2) predates native histograms (its
Histogram has no schema, spans or deltas) and its generated code no longer loads with protobuf 4+.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

CONTENT_TYPE = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
PROTOBUF_ACCEPT = "application/vnd.google.protobuf"
HISTOGRAM_TYPE = 4  # MetricType.HISTOGRAM

_F = descriptor_pb2.FieldDescriptorProto
# (message, [(field, number, type, label, message type)]) as in metrics.proto.
_SCHEMA: list[tuple[str, list[tuple[str, int, int, int, str]]]] = [
    (
        "LabelPair",
        [("name", 1, _F.TYPE_STRING, _F.LABEL_OPTIONAL, ""), ("value", 2, _F.TYPE_STRING, _F.LABEL_OPTIONAL, "")],
    ),
    (
        "BucketSpan",
        [("offset", 1, _F.TYPE_SINT32, _F.LABEL_OPTIONAL, ""), ("length", 2, _F.TYPE_UINT32, _F.LABEL_OPTIONAL, "")],
    ),
    (
        "Histogram",
        [
            ("sample_count", 1, _F.TYPE_UINT64, _F.LABEL_OPTIONAL, ""),
            ("sample_sum", 2, _F.TYPE_DOUBLE, _F.LABEL_OPTIONAL, ""),
            ("schema", 5, _F.TYPE_SINT32, _F.LABEL_OPTIONAL, ""),
            ("zero_threshold", 6, _F.TYPE_DOUBLE, _F.LABEL_OPTIONAL, ""),
            ("zero_count", 7, _F.TYPE_UINT64, _F.LABEL_OPTIONAL, ""),
            ("positive_span", 12, _F.TYPE_MESSAGE, _F.LABEL_REPEATED, "BucketSpan"),
            ("positive_delta", 13, _F.TYPE_SINT64, _F.LABEL_REPEATED, ""),
        ],
    ),
    (
        "Metric",
        [
            ("label", 1, _F.TYPE_MESSAGE, _F.LABEL_REPEATED, "LabelPair"),
            ("histogram", 7, _F.TYPE_MESSAGE, _F.LABEL_OPTIONAL, "Histogram"),
        ],
    ),
    (
        "MetricFamily",
        [
            ("name", 1, _F.TYPE_STRING, _F.LABEL_OPTIONAL, ""),
            ("help", 2, _F.TYPE_STRING, _F.LABEL_OPTIONAL, ""),
            ("type", 3, _F.TYPE_INT32, _F.LABEL_OPTIONAL, ""),  # an enum on the wire is a varint
            ("metric", 4, _F.TYPE_MESSAGE, _F.LABEL_REPEATED, "Metric"),
        ],
    ),
]


def _message_classes() -> dict[str, Any]:
    file = descriptor_pb2.FileDescriptorProto(name="sre_test_metrics.proto", package="io.prometheus.client")
    file.syntax = "proto2"
    for name, fields in _SCHEMA:
        message = file.message_type.add(name=name)
        for field, number, kind, label, type_name in fields:
            f = message.field.add(name=field, number=number, type=kind, label=label)
            if type_name:
                f.type_name = f".io.prometheus.client.{type_name}"
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return {
        name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"io.prometheus.client.{name}"))
        for name, _ in _SCHEMA
    }


MESSAGES = _message_classes()


def bucket_index(upper: float, schema: int) -> int:
    """The index of the native bucket whose upper bound is `upper` (a power of 2^(2^-schema))."""
    index = math.log2(upper) * 2**schema
    if not math.isclose(index, round(index), abs_tol=1e-9):
        raise ValueError(f"{upper} is no bucket boundary of schema {schema}")
    return round(index)


def spans_and_deltas(buckets: Mapping[int, int]) -> tuple[list[tuple[int, int]], list[int]]:
    """Positive buckets {index: count} as the format writes them: spans (offset from the previous
    span's end, or the first index; length) and each count as the delta to the previous one."""
    spans: list[tuple[int, int]] = []
    deltas: list[int] = []
    previous_index: int | None = None
    previous_count = 0
    for index in sorted(buckets):
        if previous_index is not None and index == previous_index + 1:
            spans[-1] = (spans[-1][0], spans[-1][1] + 1)
        else:
            spans.append((index if previous_index is None else index - previous_index - 1, 1))
        deltas.append(buckets[index] - previous_count)
        previous_index, previous_count = index, buckets[index]
    return spans, deltas


def native_histogram_family(
    name: str, series: list[tuple[dict[str, str], Mapping[int, int], float]], schema: int, zero_threshold: float
) -> Any:
    """A MetricFamily of native histograms: per series its labels, positive buckets {index: cumulative
    count since start} and sum of observations. No zero bucket observations, no negative buckets."""
    family = MESSAGES["MetricFamily"](name=name, help="request latency", type=HISTOGRAM_TYPE)
    for labels, buckets, total_sum in series:
        metric = family.metric.add()
        for key, value in sorted(labels.items()):
            metric.label.add(name=key, value=value)
        h = metric.histogram
        h.sample_count = sum(buckets.values())
        h.sample_sum = total_sum
        h.schema = schema
        h.zero_threshold = zero_threshold
        h.zero_count = 0
        spans, deltas = spans_and_deltas(buckets)
        for offset, length in spans:
            h.positive_span.add(offset=offset, length=length)
        h.positive_delta.extend(deltas)
    return family


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def delimited(families: list[Any]) -> bytes:
    """The `encoding=delimited` body: each MetricFamily prefixed by its length as a varint."""
    return b"".join(_varint(len(data)) + data for data in (f.SerializeToString() for f in families))


class NativeHistogramTarget:
    """/metrics on 127.0.0.1 answering protobuf to a scraper that asks for it (and 406 to one that
    does not); `families()` is called per scrape. `accept_headers` keeps what each scrape asked for."""

    def __init__(self, families: Callable[[], list[Any]]) -> None:
        self.accept_headers: list[str] = []
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                accept = self.headers.get("Accept", "")
                target.accept_headers.append(accept)
                if PROTOBUF_ACCEPT not in accept:
                    self.send_response(406)
                    self.end_headers()
                    return
                body = delimited(families())
                self.send_response(200)
                self.send_header("Content-Type", CONTENT_TYPE)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> NativeHistogramTarget:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
