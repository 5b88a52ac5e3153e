"""The production stack started for real on this machine, without Docker.

Debian's nginx runs as a plain process with the configuration the official image renders from the same
template (``deploy/nginx/templates/``, envsubst on the ITAFLOW_* variables), in front of the gunicorn web
replicas; Celery workers and beat, a throwaway PostgreSQL cluster, a redis-server and a local SMTP server
complete it. The migrate step runs once, before any web or worker starts, as compose's ``depends_on`` orders
it. Every itaflow process gets config/stack.py's command and exactly its variables (plus the pinned clock
every process reads), nothing inherited: what runs here is what docker-compose.yml runs. A process that
exits is started again, as compose's ``restart: unless-stopped`` does.

Used by tests/test_stack.py and bench/stack.py. To try it by hand (Ctrl-C stops everything)::

    .venv/bin/python -m tests.nativestack
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http.client
import http.cookiejar
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from config.stack import COMMANDS, ENV, IMAGE_ENV, NGINX_FILTER, NGINX_TEMPLATE, TEST_ONLY_ENV
from tests.test_database_restart import Cluster
from tests.test_live import free_port, wait_for
from workflow.clock import set_fake_now

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
#: the name nginx finds as an upstream block natively (in Docker: web:8000, asked of Docker's DNS)
UPSTREAM = "itaflow_replicas"
#: what the stack's processes must not inherit from the caller: only config/stack.py's list is given
_OURS = re.compile(r"^(ITAFLOW_|MAIL_|CELERY_|DATABASE_URL$|REDIS_URL$|WEB_CONCURRENCY$|GUNICORN_|PROMETHEUS_)")


def _program(name: str) -> str:
    """A command's program: the venv's own (gunicorn, celery, itaflow), else the system's."""
    candidate = BIN / name
    return str(candidate) if candidate.exists() else (shutil.which(name) or name)


@dataclass
class Service:
    name: str  # web1, worker2, beat, nginx
    kind: str  # config/stack.py's service: web, worker, beat, proxy
    argv: list[str]
    env: dict[str, str]
    log: Path
    supervised: bool = True
    process: subprocess.Popen | None = None
    #: monotonic instants at which it was started again after exiting on its own (or being killed)
    restarts: list[float] = field(default_factory=list)

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.argv, env=self.env, cwd=ROOT, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, sig: int) -> None:
        """To the whole process group: a replica's master and its workers, a worker and its pool."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM (gunicorn and Celery finish what they hold), SIGKILL after ``timeout`` and for whatever the
        group left behind (a worker's pool processes)."""
        self.supervised = False
        if self.process is None:
            return
        self.signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout)
        self.signal(signal.SIGKILL)
        self.process.wait()


