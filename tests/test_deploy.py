"""docker-compose.yml is checked by parsing (no Docker engine here): the services, and settings by environment."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_services_and_environment():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert {"web", "worker", "beat", "postgres", "redis", "mail"} <= set(compose["services"])
    assert compose["services"]["beat"]["deploy"]["replicas"] == 1
    for name in ("web", "worker", "beat"):  # a process that dies is started again
        assert compose["services"][name]["restart"] == "unless-stopped"
    for name in ("worker", "beat"):
        assert compose["services"][name]["command"][:3] == ["celery", "-A", "tasks.worker"]
        assert compose["services"][name]["environment"]["REDIS_URL"].startswith("redis://")
    env = compose["services"]["web"]["environment"]
    assert env["DATABASE_URL"].startswith("postgresql://")
    assert env["REDIS_URL"].startswith("redis://redis:")
    assert env["ITAFLOW_SECRET_KEY"].startswith("${")  # from the environment, never a literal
    assert compose["services"]["web"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert (ROOT / "Dockerfile").exists()


def test_postgres_url_from_environment_alone(tmp_path):
    from config import load_settings

    settings = load_settings({"ITAFLOW_INSTANCE": str(tmp_path), "DATABASE_URL": "postgresql://u:p@db/x"})
    assert settings.database_url == "postgresql+psycopg://u:p@db/x"
    embedded = load_settings({"ITAFLOW_INSTANCE": str(tmp_path)})
    assert embedded.database_url == f"sqlite:///{tmp_path.resolve() / 'itaflow.sqlite'}"
    assert embedded.broker_url.startswith("sqla+sqlite:///")
    production = load_settings({"ITAFLOW_INSTANCE": str(tmp_path), "REDIS_URL": "redis://r:6379/0"})
    assert production.broker_url == "redis://r:6379/0"
    assert embedded.secret_key == load_settings({"ITAFLOW_INSTANCE": str(tmp_path)}).secret_key  # kept
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
