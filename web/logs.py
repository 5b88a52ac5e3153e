"""Logs as JSON lines, each with the request id it belongs to, and nothing secret or personal in them.

Every process (gunicorn's web processes, Celery's worker and beat, the ``itaflow`` command) writes one JSON
object a line to stderr: the time (UTC), level, logger, message, the process kind and, inside a request or a
task, the request id. A request takes its id from ``X-Request-ID`` (nginx's ``$request_id``) when it looks
like one, else gets a new one, and answers with it; a task queued while a request (or another task) runs
carries that id in its headers, so the worker's lines of that task carry it too (``grep`` one id, see the
whole story). ``ITAFLOW_LOG_FORMAT=text`` gives plain lines instead, for a person at a terminal.

``redact`` runs over every line (tracebacks included): citizen ids (13 digits) and phone numbers, API tokens
(``itf_…``), calendar secrets, bearer tokens, passwords in addresses and forms, and the parameters SQLAlchemy
prints with a failed statement become ``***``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, request

REQUEST_ID: ContextVar[str | None] = ContextVar("itaflow_request_id", default=None)
HEADER = "X-Request-ID"
_GIVEN = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

_SECRETS = [
    (re.compile(r"\[parameters: .*?\](?=\s|$|\n|\()", re.S), "[parameters: ***]"),  # SQLAlchemy's failed statement
    (re.compile(r"(itf|cal)_[A-Za-z0-9_\-]{8,}"), r"\1_***"),  # API tokens, calendar secrets (even in a=b%3D…)
    (re.compile(r"(/ics/)[^/?\s\"]+(\.ics)"), r"\1***\2"),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=\-]{8,}"), r"\1***"),
    (re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)[^'\"\s,}]+"), r"\1***"),
    (re.compile(r"(?i)\b((?:password|passwd|secret|token|code|state|csrf_token|session)=)[^&\s\"']+"), r"\1***"),
    (re.compile(r"(?i)(['\"](?:password|secret|token|access_token|channel_secret|client_secret)['\"]\s*:\s*['\"])"
                r"[^'\"]*"), r"\1***"),
    (re.compile(r"(://[^:/\s@]+:)[^@\s/]+(@)"), r"\1***\2"),  # user:password@ in an address
    # a citizen id (13 digits, grouped 1-4-5-2-1 or not), a mobile number
    (re.compile(r"(?<![\d.:\-])\d[\s\-]?\d{4}[\s\-]?\d{5}[\s\-]?\d{2}[\s\-]?\d(?![\d.:\-])"), "*************"),
    (re.compile(r"(?<![\d.:\-])0[689]\d[\s\-]?\d{3}[\s\-]?\d{4}(?![\d.:\-])"), "**********"),
]


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def _process_kind() -> str:
    argv = " ".join(os.path.basename(a) for a in sys.argv[:4])
    if "gunicorn" in argv:
        return "web"
    if "celery" in argv:
        return "beat" if " beat" in argv else "worker"
    return "cli" if "itaflow" in argv else "python"


_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonLines(logging.Formatter):
    """One JSON object a line; extra fields given to a logging call (``extra={...}``) come along."""

    def __init__(self, kind: str | None = None):
        super().__init__()
        self.kind = kind or _process_kind()

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name,
            "message": redact(record.getMessage()), "process": self.kind, "pid": record.process,
        }
        rid = getattr(record, "request_id", None) or REQUEST_ID.get()
        if rid:
            line["request_id"] = rid
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in line and not key.startswith("_"):
                line[key] = value if isinstance(value, int | float | bool) or value is None else redact(str(value))
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class RedactedText(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        rid = REQUEST_ID.get()
        return redact(super().format(record) + (f" [request {rid}]" if rid else ""))


class _Stderr(logging.StreamHandler):
    """stderr as it is when a line is written (a test's capture replaces it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def formatter(fmt: str, kind: str | None = None) -> logging.Formatter:
    if fmt == "text":
        return RedactedText("%(asctime)s %(levelname)s %(name)s: %(message)s")
    return JsonLines(kind)


def configure(fmt: str = "json", *, stream=None, kind: str | None = None,
              force: bool = False) -> logging.Handler | None:
    """The root logger's one handler, ours (configured again, never twice). Left alone when something else
    handles the root already (pytest's capture, a host's own configuration) unless ``force``; ``stream``: where
    lines go (stderr by default)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_itaflow", False):
            root.removeHandler(handler)
    if root.handlers and not force:
        return None
    handler = logging.StreamHandler(stream) if stream is not None else _Stderr()
    handler._itaflow = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter(fmt, kind))
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    return handler


def init_request_ids(app: Flask) -> None:
    @app.before_request
    def _take_id() -> None:
        given = request.headers.get(HEADER, "")
        REQUEST_ID.set(given if _GIVEN.match(given) else uuid.uuid4().hex)

    @app.after_request
    def _answer_id(response: Response) -> Response:
        rid = REQUEST_ID.get()
        if rid:
            response.headers[HEADER] = rid
        return response

    @app.teardown_request
    def _forget(_exc) -> None:
        REQUEST_ID.set(None)


def _connect_celery() -> None:
    """The request id rides in a task's headers; inside the task it is the id of its lines (a task queued
    by nothing gets its own task id)."""
    from celery import signals

    @signals.before_task_publish.connect(weak=False)
    def _carry(headers=None, **_kw) -> None:
        rid = REQUEST_ID.get()
        if rid and headers is not None:
            headers["itaflow_request_id"] = rid

    @signals.task_prerun.connect(weak=False)
    def _adopt(task_id=None, task=None, **_kw) -> None:
        """Kept until the next task starts, so the worker's "succeeded in" line of this one carries it too."""
        request = task.request if task is not None else None
        given = getattr(request, "itaflow_request_id", None) or (getattr(request, "headers", None) or {}).get(
            "itaflow_request_id")
        REQUEST_ID.set(given or task_id)

    @signals.setup_logging.connect(weak=False)
    def _ours(**_kw) -> None:
        """Celery leaves logging to us: the worker's and beat's own lines are JSON lines too."""
        configure(os.environ.get("ITAFLOW_LOG_FORMAT", "json").strip().lower() or "json", force=True)


_connect_celery()
