"""What an operator sees of the tracker: structured logs, CloudWatch metrics and X-Ray traces.

Powertools for AWS Lambda (Python) is the convention for all three. It ships in the Lambda zip
(and in shopgen's dev extra); a plain ``pip install shopgen`` runs without it.

- **Logs**: one JSON line per request with a correlation id (API Gateway's request id in
  Lambda, a random id elsewhere), its status, counts and timing.
- **Metrics** (Lambda only): CloudWatch embedded metric format (EMF) printed to stdout, which
  CloudWatch turns into metrics without an API call: events accepted, duplicates, rejected (in
  total and by reason), request size, database commit latency, 4xx, 5xx, database errors.
- **Traces** (Lambda only, when ``POWERTOOLS_TRACE_DISABLED`` is not true): X-Ray subsegments
  for the handler and the database commit. Nothing is patched, so no other call is traced.

Outside Lambda (``shopgen serve``, tests) the same calls run with metrics and tracing off: no
AWS call, and the log line at WARNING level, so a local run shows only failures.

Never in a log line or a metric: the IP address, the user agent, search text or the page id.
Rejection reasons are a fixed vocabulary (the field an event failed on), never the message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import importlib.util
import json
import logging
import os
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, TypeVar

NAMESPACE = "Shopgen/Tracker"
DEFAULT_SERVICE = "tracker"
# The fields an event can fail on (tracker/validation.py names the field first in its reason).
REJECT_REASONS = frozenset({
    "id", "type", "at", "event", "query", "results", "facet", "value", "selected", "sort",
    "sku", "path", "referrer", "unknown",
})
OTHER_REASON = "other"

Handler = TypeVar("Handler", bound=Callable[..., Any])


def reject_reason(message: str) -> str:
    """The metric dimension for one rejected event: the field its first problem names.

    ``"at is more than 30 days in the past; sku must be a string"`` → ``"at"``. A bounded set,
    so a hostile client can't create metrics (each dimension value is a billed metric).
    """
    first_word = message.split(" ", 1)[0].split("[", 1)[0]
    return first_word if first_word in REJECT_REASONS else OTHER_REASON


def new_correlation_id() -> str:
    """A random correlation id for a request that did not come with one."""
    return uuid.uuid4().hex


@dataclass
class RequestOutcome:
    """What one request did, collected by the handler and reported once it is answered."""

    route: str
    correlation_id: str
    started: float = field(default_factory=time.perf_counter)
    status: int = 0
    request_bytes: int | None = None
    accepted: int = 0
    duplicates: int = 0
    reject_reasons: list[str] = field(default_factory=list)
    commit_ms: float | None = None
    error: str | None = None

    def log_fields(self) -> dict[str, Any]:
        """The log line's fields: counts, timing and the correlation id, nothing personal."""
        fields: dict[str, Any] = {
            "correlation_id": self.correlation_id,
            "route": self.route,
            "status": self.status,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": len(self.reject_reasons),
            "duration_ms": round((time.perf_counter() - self.started) * 1000, 2),
        }
        if self.request_bytes is not None:
            fields["request_bytes"] = self.request_bytes
        if self.commit_ms is not None:
            fields["commit_ms"] = round(self.commit_ms, 2)
        if self.error:
            fields["error"] = self.error
        return fields


def _truthy(name: str, default: str = "false") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def powertools_installed() -> bool:
    """Whether Powertools can be imported (it is in the Lambda zip, not in shopgen's deps)."""
    try:
        return importlib.util.find_spec("aws_lambda_powertools") is not None
    except (ImportError, ValueError):  # ValueError: hidden as sys.modules[name] = None
        return False


def in_lambda() -> bool:
    """Whether this process is a Lambda function (the runtime sets AWS_LAMBDA_FUNCTION_NAME)."""
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


