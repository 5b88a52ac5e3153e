"""docker-compose.yml and the Dockerfile are checked by parsing (no Docker engine here): the services, their
commands and variables against config/stack.py's list (the one the native stack test starts), the nginx
template rendered for both places and checked by nginx itself, and the image's Dockerfile by hadolint's
rules."""

import re
import shutil
import subprocess
from pathlib import Path

import dockerfile
import pytest
import yaml

from config.stack import COMMANDS, ENV, IMAGE_ENV, NGINX_FILTER, NGINX_TEMPLATE

ROOT = Path(__file__).resolve().parent.parent


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_services_and_environment():
    compose = _compose()
    assert {"web", "worker", "beat", "postgres", "redis", "mail", "proxy"} <= set(compose["services"])
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
    assert proxy["environment"]["ITAFLOW_UPSTREAM"] == "web:8000"  # the service's name, every replica's address
    conf = (ROOT / NGINX_TEMPLATE).read_text()
    assert "X-Forwarded-For $remote_addr" in conf and "X-Forwarded-Proto" in conf
    assert "127.0.0.11" not in re.sub(r"#.*", "", conf)  # Docker's resolver is a variable now
    assert re.search(r"^resolver \$\{ITAFLOW_RESOLVER\}", conf, re.M)
    # ready, not merely alive: the database, Redis and the schema at head (/readyz), as the native stack waits
    assert "/readyz" in " ".join(web["healthcheck"]["test"])
    # /metrics sees every web and worker process only if they share the folder: on the volume they share
    folder = compose["x-itaflow-env"]["PROMETHEUS_MULTIPROC_DIR"]
    assert folder.startswith("/data/")
    for name in ("web", "worker"):
        assert "itaflow-data:/data" in compose["services"][name]["volumes"]


def test_compose_runs_the_listed_commands_with_exactly_the_listed_variables():
    """config/stack.py is the one list: each service's command and the names of its variables are the ones the
    native stack test (tests/test_stack.py) starts."""
    services = _compose()["services"]
    for name, command in COMMANDS.items():
        assert services[name]["command"] == command, name
        assert services[name]["build"] == ".", name  # the image of this repository's Dockerfile
    for name, names in ENV.items():
        assert sorted(services[name]["environment"]) == sorted(names), name
    assert services["proxy"]["environment"]["NGINX_ENVSUBST_FILTER"] == NGINX_FILTER
    # the proxy is the official image, reading the template folder, rendered into conf.d
    source, target, *_mode = services["proxy"]["volumes"][0].split(":")
    assert (ROOT / source).resolve() == (ROOT / NGINX_TEMPLATE).parent.resolve()
    assert target == "/etc/nginx/templates" and NGINX_TEMPLATE.endswith(".template")
    # what every process gets from the image
    env = [c.value for c in dockerfile.parse_file(str(ROOT / "Dockerfile")) if c.cmd.upper() == "ENV"]
    image_env = {pair[i] for pair in env for i in range(0, len(pair), 2)}
    assert set(IMAGE_ENV) <= image_env
    for service in services.values():  # images are pinned to a version, never latest
        if "image" in service:
            name, _sep, tag = service["image"].partition(":")
            assert tag and tag != "latest" and re.search(r"\d+\.\d+", tag), service["image"]
    for name in ("web", "worker", "beat"):  # compose starts again what dies, as the native supervisor does
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


DOCKER_VALUES = {"ITAFLOW_LISTEN": "80", "ITAFLOW_UPSTREAM": "web:8000", "ITAFLOW_RESOLVER": "127.0.0.11",
                 "NGINX_ENVSUBST_FILTER": NGINX_FILTER}


def test_the_nginx_template_renders_for_both_places_and_nginx_accepts_it(tmp_path):
    """Rendered as the official image renders it, with compose's values and with the native stack's; Debian's
    nginx checks each (``nginx -t``)."""
    from tests.nativestack import UPSTREAM, nginx_home, render_nginx_template

    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is missing: install Debian's nginx (./scripts/test does)"
    compose_env = _compose()["services"]["proxy"]["environment"]
    assert compose_env == DOCKER_VALUES
    native = {"ITAFLOW_LISTEN": "127.0.0.1:18080", "ITAFLOW_UPSTREAM": UPSTREAM, "ITAFLOW_RESOLVER": "127.0.0.1",
              "NGINX_ENVSUBST_FILTER": NGINX_FILTER, "HOST": "not-substituted", "PATH": "/usr/bin:/bin"}
    for place, env in (("docker", DOCKER_VALUES), ("native", native)):
        conf = render_nginx_template(env)
        assert "${" not in conf, place
        assert f"set $itaflow_web {env['ITAFLOW_UPSTREAM']};" in conf and f"listen {env['ITAFLOW_LISTEN']};" in conf
        assert "proxy_set_header Host $host;" in conf and "X-Forwarded-For $remote_addr;" in conf  # nginx's own
        home = tmp_path / place
        nginx_home(home, conf, ["127.0.0.1:18001", "127.0.0.1:18002"])
        checked = subprocess.run([nginx, "-t", "-p", str(home), "-c", str(home / "nginx.conf"), "-g",
                                  f"pid {home}/nginx.pid;"], capture_output=True, text=True)
        assert checked.returncode == 0, (place, checked.stderr)


