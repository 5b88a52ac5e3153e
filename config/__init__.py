"""Every setting of itaflow, read from the environment in one place.

The defaults run the embedded mode: a SQLite file under the instance folder, a SQLite-backed Celery
broker, and a local SMTP sink. Production changes only environment variables (``DATABASE_URL``,
``CELERY_BROKER_URL``, ``MAIL_SERVER``...), never code.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

TIMEZONE = "Asia/Bangkok"


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _instance_secret(instance: Path, name: str) -> str:
    """A random secret kept in the instance folder, so the embedded mode needs no configuration
    and never runs with a key written in the source."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


#: what each kind of provider is, unless its settings say otherwise: its name on the button, the scopes asked,
#: and how a sign-in finds its account (a verified e-mail, or the citizen id kept as a keyed hash)
SSO_KINDS = {
    "thaid": {"name": "ThaID", "scope": "openid pid name", "match": "citizen"},
    "digitalid": {"name": "Digital ID", "scope": "openid pid name", "match": "citizen"},
    "google": {"name": "Google", "scope": "openid email profile", "match": "email"},
    "microsoft": {"name": "Microsoft", "scope": "openid email profile", "match": "email"},
    "oidc": {"name": "", "scope": "openid email profile", "match": "email"},
}


@dataclass(frozen=True)
class SsoProvider:
    """An OpenID Connect provider of this deployment (``ITAFLOW_SSO_<ID>_...``). Agencies switch it on; its
    client secret comes from the environment and is never shown, logged or put in the audit log."""

    id: str  # short, lower case: in the callback's address and in the agencies' settings
    kind: str  # a key of SSO_KINDS
    name: str  # on the button: "เข้าสู่ระบบด้วย <name>"
    issuer: str
    discovery_url: str
    client_id: str
    client_secret: str = field(repr=False)
    scope: str = "openid email profile"
    match: str = "email"  # "email" (a verified e-mail claim) or "citizen" (ThaID's citizen id, hashed)
    citizen_claim: str = "pid"  # the claim that holds the 13-digit citizen id (match "citizen")


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    secret_key: str
    audit_key: str
    broker_url: str
    result_backend: str | None
    redis_url: str | None
    mail_server: str
    mail_port: int
    mail_use_tls: bool
    mail_use_ssl: bool
    mail_username: str | None
    mail_password: str | None
    mail_sender: str
    mail_timeout: float
    base_url: str
    digits: str  # "thai" or "arabic": how dates and numbers are shown by default
    language: str  # "th" or "en"
    round_policy: str  # "previous" or "next" working day for a round on a weekend or holiday
    deadline_policy: str  # same, for a deadline
    sweep_seconds: int
    office_hour: str
    overdue_repeat_days: int  # working days between repeated overdue alerts
    escalate_after_days: int  # working days overdue before the director hears
    mail_max_attempts: int
    mail_lease_seconds: int  # a claimed row is retried after this if its worker died
    page_cache: int = 512  # rendered pages kept in memory per worker (web/pagecache.py); 0 turns it off
    idle_minutes: int = 60  # a session ends after this long without a request (ASVS 7.3.1)
    #: reverse proxies in front of the web (0: none): their X-Forwarded-For/-Proto/-Host are believed, that many
    proxies: int = 0
    #: SMTP connections delivering at once when a sweep queues mail (each a send_outbox task on a worker)
    mail_senders: int = 2
    #: the LINE Messaging API (a local server that follows its contract in the tests)
    line_api_url: str = "https://api.line.me"
    line_timeout: float = 10.0
    #: keys that encrypt the secrets the database holds (LINE's token and secret, TOTP seeds): Fernet keys,
    #: the first encrypts, every one decrypts (``ITAFLOW_DATA_KEYS``, newest first; rotation: workflow/secretbox.py)
    data_keys: tuple[str, ...] = ()
    #: plain HTTP on a host other than this machine, chosen explicitly (``ITAFLOW_PLAIN_HTTP=1``): cookies then
    #: travel without ``Secure``; a warning at start and on the admin page
    plain_http: bool = False
    #: OpenID Connect providers agencies may switch on (none: password sign-in only)
    sso_providers: tuple[SsoProvider, ...] = ()
    #: keys of the HMAC that keeps provider subjects and citizen ids (never stored in clear); the first signs
    #: new values, the others are older keys still recognised (a value found under one is re-keyed)
    identity_keys: tuple[str, ...] = field(default=(), repr=False)
    #: seconds a call to a provider (discovery, keys, token) may take
    sso_timeout: float = 10.0
    #: where ``itaflow backup`` and the daily schedule write archives (default: <instance>/backups)
    backup_dir: Path | None = None
    #: daily backups kept by the schedule (the oldest removed after each new one); 0: no schedule
    backup_keep: int = 7
    #: Bangkok time of the daily backup
    backup_at: str = "02:00"
    #: ``/metrics`` answers a request bearing this token (``Authorization: Bearer …``), or from an address of
    #: ``metrics_allow`` (networks, comma-separated; the client's address as the proxy reports it)
    metrics_token: str | None = field(default=None, repr=False)
    metrics_allow: tuple[str, ...] = ("127.0.0.1/32", "::1/128")
    #: "json": one JSON object a line (request ids, nothing secret); "text": for a person at a terminal
    log_format: str = "json"

    def flask_config(self) -> dict:
        """The keys Flask and its extensions read."""
        return {
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(self.database_url),
            "ITAFLOW": self,
        }

    def as_dict(self) -> dict:
        data = asdict(self)
        for key in ("secret_key", "audit_key", "mail_password", "data_keys", "metrics_token"):
            if data.get(key):
                data[key] = "***"
        data["identity_keys"] = ["***" for _ in self.identity_keys]
        for provider in data["sso_providers"]:
            provider["client_secret"] = "***"
        return data