class NativeStack:
    """Start with :meth:`start`, stop with :meth:`close`; :attr:`url` is nginx."""

    def __init__(self, *, replicas: int = 2, workers: int = 2, web_concurrency: int = 2, sweep_seconds: int = 1,
                 lease_seconds: int = 5, clock_start: datetime | None = None, relay_delay: float = 0.0):
        # pytest's tmp_path is root's alone (0700): PostgreSQL's own user could not reach its cluster there
        self.folder = Path(tempfile.mkdtemp(prefix="itaflow-stack-"))
        self.folder.chmod(0o755)
        self.logs = self.folder / "logs"
        self.logs.mkdir()
        self.replicas, self.workers, self.web_concurrency = replicas, workers, web_concurrency
        self.sweep_seconds, self.lease_seconds, self.relay_delay = sweep_seconds, lease_seconds, relay_delay
        self.clock_file = self.folder / "clock"
        self.clock_start = clock_start or datetime.now(UTC)
        self._clock_origin = time.monotonic()
        self.redis_port, self.smtp_port, self.nginx_port = free_port(), free_port(), free_port()
        self.web_ports = [free_port() for _ in range(replicas)]
        self.url = f"http://127.0.0.1:{self.nginx_port}"
        self.services: dict[str, Service] = {}
        self.cluster: Cluster | None = None
        self.redis: subprocess.Popen | None = None
        self.sink = None
        self._sink_controller = None
        self._closing = threading.Event()
        self.secret = "native-stack-" + secrets.token_urlsafe(16)
        self.data_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()  # a Fernet key
        #: seconds each part of the start took
        self.timings: dict[str, float] = {}

    # -- the clock every process reads ------------------------------------------------------------------------

    def now(self) -> datetime:
        """The stack's instant: ``clock_start``, ticking at the real pace from the moment the stack was made."""
        from datetime import timedelta

        return self.clock_start + timedelta(seconds=time.monotonic() - self._clock_origin)

    def _tick(self) -> None:
        while not self._closing.wait(0.2):
            set_fake_now(self.clock_file, self.now())

    # -- the environment: config/stack.py's names, this machine's values ------------------------------------

    def values(self) -> dict[str, str]:
        assert self.cluster is not None
        return {
            "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{self.cluster.port}/postgres",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "ITAFLOW_SECRET_KEY": self.secret,
            "ITAFLOW_BASE_URL": self.url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(self.smtp_port),
            "ITAFLOW_SWEEP_SECONDS": str(self.sweep_seconds),
            "ITAFLOW_MAIL_LEASE_SECONDS": str(self.lease_seconds),
            "ITAFLOW_DATA_KEYS": self.data_key,
            "PROMETHEUS_MULTIPROC_DIR": str(self.folder / "metrics"),
            "ITAFLOW_PROXIES": "1",
            "WEB_CONCURRENCY": str(self.web_concurrency),
            "ITAFLOW_LISTEN": f"127.0.0.1:{self.nginx_port}",
            "ITAFLOW_UPSTREAM": UPSTREAM,
            "ITAFLOW_RESOLVER": "127.0.0.1",  # never asked: UPSTREAM is a block of the main configuration
            "NGINX_ENVSUBST_FILTER": NGINX_FILTER,
            "ITAFLOW_INSTANCE": str(self.folder / "instance"),
            "ITAFLOW_CLOCK_FILE": str(self.clock_file),
        }

    def env_for(self, kind: str, **values: str) -> dict[str, str]:
        """What a service of config/stack.py's ``kind`` is given: the caller's PATH, HOME, locale and the like,
        then exactly the list's variables (a name the list has and this machine gives no value fails here)."""
        base = {k: v for k, v in os.environ.items() if not _OURS.match(k)}
        base["PYTHONPATH"] = str(ROOT)  # this checkout's code, as the image holds its own copy
        given = {**self.values(), **values}
        names = ENV[kind] + (() if kind == "proxy" else IMAGE_ENV + TEST_ONLY_ENV)
        return {**base, **{name: given[name] for name in names}}

    def command(self, kind: str) -> list[str]:
        argv = list(COMMANDS[kind])
        return [_program(argv[0]), *argv[1:]]

    # -- starting ----------------------------------------------------------------------------------------------

    def start(self, populate: Callable[[NativeStack], None] | None = None) -> None:
        """PostgreSQL and Redis, the SMTP server, the migrate step (once, to its end, before anything that
        uses the schema: compose's ``service_completed_successfully``), then the web replicas, the workers and
        beat, and meanwhile ``populate`` (in this process, on the migrated database); nginx once the replicas
        answer."""
        from tasks.sink import start_sink

        began = time.monotonic()

        def lap(what: str) -> None:
            self.timings[what] = time.monotonic() - began - sum(self.timings.values())

        set_fake_now(self.clock_file, self.now())
        threading.Thread(target=self._tick, daemon=True).start()
        self.cluster = Cluster(self.folder)
        self.start_redis()
        self._sink_controller, self.sink = start_sink(port=self.smtp_port)
        self.sink.delay = self.relay_delay
        lap("postgres, redis")
        migrate = subprocess.run(self.command("migrate"), env=self.env_for("migrate"), cwd=ROOT,
                                 capture_output=True, text=True, timeout=180)
        (self.logs / "migrate.log").write_text(migrate.stdout + migrate.stderr)
        assert migrate.returncode == 0, f"the migrate step failed: {migrate.stdout}{migrate.stderr}"
        lap("migrate")
        for n, port in enumerate(self.web_ports, start=1):
            self._add(f"web{n}", "web", ITAFLOW_BIND=f"127.0.0.1:{port}")
        for n in range(1, self.workers + 1):
            self._add(f"worker{n}", "worker")
        self._add("beat", "beat")
        if populate is not None:
            populate(self)
        for port in self.web_ports:
            wait_for(lambda port=port: _healthy(f"http://127.0.0.1:{port}/readyz"), 120, f"web replica on {port}")
        self._start_nginx()
        wait_for(lambda: _healthy(self.url + "/readyz"), 30, "nginx in front of the replicas")
        lap("populate, web, workers, beat, nginx")
        threading.Thread(target=self._supervise, daemon=True).start()

    def _add(self, name: str, kind: str, **values: str) -> Service:
        service = Service(name, kind, self.command(kind), self.env_for(kind, **values), self.logs / f"{name}.log")
        service.start()
        self.services[name] = service
        return service

    def app(self):
        """The application in this process, on the stack's database and settings (to load data and look)."""
        from web import create_app

        return create_app(self.env_for("worker"))

    # -- nginx: the template rendered as the official image renders it ---------------------------------------

    def nginx_dir(self) -> Path:
        return self.folder / "nginx"

    def _start_nginx(self) -> None:
        home = self.nginx_dir()
        nginx_home(home, render_nginx_template(self.env_for("proxy")), [f"127.0.0.1:{p}" for p in self.web_ports])
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        assert Path(nginx).exists(), "nginx is missing: install Debian's nginx (./scripts/test does)"
        base = [nginx, "-p", str(home), "-c", str(home / "nginx.conf")]
        check = subprocess.run([*base, "-t", "-g", f"pid {home}/nginx.pid;"], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        service = Service("nginx", "proxy", [*base, "-g", f"daemon off; pid {home}/nginx.pid;"],
                          self.env_for("proxy"), self.logs / "nginx.log")
        service.start()
        self.services["nginx"] = service

    def access_log(self) -> list[str]:
        path = self.nginx_dir() / "access.log"
        return path.read_text(errors="replace").splitlines() if path.exists() else []

    # -- breaking it ------------------------------------------------------------------------------------------

    def kill(self, name: str, sig: int = signal.SIGKILL) -> float:
        """Kill a service's whole process group (a container dying); the supervisor starts it again. Returns the
        monotonic instant of the kill."""
        at = time.monotonic()
        self.services[name].signal(sig)
        return at

    def restart_postgres(self) -> None:
        assert self.cluster is not None
        self.cluster.restart()

    def start_redis(self) -> None:
        data = self.folder / "redis"
        data.mkdir(exist_ok=True)
        # as compose runs it: an append-only file, so a restart keeps what the broker held
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--dir", str(data),
             "--appendonly", "yes", "--save", ""], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        client = redis.Redis(port=self.redis_port)
        wait_for(lambda: _pings(client), 15, "redis")

    def stop_redis(self) -> None:
        if self.redis is not None and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(20)

    def _supervise(self) -> None:
        while not self._closing.wait(0.25):
            for service in list(self.services.values()):
                if service.supervised and not self._closing.is_set() and not service.alive():
                    service.signal(signal.SIGKILL)  # a replica's orphaned workers go with their master
                    service.restarts.append(time.monotonic())
                    service.start()

    def close(self, keep: bool = False) -> None:
        """Stop everything; remove the folder unless ``keep`` (its logs and nginx's access log)."""
        self._closing.set()
        if "nginx" in self.services:
            self.services["nginx"].stop()
        stopping = [threading.Thread(target=service.stop) for name, service in self.services.items() if name != "nginx"]
        for thread in stopping:  # all at once, as `docker compose down` does
            thread.start()
        for thread in stopping:
            thread.join()
        if self._sink_controller is not None:
            self._sink_controller.stop()
        self.stop_redis()
        if self.cluster is not None:
            with contextlib.suppress(subprocess.CalledProcessError):
                self.cluster.stop()
        if not keep:
            shutil.rmtree(self.folder, ignore_errors=True)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")