def test_nginx_retries_only_what_is_safe_to_retry():
    """A request a replica refused, dropped or answered 502/503/504 goes to another replica, but a request that
    may have changed something (a POST that reached a replica) is never sent twice: no ``non_idempotent``."""
    conf = (ROOT / NGINX_TEMPLATE).read_text()
    retry = re.search(r"^\s*proxy_next_upstream ([^;]+);", conf, re.M)
    assert retry and set(retry[1].split()) == {"error", "timeout", "http_502", "http_503", "http_504"}
    assert "non_idempotent" not in re.sub(r"#.*", "", conf)
    assert re.search(r"proxy_next_upstream_tries [23];", conf)


# -- the image: hadolint's rules that matter here, checked on the parsed Dockerfile -------------------------

def _dockerfile() -> list:
    return list(dockerfile.parse_file(str(ROOT / "Dockerfile")))


def _runs() -> list[str]:
    return [" ".join(c.value) for c in _dockerfile() if c.cmd.upper() == "RUN"]


def test_dockerfile_base_image_is_pinned():
    """DL3006/DL3007: a tagged base, never ``latest``; pinned to a patch release and a Debian release."""
    bases = [c.value[0] for c in _dockerfile() if c.cmd.upper() == "FROM"]
    assert bases
    for base in bases:
        name, _sep, tag = base.partition(":")
        assert "@sha256:" in base or re.fullmatch(r"\d+\.\d+\.\d+-[a-z]+-[a-z]+", tag), base
        assert "latest" not in tag


def test_dockerfile_apt_and_pip_leave_no_caches():
    """DL3014/DL3015/DL3009/DL3027/DL3042: apt-get (not apt) with -y and --no-install-recommends, its lists
    removed in the same layer; pip without its cache."""
    runs = _runs()
    installs = [r for r in runs if "apt-get install" in r]
    assert installs
    for run in installs:
        assert "--no-install-recommends" in run and re.search(r"install (-y|--yes)\b|\s-y\s", run)
        assert "apt-get update" in run and "rm -rf /var/lib/apt/lists/*" in run  # one layer: no stale lists
    assert not [r for r in runs if re.search(r"(^|&&|;)\s*apt\s", r)]
    for run in [r for r in runs if re.search(r"\bpip3? install\b", r)]:
        assert "--no-cache-dir" in run
    assert not [r for r in runs if re.search(r"(^|&&)\s*cd\s", r)]  # DL3003: WORKDIR, not cd
    assert not [c for c in _dockerfile() if c.cmd.upper() == "ADD"]  # DL3020: COPY for files


def test_dockerfile_copies_only_what_exists():
    for command in _dockerfile():
        if command.cmd.upper() == "COPY" and not any(f.startswith("--from") for f in command.flags):
            for source in command.value[:-1]:
                assert (ROOT / source).exists(), f"Dockerfile line {command.start_line}: COPY {source}: no such path"
    # the packages pip installs from the copied tree are all there
    copied = {v for c in _dockerfile() if c.cmd.upper() == "COPY" for v in c.value[:-1]}
    assert {"pyproject.toml", "workflow", "web", "tasks", "config"} <= copied


def test_dockerfile_runs_as_its_own_user_and_runs_the_native_command():
    """DL3002: the last USER is not root; DL3025: CMD in JSON form; the command it runs is the web replica's
    of config/stack.py (the one the native stack test starts), and the web has a health check (compose's:
    the workers and beat run this image too and serve no port, so the image carries none)."""
    commands = _dockerfile()
    users = [c.value[0] for c in commands if c.cmd.upper() == "USER"]
    assert users and users[-1] not in ("root", "0")
    cmd = [c for c in commands if c.cmd.upper() == "CMD"]
    assert len(cmd) == 1 and cmd[0].json and list(cmd[0].value) == COMMANDS["web"]
    has_healthcheck = any(c.cmd.upper() == "HEALTHCHECK" for c in commands)
    assert has_healthcheck or "healthcheck" in _compose()["services"]["web"]
    assert not [c for c in commands if c.cmd.upper() == "ENTRYPOINT"]  # compose's command replaces CMD alone