def _engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        # Wait for a writer instead of failing at once: the web, the worker and beat share the file.
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    instance = Path(env.get("ITAFLOW_INSTANCE", "instance")).resolve()
    instance.mkdir(parents=True, exist_ok=True)
    # the database, uploads, cached documents and secrets live here: the service's user only (a folder
    # prepared by someone else keeps the mode they chose)
    with contextlib.suppress(PermissionError):
        instance.chmod(0o700)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'itaflow.sqlite'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    secret_key = env.get("ITAFLOW_SECRET_KEY") or _instance_secret(instance, "secret_key")
    redis_url = env.get("REDIS_URL") or None
    broker = env.get("CELERY_BROKER_URL") or redis_url or f"sqla+sqlite:///{instance / 'broker.sqlite'}"
    return Settings(
        instance_path=instance,
        database_url=database_url,
        secret_key=secret_key,
        audit_key=env.get("ITAFLOW_AUDIT_KEY") or secret_key,
        broker_url=broker,
        result_backend=env.get("CELERY_RESULT_BACKEND") or None,
        redis_url=redis_url,
        mail_server=env.get("MAIL_SERVER", "127.0.0.1"),
        mail_port=int(env.get("MAIL_PORT", "8025")),
        mail_use_tls=_bool(env.get("MAIL_USE_TLS", "0")),
        mail_use_ssl=_bool(env.get("MAIL_USE_SSL", "0")),
        mail_username=env.get("MAIL_USERNAME") or None,
        mail_password=env.get("MAIL_PASSWORD") or None,
        mail_sender=env.get("MAIL_DEFAULT_SENDER", "itaflow <itaflow@localhost>"),
        mail_timeout=float(env.get("MAIL_TIMEOUT", "20")),
        base_url=env.get("ITAFLOW_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        digits=_choice(env, "ITAFLOW_DIGITS", "thai", {"thai", "arabic"}),
        language=_choice(env, "ITAFLOW_LANGUAGE", "th", {"th", "en"}),
        round_policy=_choice(env, "ITAFLOW_ROUND_POLICY", "previous", {"previous", "next"}),
        deadline_policy=_choice(env, "ITAFLOW_DEADLINE_POLICY", "next", {"previous", "next"}),
        sweep_seconds=int(env.get("ITAFLOW_SWEEP_SECONDS", "60")),
        office_hour=env.get("ITAFLOW_OFFICE_HOUR", "08:30"),
        overdue_repeat_days=int(env.get("ITAFLOW_OVERDUE_REPEAT_DAYS", "3")),
        escalate_after_days=int(env.get("ITAFLOW_ESCALATE_AFTER_DAYS", "3")),
        mail_max_attempts=int(env.get("ITAFLOW_MAIL_MAX_ATTEMPTS", "8")),
        mail_lease_seconds=int(env.get("ITAFLOW_MAIL_LEASE_SECONDS", "300")),
        page_cache=int(env.get("ITAFLOW_PAGE_CACHE", "512")),
        idle_minutes=max(1, int(env.get("ITAFLOW_IDLE_MINUTES", "60"))),
        proxies=max(0, min(5, int(env.get("ITAFLOW_PROXIES", "0")))),
        mail_senders=max(1, min(32, int(env.get("ITAFLOW_MAIL_SENDERS", "2")))),
        line_api_url=env.get("ITAFLOW_LINE_API", "https://api.line.me").rstrip("/"),
        line_timeout=float(env.get("ITAFLOW_LINE_TIMEOUT", "10")),
        data_keys=_data_keys(env, instance),
        plain_http=(plain_http := _bool(env.get("ITAFLOW_PLAIN_HTTP", "0"))),
        sso_providers=(providers := _sso_providers(env, plain_http=plain_http)),
        identity_keys=_identity_keys(env, providers),
        sso_timeout=float(env.get("ITAFLOW_SSO_TIMEOUT", "10")),
        backup_dir=Path(env["ITAFLOW_BACKUP_DIR"]).resolve() if env.get("ITAFLOW_BACKUP_DIR") else instance / "backups",
        backup_keep=max(0, int(env.get("ITAFLOW_BACKUP_KEEP", "7"))),
        backup_at=env.get("ITAFLOW_BACKUP_AT", "02:00"),
        metrics_token=env.get("ITAFLOW_METRICS_TOKEN") or None,
        metrics_allow=tuple(n.strip() for n in env.get("ITAFLOW_METRICS_ALLOW", "127.0.0.1/32,::1/128").split(",")
                            if n.strip()),
        log_format=_choice(env, "ITAFLOW_LOG_FORMAT", "json", {"json", "text"}),
    )


def loopback(host: str) -> bool:
    """This machine: the only place plain HTTP is allowed without ``ITAFLOW_PLAIN_HTTP=1`` (our base URL, a
    provider's issuer)."""
    import ipaddress

    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _sso_providers(env: Mapping[str, str], *, plain_http: bool) -> tuple[SsoProvider, ...]:
    """``ITAFLOW_SSO_PROVIDERS=thaid,google`` and, for each, ``ITAFLOW_SSO_<ID>_ISSUER``, ``_CLIENT_ID`` and
    ``_CLIENT_SECRET`` (required); ``_KIND``, ``_NAME``, ``_SCOPE``, ``_DISCOVERY``, ``_CITIZEN_CLAIM``
    (optional). A missing or malformed one stops the start with its name (the secret's value never shown).
    An issuer on plain HTTP (the client secret and the tokens would cross the network unencrypted) only on
    this machine, or where plain HTTP was chosen explicitly (``ITAFLOW_PLAIN_HTTP=1``)."""
    import re
    from urllib.parse import urlsplit

    out = []
    for pid in [p.strip().lower() for p in env.get("ITAFLOW_SSO_PROVIDERS", "").split(",") if p.strip()]:
        if not re.fullmatch(r"[a-z][a-z0-9]{0,15}", pid):
            raise ValueError(f"ITAFLOW_SSO_PROVIDERS: {pid!r} is not a provider id (a-z, 0-9, at most 16)")
        prefix = f"ITAFLOW_SSO_{pid.upper()}_"

        def get(name: str, default: str | None = None, *, prefix: str = prefix) -> str:
            value = (env.get(prefix + name) or "").strip() or default
            if value is None:
                raise ValueError(f"{prefix}{name} is required for the provider in ITAFLOW_SSO_PROVIDERS")
            return value

        kind = get("KIND", pid if pid in SSO_KINDS else "oidc").lower()
        if kind not in SSO_KINDS:
            raise ValueError(f"{prefix}KIND must be one of {sorted(SSO_KINDS)}, not {kind!r}")
        defaults = SSO_KINDS[kind]
        issuer = get("ISSUER").rstrip("/")
        discovery = get("DISCOVERY", issuer + "/.well-known/openid-configuration")
        for name, address in (("ISSUER", issuer), ("DISCOVERY", discovery)):
            parts = urlsplit(address)
            if parts.scheme not in ("https", "http") or not parts.hostname:
                raise ValueError(f"{prefix}{name} must be an http(s) address")
            if parts.scheme == "http" and not (plain_http or loopback(parts.hostname)):
                raise ValueError(f"{prefix}{name} is plain HTTP: the client secret and the tokens would cross the "
                                 "network unencrypted. Use the provider's https:// address (or choose plain HTTP "
                                 "explicitly with ITAFLOW_PLAIN_HTTP=1)")
        match = get("MATCH", defaults["match"])
        if match not in ("email", "citizen"):
            raise ValueError(f"{prefix}MATCH must be email or citizen")
        out.append(SsoProvider(
            id=pid, kind=kind, name=get("NAME", defaults["name"] or pid), issuer=issuer, discovery_url=discovery,
            client_id=get("CLIENT_ID"), client_secret=get("CLIENT_SECRET"), scope=get("SCOPE", defaults["scope"]),
            match=match, citizen_claim=get("CITIZEN_CLAIM", "pid")))
    return tuple(out)


def _identity_keys(env: Mapping[str, str], providers: tuple[SsoProvider, ...]) -> tuple[str, ...]:
    """``ITAFLOW_IDENTITY_KEY``: one key, or several separated by commas (the newest first, while older values
    are re-keyed). Required once a provider is configured: subjects and citizen ids are kept only as HMACs."""
    keys = tuple(k.strip() for k in env.get("ITAFLOW_IDENTITY_KEY", "").split(",") if k.strip())
    if providers and not keys:
        raise ValueError("ITAFLOW_IDENTITY_KEY is required with ITAFLOW_SSO_PROVIDERS: the key of the HMAC that "
                         "keeps sign-in subjects and citizen ids (at least 32 random characters)")
    if any(len(k) < 32 for k in keys):
        raise ValueError("ITAFLOW_IDENTITY_KEY: each key must have at least 32 characters")
    return keys


def _data_keys(env: Mapping[str, str], instance: Path) -> tuple[str, ...]:
    """``ITAFLOW_DATA_KEYS`` (comma-separated Fernet keys, the newest first), else one kept in the instance
    folder beside the secret key (the embedded mode needs no configuration)."""
    given = tuple(k.strip() for k in env.get("ITAFLOW_DATA_KEYS", "").split(",") if k.strip())
    if given:
        return given
    path = instance / "data_key"
    if not path.exists():
        import base64

        key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(key)
    return (path.read_text().strip(),)


def _choice(env: Mapping[str, str], name: str, default: str, allowed: set[str]) -> str:
    value = env.get(name, default).strip().lower()
    if value not in allowed:
        raise ValueError(f"{name} must be one of {sorted(allowed)}, not {value!r}")
    return value