def render_nginx_template(env: Mapping[str, str]) -> str:
    """The template as the official image's entrypoint renders it (20-envsubst-on-templates.sh): ``envsubst``
    with the variables defined in the proxy's environment whose names match NGINX_ENVSUBST_FILTER, so
    nginx's own ``$host`` and the like stay."""
    pattern = re.compile(env.get("NGINX_ENVSUBST_FILTER") or "")
    names = " ".join(f"${{{name}}}" for name in sorted(env) if pattern.search(name))
    return subprocess.run([shutil.which("envsubst") or "envsubst", names], input=(ROOT / NGINX_TEMPLATE).read_text(),
                          env=dict(env), capture_output=True, text=True, check=True).stdout


def nginx_home(home: Path, rendered: str, replicas: list[str]) -> None:
    """nginx's folder for ``nginx -p home -c home/nginx.conf``: the rendered template in conf.d, as the image
    puts it, the main configuration, and the temporary folders."""
    (home / "conf.d").mkdir(parents=True, exist_ok=True)
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (home / "tmp" / temp).mkdir(parents=True, exist_ok=True)
    (home / "conf.d" / "default.conf").write_text(rendered)
    (home / "nginx.conf").write_text(native_main_conf(home, replicas))


def native_main_conf(home: Path, replicas: list[str]) -> str:
    """nginx's main configuration on this machine: what the official image's /etc/nginx/nginx.conf does
    (events, an http block including conf.d/*.conf), its files under ``home``, and the upstream block of the
    local replicas that the template's ITAFLOW_UPSTREAM names. Like the addresses Docker's DNS gives in
    compose, a replica is never marked down (``max_fails=0``): a dead one refuses at once and the request goes
    to the next; a 503 while PostgreSQL restarts must not take both replicas out of the block for seconds."""
    servers = "\n".join(f"    server {address} max_fails=0;" for address in replicas)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers that can read the folders made by root
    return f"""{user}worker_processes 2;
error_log {home}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  log_format itaflow '$remote_addr [$time_iso8601] "$request" $status $request_time '
                     'upstream="$upstream_addr" upstream_status="$upstream_status"';
  access_log {home}/access.log itaflow;
  client_body_temp_path {home}/tmp/body;
  proxy_temp_path {home}/tmp/proxy;
  fastcgi_temp_path {home}/tmp/fastcgi;
  uwsgi_temp_path {home}/tmp/uwsgi;
  scgi_temp_path {home}/tmp/scgi;
  upstream {UPSTREAM} {{
{servers}
  }}
  include {home}/conf.d/*.conf;
}}
"""


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def _pings(client) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


