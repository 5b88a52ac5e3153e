"""Celery bound to Flask, as Flask's documentation shows: every task runs inside the app context.

JSON only, tasks get ids; ``acks_late`` with ``task_reject_on_worker_lost`` and prefetch 1, so a task
whose worker dies is delivered again (our tasks are idempotent). Beat runs one periodic sweep; deadlines
are rows, so no countdown or ETA ever outlives the broker's visibility timeout.
"""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask

VISIBILITY_TIMEOUT = 3600


def celery_config(app: Flask) -> dict:
    settings = app.config["ITAFLOW"]
    return {
        "broker_url": settings.broker_url,
        "result_backend": settings.result_backend,
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "result_serializer": "json",
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": _transport_options(settings.broker_url),
        "timezone": "Asia/Bangkok",
        "enable_utc": True,
        "beat_schedule": {
            "itaflow-sweep": {"task": "itaflow.sweep", "schedule": float(settings.sweep_seconds)},
        },
        "task_default_queue": "itaflow",
        # beat's state under the instance folder (/data in the image): the same command runs anywhere
        "beat_schedule_filename": str(settings.instance_path / "beat-schedule"),
        "worker_hijack_root_logger": False,
    }


def _transport_options(broker_url: str) -> dict:
    if broker_url.startswith("sqla+"):
        return {}  # kombu's SQLAlchemy transport hands these to create_engine(); it has no visibility timeout
    return {"visibility_timeout": VISIBILITY_TIMEOUT}


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(celery_config(app))
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    import tasks.jobs  # noqa: F401  (register the tasks)

    return celery_app
