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
    # a parent's shape: replicas behind a proxy that the web believes, migrations once before them
    web = compose["services"]["web"]
    assert web["deploy"]["replicas"] >= 2 and compose["services"]["worker"]["deploy"]["replicas"] >= 2
    assert web["environment"]["ITAFLOW_PROXIES"] == "1" and "ports" not in web
    assert "itaflow" not in " ".join(web["command"])  # replicas never migrate: the migrate service does
    assert compose["services"]["migrate"]["command"] == ["itaflow", "init"]
    for name in ("web", "worker"):
        assert compose["services"][name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    proxy = compose["services"]["proxy"]
    conf = (ROOT / proxy["volumes"][0].split(":")[0]).read_text()
    assert "web:8000" in conf and "X-Forwarded-For" in conf and "X-Forwarded-Proto" in conf


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


def test_behind_a_proxy_the_clients_address_is_its_own(tmp_path):
    """With ITAFLOW_PROXIES=1 (nginx in front, as in docker-compose.yml) the sign-in limit counts each client's
    address from X-Forwarded-For, not the proxy's; without it the header is not believed (anyone could send
    it)."""
    import re

    from web import create_app
    from web.security import limiter
    from workflow.db import db

    def sign_ins(proxies: str) -> list[int]:
        app = create_app({"ITAFLOW_INSTANCE": str(tmp_path / proxies), "ITAFLOW_SECRET_KEY": "test-secret-0123456789",
                          "DATABASE_URL": f"sqlite:///{tmp_path / proxies}.sqlite", "ITAFLOW_PROXIES": proxies})
        app.config["TESTING"] = True
        with app.app_context():
            db.create_all()
        limiter.reset()
        statuses = []
        for n in range(12):
            client = app.test_client()
            page = client.get("/login").get_data(as_text=True)
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
            statuses.append(client.post("/login", data={"email": f"nobody{n}@example.org", "password": "x" * 12,
                                                        "csrf_token": csrf},
                                        headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code)
        return statuses

    assert 429 not in sign_ins("1")  # twelve clients, one try each
    assert sign_ins("0")[-1] == 429  # the same twelve seen as one address: the eleventh is refused