class _FromAddress(urllib.request.HTTPHandler):
    def __init__(self, source: str):
        super().__init__()
        self.source = source

    def http_open(self, req):
        return self.do_open(functools.partial(http.client.HTTPConnection, source_address=(self.source, 0)), req)


class Browser:
    """One person's browser against the stack: cookies, CSRF tokens from the page, redirects followed."""

    CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

    def __init__(self, base: str, timeout: float = 30, source: str | None = None):
        """``source``: the loopback address this person comes from (127.0.1.N), so each has their own as
        nginx and the sign-in throttle see it."""
        self.base, self.timeout = base, timeout
        handlers: list[urllib.request.BaseHandler] = [urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())]
        if source:
            handlers.append(_FromAddress(source))
        self.opener = urllib.request.build_opener(*handlers)
        self.page = ""

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        token = self.CSRF.search(self.page)
        body = urllib.parse.urlencode({**({"csrf_token": token[1]} if token else {}), **data}).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, method="POST"))

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                self.page = response.read().decode("utf-8", "replace")
                return response.status, self.page
        except urllib.error.HTTPError as error:
            self.page = error.read().decode("utf-8", "replace")
            return error.code, self.page

    def sign_in(self, email: str, password: str) -> int:
        self.get("/login")
        status, _page = self.post("/login", {"email": email, "password": password})
        return status

    def version(self) -> str:
        found = re.search(r'name="version" value="(\d+)"', self.page)
        assert found, "no form with a version on the page"
        return found[1]


def main() -> None:  # pragma: no cover - by hand
    from workflow.onboarding.demo import run_demo

    logins = []

    def demo(stack: NativeStack) -> None:
        from workflow.db import db

        with stack.app().app_context():
            _result, made = run_demo(now=stack.now())
            db.session.commit()
            logins.extend(made)

    stack = NativeStack()
    stopping = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        stack.start(demo)
        print(f"itaflow behind nginx: {stack.url}  (files and logs in {stack.folder}; Ctrl-C stops everything)")
        for login in logins:
            print(f"  {login.role:12} {login.email:40} {login.password}")
        stopping.wait()
    finally:
        stack.close()


if __name__ == "__main__":
    main()
