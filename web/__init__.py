"""The Flask application factory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from flask import Flask, jsonify
from flask_migrate import Migrate

import workflow.models  # noqa: F401  (register the tables)
from config import load_settings
from tasks.celery_app import celery_init_app
from workflow.db import db
from workflow.mailer import mail

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "workflow" / "migrations")
migrate = Migrate()


def create_app(environ: Mapping[str, str] | None = None) -> Flask:
    """Build the app from the environment (or from ``environ``, as tests do)."""
    settings = load_settings(environ)
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config.update(settings.flask_config())
    db.init_app(app)
    mail.init_app(app)
    celery_init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True)

    @app.get("/healthz")
    def healthz():
        """Liveness for docker-compose and load balancers: no data, no login."""
        return jsonify(status="ok")

    return app
