"""The production stack in one list: each service's command and the environment variables it is given.

docker-compose.yml follows it (``tests/test_deploy.py`` checks that its services use exactly these commands
and these variables) and the native stack starts it (``tests/nativestack.py``: Debian's nginx, gunicorn,
Celery, PostgreSQL and Redis as plain processes), so what the native test runs is what Docker runs. The
values differ between the two places (host names, ports, the test's short sweep); the names do not.
"""

from __future__ import annotations

#: every itaflow process of the stack: the migrate step, the web replicas, the workers and beat
APP_ENV: tuple[str, ...] = (
    "DATABASE_URL",
    "REDIS_URL",  # the Celery broker and the sign-in throttle's counts
    "ITAFLOW_SECRET_KEY",
    "ITAFLOW_BASE_URL",  # links in e-mails
    "MAIL_SERVER",
    "MAIL_PORT",
    "ITAFLOW_SWEEP_SECONDS",
    "ITAFLOW_MAIL_LEASE_SECONDS",  # a row claimed by a worker that died is sent again after this
    "ITAFLOW_DATA_KEYS",  # the keys of the secrets the database holds (empty: one kept in the instance folder)
    "PROMETHEUS_MULTIPROC_DIR",  # /metrics: every web and worker process of a host writes its counts there
)

#: per service; ``proxy`` is nginx, whose template (NGINX_TEMPLATE) uses its ITAFLOW_* variables
ENV: dict[str, tuple[str, ...]] = {
    "migrate": APP_ENV,
    "web": APP_ENV + (
        "ITAFLOW_PROXIES",  # 1: nginx's X-Forwarded-For and -Proto are believed
        "ITAFLOW_BIND",  # where gunicorn listens (config/gunicorn.py)
        "WEB_CONCURRENCY",  # gunicorn's own variable: processes of one replica
    ),
    "worker": APP_ENV,
    "beat": APP_ENV,
    "proxy": (
        "ITAFLOW_LISTEN",
        "ITAFLOW_UPSTREAM",
        "ITAFLOW_RESOLVER",
        "NGINX_ENVSUBST_FILTER",  # the image substitutes only variables matching it (nginx's own $host stays)
    ),
}

#: set once in the image (Dockerfile ``ENV``) for every process; the native stack sets it too
IMAGE_ENV: tuple[str, ...] = ("ITAFLOW_INSTANCE",)

#: what only the native test adds: one pinned clock that every process reads (workflow/clock.py)
TEST_ONLY_ENV: tuple[str, ...] = ("ITAFLOW_CLOCK_FILE",)

#: the services that run the image, in the order they start; ``migrate`` runs once and exits before the others
COMMANDS: dict[str, list[str]] = {
    "migrate": ["itaflow", "init"],
    "web": ["gunicorn", "--config", "python:config.gunicorn", "web:create_app()"],
    "worker": ["celery", "-A", "tasks.worker", "worker", "--loglevel", "INFO", "-Q", "itaflow",
               "--concurrency", "2", "--without-gossip", "--without-mingle"],
    "beat": ["celery", "-A", "tasks.worker", "beat", "--loglevel", "INFO"],
}

#: the nginx configuration of both places: the official image renders it from /etc/nginx/templates/
NGINX_TEMPLATE = "deploy/nginx/templates/default.conf.template"

#: what NGINX_ENVSUBST_FILTER is set to: only the template's own variables are substituted
NGINX_FILTER = "^ITAFLOW_"
