"""Metrics for Prometheus at ``/metrics`` (prometheus-client), one view of every process of a host.

With ``PROMETHEUS_MULTIPROC_DIR`` set (``itaflow up`` sets it; in Docker, a folder on the volume the web and
the workers share), every gunicorn and Celery process writes its counts there and any web process answers for
all of them: requests and their latency by route, deliveries and failures by channel, sweeps, refused
sign-ins. Files are named by host and process, so containers sharing the folder never write each other's.
What the database knows is read at each scrape: the outbox's depth and its oldest due row's age by channel,
the timers due and late.

Who may read it: a request bearing ``ITAFLOW_METRICS_TOKEN`` (``Authorization: Bearer …``), or one from an
address of ``ITAFLOW_METRICS_ALLOW`` (loopback by default; behind nginx, the client's address it reports).
Nothing else: 403. Label values are routes (``/steps/<int:step_id>``), never addresses, ids or people.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import shutil
import socket
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask, Response, current_app, g, request

MULTIPROC = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if MULTIPROC:  # before any metric exists: each process's files carry its host and pid
    from prometheus_client import values

    os.makedirs(MULTIPROC, mode=0o700, exist_ok=True)  # a fresh volume (compose) has no such folder yet

    values.ValueClass = values.MultiProcessValue(lambda: f"{socket.gethostname()}-{os.getpid()}")

from prometheus_client import (  # noqa: E402
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily  # noqa: E402

REQUESTS = Counter("itaflow_http_requests_total", "HTTP requests answered, by route, method and status",
                   ["route", "method", "status"])
LATENCY = Histogram("itaflow_http_request_duration_seconds", "Time to answer a request, by route",
                    ["route", "method"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
LOGINS_REFUSED = Counter("itaflow_logins_refused_total", "Sign-ins refused: wrong_password, throttled, sso_required",
                         ["reason"])
DELIVERIES = Counter("itaflow_deliveries_total", "Outbox rows handled by the senders: sent, retried, failed",
                     ["channel", "outcome"])
SWEEP_SECONDS = Histogram("itaflow_sweep_duration_seconds", "One sweep: firing every due timer and queuing its alerts",
                          buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120))
SWEEP_LAG = Gauge("itaflow_sweep_lag_seconds", "At the last sweep, how long the oldest timer it could fire had waited",
                  multiprocess_mode="mostrecent")
SWEEP_LAST = Gauge("itaflow_sweep_last_run_timestamp_seconds", "When the last sweep ended (Unix time)",
                   multiprocess_mode="mostrecent")
TIMERS_FIRED = Counter("itaflow_timers_fired_total", "Timers fired by the sweep")

_REFUSED = {401: "wrong_password", 403: "sso_required", 429: "throttled"}


def prepare_folder(folder: Path) -> None:
    """An empty folder for a new set of processes (``itaflow up`` at its start): the counts of processes gone
    are dropped with it (within a run they stay: counters of a restarted process are not lost, and no gauge
    lives only as long as its process, so gunicorn needs no ``child_exit`` hook)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, mode=0o700)


def _route() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


def init_metrics(app: Flask) -> None:
    @app.before_request
    def _started() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _answered(response: Response) -> Response:
        started = g.pop("metrics_started", None)
        if started is not None:
            route, method = _route(), request.method
            REQUESTS.labels(route, method, str(response.status_code)).inc()
            LATENCY.labels(route, method).observe(time.perf_counter() - started)
            if request.endpoint == "auth.login" and method == "POST" and response.status_code in _REFUSED:
                LOGINS_REFUSED.labels(_REFUSED[response.status_code]).inc()
        return response

    from web.security import public

    @app.get("/metrics")
    @public
    def metrics():
        """Prometheus's text format, for the token or the allowed addresses only."""
        if not _allowed():
            return Response("forbidden\n", status=403, mimetype="text/plain")
        return Response(_exposition(), mimetype=CONTENT_TYPE_LATEST,
                        headers={"Cache-Control": "no-store"})


def _allowed() -> bool:
    settings = current_app.config["ITAFLOW"]
    given = request.headers.get("Authorization", "")
    if settings.metrics_token and given.startswith("Bearer ") and \
            hmac.compare_digest(given[7:].strip().encode(), settings.metrics_token.encode()):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    for network in settings.metrics_allow:
        try:
            if address in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False


def _exposition() -> bytes:
    if MULTIPROC:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        processes = generate_latest(registry)
    else:
        processes = generate_latest(REGISTRY)
    figures = CollectorRegistry()
    figures.register(_DatabaseFigures())
    return processes + generate_latest(figures)


class _DatabaseFigures:
    """Read at each scrape: the outbox by channel and state, and its oldest due row's age; timers due and late."""

    def collect(self):
        from workflow import clock
        from workflow.operations import health

        now = clock.now()
        settings = current_app.config["ITAFLOW"]
        rows, ages = health.outbox_figures(now)
        depth = GaugeMetricFamily("itaflow_outbox_rows", "Outbox rows by channel and state (sent rows not counted)",
                                  labels=["channel", "status"])
        for figure in rows:
            depth.add_metric([figure.channel, figure.status], figure.count)
        yield depth
        oldest = GaugeMetricFamily("itaflow_outbox_oldest_due_seconds",
                                   "Age of the oldest row due and not sent yet, by channel", labels=["channel"])
        for channel, age in sorted(ages.items()):
            oldest.add_metric([channel], age)
        yield oldest
        due, late, waited = health.timer_figures(now, timedelta(seconds=2 * settings.sweep_seconds + 60))
        yield GaugeMetricFamily("itaflow_timers_due", "Timers due and not fired (alerts wait for office hours)",
                                value=due)
        yield GaugeMetricFamily("itaflow_timers_late", "Timers the sweep should have fired by now (two ticks and a "
                                "minute after they fell due)", value=late)
        yield GaugeMetricFamily("itaflow_timers_oldest_wait_seconds",
                                "How long the oldest timer the sweep could fire now has waited", value=waited)