@pytest.mark.parametrize("rule", ["DL3007", "DL3015", "DL3009", "DL3002", "DL3025"])
def test_the_dockerfile_rules_catch_a_bad_dockerfile(rule, tmp_path, monkeypatch):
    """Each rule fails on a Dockerfile that breaks it: the checks above are not vacuous."""
    good = (ROOT / "Dockerfile").read_text()
    bad = {
        "DL3007": re.sub(r"^FROM \S+", "FROM python:latest", good, flags=re.M),
        "DL3015": good.replace("--no-install-recommends ", ""),
        "DL3009": good.replace(" && rm -rf /var/lib/apt/lists/*", ""),
        "DL3002": good.replace("USER itaflow", "USER root"),
        "DL3025": re.sub(r"^CMD .*$", "CMD gunicorn --config python:config.gunicorn web:create_app()", good,
                         flags=re.M),
    }[rule]
    broken = tmp_path / "Dockerfile"
    broken.write_text(bad)
    real = dockerfile.parse_file
    monkeypatch.setattr(dockerfile, "parse_file", lambda path: real(str(broken)))
    checks = {"DL3007": test_dockerfile_base_image_is_pinned, "DL3015": test_dockerfile_apt_and_pip_leave_no_caches,
              "DL3009": test_dockerfile_apt_and_pip_leave_no_caches,
              "DL3002": test_dockerfile_runs_as_its_own_user_and_runs_the_native_command,
              "DL3025": test_dockerfile_runs_as_its_own_user_and_runs_the_native_command}
    with pytest.raises(AssertionError):
        checks[rule]()


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


def _app(tmp_path, **env):
    from web import create_app

    app = create_app({"ITAFLOW_INSTANCE": str(tmp_path / "instance"), "ITAFLOW_SECRET_KEY": "deploy-test-0123456789",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite'}", **env})
    app.config["TESTING"] = True
    return app


def _sign_in(client, email="nobody@example.org"):
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    return client.post("/login", data={"email": email, "password": "x" * 12, "csrf_token": csrf})


def test_sign_in_works_while_redis_is_down(tmp_path):
    """REDIS_URL names a server that is not there (Redis restarted or stopped, bench/stack.py): the sign-in
    throttle keeps its counts in the process's memory meanwhile, so a sign-in is answered (401 for a wrong
    password), never a 500, and the throttle still holds."""
    from workflow.db import db

    app = _app(tmp_path, REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0")  # a new app: new, empty counts
    with app.app_context():
        db.create_all()
    client = app.test_client()
    statuses = [_sign_in(client).status_code for _ in range(11)]
    assert statuses[:10] == [401] * 10 and statuses[10] == 429


def test_a_database_gone_away_is_503_so_nginx_tries_another_replica(tmp_path):
    """PostgreSQL restarting under a request: 503 with Retry-After (nginx passes a GET to the other replica on
    503, bench/stack.py), not the 500 of a bug; the page asks the database nothing more."""
    app = _app(tmp_path, DATABASE_URL=f"postgresql://nobody@127.0.0.1:{_closed_port()}/itaflow")
    client = app.test_client()
    response = _sign_in(client)
    assert response.status_code == 503 and "Retry-After" in response.headers
    assert "ระบบขัดข้อง" in response.get_data(as_text=True)
    api = client.get("/api/v1/me", headers={"Authorization": "Bearer x" * 2})
    assert api.status_code in (401, 503)


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed when this returns: nothing listens there


def test_the_web_command_s_gunicorn_settings(monkeypatch):
    """config/gunicorn.py, read by the web command in both places: the masking access log (calendar secrets
    as ***), every interface of the container on port 8000 unless ITAFLOW_BIND says where, WEB_CONCURRENCY
    processes."""
    import importlib

    import config.gunicorn as conf

    monkeypatch.delenv("ITAFLOW_BIND", raising=False)
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    conf = importlib.reload(conf)
    assert conf.logger_class == "web.accesslog.MaskingLogger" and conf.accesslog == "-"
    assert conf.bind == ["0.0.0.0:8000"] and conf.workers == 3
    monkeypatch.setenv("ITAFLOW_BIND", "127.0.0.1:18001")
    monkeypatch.setenv("WEB_CONCURRENCY", "2")
    conf = importlib.reload(conf)
    assert conf.bind == ["127.0.0.1:18001"] and conf.workers == 2
    assert COMMANDS["web"][1:3] == ["--config", "python:config.gunicorn"]