class Telemetry:
    """Logs, metrics and traces for the tracker's requests (see the module's docstring)."""

    def __init__(self, *, service: str = DEFAULT_SERVICE, namespace: str = NAMESPACE,
                 metrics: bool = False, tracing: bool = False, level: str = "WARNING",
                 stream: IO[str] | None = None):
        self.service = service
        self.namespace = namespace
        self._logger = _make_logger(service, level, stream or sys.stdout)
        self._metrics = _make_metrics(namespace, service) if metrics else None
        self._tracer = _make_tracer(service) if tracing else None

    @classmethod
    def from_environment(cls) -> Telemetry:
        """Metrics and tracing on in Lambda (tracing unless POWERTOOLS_TRACE_DISABLED), off
        elsewhere and without Powertools; service and namespace from Powertools' environment
        variables."""
        lambda_ = in_lambda() and powertools_installed()
        return cls(
            service=os.environ.get("POWERTOOLS_SERVICE_NAME") or DEFAULT_SERVICE,
            namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or NAMESPACE,
            metrics=lambda_ and not _truthy("POWERTOOLS_METRICS_DISABLED"),
            tracing=lambda_ and not _truthy("POWERTOOLS_TRACE_DISABLED"),
            level=os.environ.get("POWERTOOLS_LOG_LEVEL") or ("INFO" if in_lambda() else "WARNING"),
        )

    @property
    def metrics_on(self) -> bool:
        """Whether requests produce EMF metrics."""
        return self._metrics is not None

    @property
    def tracing_on(self) -> bool:
        """Whether the handler and the database commit are X-Ray subsegments."""
        return self._tracer is not None

    def trace_lambda_handler(self, function: Handler) -> Handler:
        """``function`` traced as the Lambda handler (cold start annotation), or unchanged."""
        if self._tracer is None:
            return function
        # No response in the trace: it would only repeat counts that the log line has.
        traced = self._tracer.capture_lambda_handler(function, capture_response=False)

        @functools.wraps(function)
        def handler(event: Any, context: Any = None) -> Any:
            return traced(event, context)  # Powertools' wrapper wants both arguments

        return handler  # type: ignore[return-value]

    @contextlib.contextmanager
    def database_commit(self, outcome: RequestOutcome) -> Iterator[None]:
        """Time (and trace) the database write; the latency goes to ``outcome``."""
        started = time.perf_counter()
        try:
            if self._tracer is None:
                yield
            else:
                with self._tracer.provider.in_subsegment("## database commit"):
                    yield
        finally:
            outcome.commit_ms = (time.perf_counter() - started) * 1000

    def report(self, outcome: RequestOutcome) -> None:
        """Write the request's log line and, in Lambda, its metrics."""
        level = logging.ERROR if outcome.status >= 500 else logging.INFO
        self._logger.log(level, "request", extra=outcome.log_fields())
        if self._metrics is not None:
            self._emit_metrics(outcome)

    def _emit_metrics(self, outcome: RequestOutcome) -> None:
        from aws_lambda_powertools.metrics import MetricUnit, single_metric

        metrics = self._metrics
        assert metrics is not None
        status = outcome.status
        metrics.add_metric(name="Responses4xx", unit=MetricUnit.Count,
                           value=int(400 <= status < 500))
        metrics.add_metric(name="Responses5xx", unit=MetricUnit.Count, value=int(status >= 500))
        metrics.add_metric(name="DatabaseErrors", unit=MetricUnit.Count,
                           value=int(status == 503))
        if outcome.route == "events":
            metrics.add_metric(name="EventsAccepted", unit=MetricUnit.Count,
                               value=outcome.accepted)
            metrics.add_metric(name="EventsDuplicate", unit=MetricUnit.Count,
                               value=outcome.duplicates)
            metrics.add_metric(name="EventsRejected", unit=MetricUnit.Count,
                               value=len(outcome.reject_reasons))
        if outcome.request_bytes is not None:
            metrics.add_metric(name="RequestBytes", unit=MetricUnit.Bytes,
                               value=outcome.request_bytes)
        if outcome.commit_ms is not None:
            metrics.add_metric(name="DatabaseCommitLatency", unit=MetricUnit.Milliseconds,
                               value=round(outcome.commit_ms, 3))
        metrics.flush_metrics()
        # By reason in their own EMF documents: one document has one set of dimensions.
        for reason, count in sorted(Counter(outcome.reject_reasons).items()):
            with single_metric(name="EventsRejected", unit=MetricUnit.Count, value=count,
                               namespace=self.namespace,
                               default_dimensions={"service": self.service,
                                                   "reason": reason}):
                pass


def _make_logger(service: str, level: str, stream: IO[str]) -> logging.Logger | Any:
    try:
        from aws_lambda_powertools import Logger
    except ImportError:
        return _plain_json_logger(service, level, stream)
    logger = Logger(service=service, level=level, stream=stream, utc=True)
    # One line per request: not a second time through the root logger's handlers.
    logging.getLogger(logger.name).propagate = False
    return logger


def _make_metrics(namespace: str, service: str) -> Any:
    from aws_lambda_powertools import Metrics

    return Metrics(namespace=namespace, service=service)


def _make_tracer(service: str) -> Any:
    from aws_lambda_powertools import Tracer

    # No auto-patching: only the handler and the commit are traced (and patching every
    # library X-Ray knows would cost cold-start time).
    return Tracer(service=service, auto_patch=False)


class _JsonLineFormatter(logging.Formatter):
    """Powertools' shape (timestamp, level, service, message and the extra fields), for runs
    without Powertools installed."""

    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "level": record.levelname,
            "message": record.getMessage(),
            "timestamp": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "service": self.service,
        }
        line.update({key: value for key, value in record.__dict__.items()
                     if key not in _STANDARD_RECORD_KEYS})
        return json.dumps(line, separators=(",", ":"), default=str)


_STANDARD_RECORD_KEYS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def _plain_json_logger(service: str, level: str, stream: IO[str]) -> logging.Logger:
    logger = logging.getLogger(f"tracker.requests.{service}")
    logger.setLevel(level)
    logger.propagate = False
    for old in list(logger.handlers):
        logger.removeHandler(old)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_JsonLineFormatter(service))
    logger.addHandler(handler)
    return logger
