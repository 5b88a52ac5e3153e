"""gunicorn's access log without secrets: a calendar feed's address is its credential, so the secret part of
``/ics/<secret>.ics`` is written as ``***``; so are the ``code`` and ``state`` a sign-in provider sends back
to ``/login/sso/<provider>/callback`` (``itaflow up`` and the image use this logger)."""

from __future__ import annotations

import re

from gunicorn.glogging import Logger

SECRET_PATH = re.compile(r"(/ics/)[^/?\s\"]+(\.ics)")


SSO_QUERY = re.compile(r"((?:^|[?&])(?:code|state|session_state|id_token|access_token)=)[^&\s\"]*")


def mask(text: str) -> str:
    return SSO_QUERY.sub(r"\1***", SECRET_PATH.sub(r"\1***\2", text))


class MaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "{raw_uri}e"):
            value = atoms.get(key)
            if isinstance(value, str):
                atoms[key] = mask(value)
        return atoms

    def setup(self, cfg) -> None:
        """gunicorn's own lines as JSON lines too (``ITAFLOW_LOG_FORMAT``, json by default; web/logs.py)."""
        super().setup(cfg)
        from web.logs import formatter

        if _log_format() == "json":
            for handler in self.error_log.handlers:
                handler.setFormatter(formatter("json", "web"))

    def access(self, resp, req, environ, request_time) -> None:
        """One JSON line a request: who asked (the proxy's client), what (masked), the answer, how long it took
        and the request id the app answered with (the id of its own lines and of the tasks it queued)."""
        if _log_format() != "json":
            super().access(resp, req, environ, request_time)
            return
        if not self.cfg.accesslog:
            return
        import json
        from urllib.parse import unquote

        from web.logs import redact

        atoms = self.atoms(resp, req, environ, request_time)
        headers = dict((k.lower(), v) for k, v in (resp.headers or []))
        line = {"ts": atoms.get("t", "").strip("[]"), "level": "info", "logger": "gunicorn.access",
                "process": "web", "remote": atoms.get("h"), "method": atoms.get("m"),
                "path": redact(unquote(atoms.get("U", ""))), "query": redact(unquote(atoms.get("q", ""))) or None,
                "status": resp.status_code, "bytes": atoms.get("B"),
                "ms": round(request_time.total_seconds() * 1000, 1),
                "request_id": headers.get("x-request-id"), "agent": atoms.get("a")}
        try:
            self.access_log.info(json.dumps(line, ensure_ascii=False))
        except Exception:  # a log line must never break a request
            self.error("access log line not written")


def _log_format() -> str:
    import os

    return (os.environ.get("ITAFLOW_LOG_FORMAT") or "json").strip().lower()
