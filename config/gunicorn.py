"""gunicorn's settings for one web replica: ``gunicorn --config python:config.gunicorn 'web:create_app()'``,
the one command docker-compose.yml and the native stack run (config/stack.py).

Where it listens comes from ``ITAFLOW_BIND`` (in Docker every interface of the container, port 8000; natively
a loopback port per replica), how many processes from ``WEB_CONCURRENCY`` (gunicorn's own variable).
"""

from __future__ import annotations

import os

bind = [os.environ.get("ITAFLOW_BIND") or "0.0.0.0:8000"]
workers = int(os.environ.get("WEB_CONCURRENCY") or "3")
accesslog = "-"
logger_class = "web.accesslog.MaskingLogger"  # calendar secrets masked in the access log
graceful_timeout = 10
