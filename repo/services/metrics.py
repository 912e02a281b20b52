"""Prometheus metrics of one Shoebox (the `prometheus_client` package lives only here).

Counters are pushed by the services as things happen (uploads added or refused, sign-in
failures) and by the API's request middleware (requests and their latency per route). Figures
that are state, not events (bytes stored, index queue depth and lag, the image worker queue),
are read when Prometheus scrapes, from callables the container hands in.

Each Services has its own registry, so tests and several apps in one process do not mix.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

log = logging.getLogger(__name__)

CONTENT_TYPE = CONTENT_TYPE_LATEST
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_CAMEL = re.compile(r'(?<!^)(?=[A-Z])')


@dataclass(frozen=True)
class StateProbes:
    """Figures read at scrape time; each may fail (a broken database) without failing the
    scrape: that figure is left out and logged."""

    bytes_stored: Callable[[], int] = lambda: 0
    index_pending: Callable[[], int] = lambda: 0
    index_lag_seconds: Callable[[], float] = lambda: 0.0
    worker_queue: Callable[[], int] = lambda: 0


def reason_of(error: BaseException | None) -> str:
    """A refusal's label: its error class in snake case ('TooLarge' -> 'too_large'); a bounded
    set of values, unlike the messages."""
    if error is None:
        return 'unknown'
    return _CAMEL.sub('_', type(error).__name__).lower()


class _StateCollector:
    def __init__(self, probes: StateProbes) -> None:
        self.probes = probes

    def describe(self) -> list:
        return []  # figures are read at scrape time only

    def collect(self) -> Iterator[GaugeMetricFamily]:
        figures = (
            ('shoebox_bytes_stored', 'Bytes of every stored original', self.probes.bytes_stored),
            (
                'shoebox_index_queue_depth',
                'Changes the search index has not applied yet',
                self.probes.index_pending,
            ),
            (
                'shoebox_index_lag_seconds',
                'Age of the oldest change the search index has not applied',
                self.probes.index_lag_seconds,
            ),
            (
                'shoebox_image_worker_queue',
                'Image jobs submitted to the worker processes and not finished',
                self.probes.worker_queue,
            ),
        )
        for name, doc, read in figures:
            try:
                value = float(read())
            except Exception as exc:  # a broken part must not break the scrape
                log.warning('metric %s unavailable: %s', name, type(exc).__name__)
                continue
            yield GaugeMetricFamily(name, doc, value=value)


class Metrics:
    def __init__(self, probes: StateProbes | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.requests = Counter(
            'shoebox_http_requests',
            'HTTP requests by route template, method and status',
            ['route', 'method', 'status'],
            registry=self.registry,
        )
        self.latency = Histogram(
            'shoebox_http_request_duration_seconds',
            'Time to answer an HTTP request, by route template',
            ['route', 'method'],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.uploads = Counter(
            'shoebox_uploads',
            'Uploads by outcome (added, duplicate, refused) and refusal reason',
            ['outcome', 'reason'],
            registry=self.registry,
        )
        self.signin_failures = Counter(
            'shoebox_signin_failures', 'Failed sign-ins', registry=self.registry
        )
        self.checkout_conflicts = Counter(
            'shoebox_checkout_conflicts',
            'Checkouts refused because the stock changed meanwhile',
            registry=self.registry,
        )
        self.registry.register(_StateCollector(probes or StateProbes()))

    def request_done(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route, method).observe(seconds)

    def upload_done(self, outcome: str, error: BaseException | None = None) -> None:
        reason = '' if error is None else reason_of(error)
        self.uploads.labels(outcome, reason).inc()

    def signin_failed(self) -> None:
        self.signin_failures.inc()

    def checkout_conflict(self) -> None:
        self.checkout_conflicts.inc()

    def exposition(self) -> bytes:
        """The text format Prometheus scrapes."""
        return generate_latest(self.registry)
