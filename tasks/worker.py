"""Entry point for ``celery -A tasks.worker worker`` and ``celery -A tasks.worker beat``."""

from web import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
