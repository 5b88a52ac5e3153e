"""``itaflow doctor`` and the admin's system page: what is wrong with this deployment, and what to do about it,
in Thai and English. Each check looks at one thing (the settings, the database's schema, Redis, the SMTP relay,
LINE, disk space, the instance files' modes, the clock against the database's, the backups) with short
timeouts, and never shows a secret.

A finding is ``ok``, ``warn`` (works, but should be changed) or ``problem`` (something is or will be broken);
``itaflow doctor`` exits 1 when there is a problem.
"""

from __future__ import annotations

import os
import shutil
import smtplib
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

from flask import current_app
from sqlalchemy import select, text

from workflow.db import db

OK, WARN, PROBLEM = "ok", "warn", "problem"
#: free space under which the instance's disk is a problem (and a warning below twice this)
MIN_FREE_BYTES = 1 << 30
#: the database's clock and ours may differ by this much
CLOCK_SLACK_SECONDS = 5.0
TIMEOUT = 3.0


@dataclass(frozen=True)
class Finding:
    check: str  # a short English name: "settings", "database", "redis", "smtp", "line", "disk", "files"...
    level: str  # OK, WARN or PROBLEM
    th: str
    en: str
    fix_th: str = ""
    fix_en: str = ""


def _settings():
    return current_app.config["ITAFLOW"]


def _local(host: str | None) -> bool:
    return host in (None, "", "localhost", "127.0.0.1", "::1")


def check_settings(now: datetime) -> list[Finding]:
    settings = _settings()
    found: list[Finding] = []
    production = settings.database_url.startswith("postgresql")
    if len(settings.secret_key) < 32:
        found.append(Finding("settings", PROBLEM, "ITAFLOW_SECRET_KEY สั้นเกินไป", "ITAFLOW_SECRET_KEY is too short",
                             "ตั้งเป็นค่าสุ่มยาวอย่างน้อย 32 ตัวอักษร", "set it to at least 32 random characters"))
    kept = settings.instance_path / "secret_key"
    if production and kept.exists() and kept.read_text().strip() == settings.secret_key:
        found.append(Finding("settings", WARN, "กุญแจลับอยู่ในไฟล์ของ instance ไม่ได้ตั้งจากสภาพแวดล้อม",
                             "the secret key lives in the instance folder, not in the environment",
                             "ตั้ง ITAFLOW_SECRET_KEY เหมือนกันทุกเครื่อง และเก็บสำเนาไว้แยกจากไฟล์สำรอง",
                             "set ITAFLOW_SECRET_KEY, the same on every host, and keep a copy apart from the backups"))
    base = urlparse(settings.base_url)
    if base.scheme != "https" and not _local(base.hostname):
        found.append(Finding("settings", WARN, f"ITAFLOW_BASE_URL ไม่ใช่ https ({settings.base_url})",
                             f"ITAFLOW_BASE_URL is not https ({settings.base_url})",
                             "ให้ nginx รับ TLS แล้วตั้ง ITAFLOW_BASE_URL=https://…",
                             "terminate TLS at the proxy and set ITAFLOW_BASE_URL=https://…"))
    if production and _local(base.hostname):
        found.append(Finding("settings", WARN, "ลิงก์ในอีเมลชี้ไปที่เครื่องนี้ (localhost)",
                             "links in e-mails point at localhost",
                             "ตั้ง ITAFLOW_BASE_URL เป็นที่อยู่ที่ผู้ใช้เปิดได้", "set ITAFLOW_BASE_URL to the address people open"))
    if os.environ.get("ITAFLOW_CLOCK_FILE"):
        found.append(Finding("settings", PROBLEM, "ITAFLOW_CLOCK_FILE ถูกตั้งไว้: เวลาของระบบเป็นเวลาทดสอบ",
                             "ITAFLOW_CLOCK_FILE is set: the system runs on a test clock",
                             "ลบ ITAFLOW_CLOCK_FILE ออกจากสภาพแวดล้อม",
                             "remove ITAFLOW_CLOCK_FILE from the environment"))
    if settings.metrics_token is not None and len(settings.metrics_token) < 24:
        found.append(Finding("settings", WARN, "ITAFLOW_METRICS_TOKEN สั้นเกินไป", "ITAFLOW_METRICS_TOKEN is short",
                             "ใช้ค่าสุ่มอย่างน้อย 24 ตัวอักษร", "use at least 24 random characters"))
    try:
        hours, _, minutes = settings.backup_at.partition(":")
        if not (0 <= int(hours) < 24 and 0 <= int(minutes or 0) < 60):
            raise ValueError
    except ValueError:
        found.append(Finding("settings", PROBLEM, f"ITAFLOW_BACKUP_AT อ่านไม่ได้ ({settings.backup_at})",
                             f"ITAFLOW_BACKUP_AT is not a time ({settings.backup_at})", "ใช้รูปแบบ HH:MM เช่น 02:00",
                             "write it HH:MM, like 02:00"))
    return found or [Finding("settings", OK, "ค่าตั้งระบบใช้ได้", "settings are sound")]


def check_database(now: datetime) -> list[Finding]:
    from workflow.operations import schema

    head = schema.code_head()
    try:
        with db.engine.connect() as connection:
            revision = schema.database_revision(connection)
            if db.engine.dialect.name == "postgresql":
                theirs = connection.execute(text("SELECT CURRENT_TIMESTAMP")).scalar_one()
            else:
                theirs = None  # SQLite has no clock of its own: it reads this machine's
    except Exception as exc:
        return [Finding("database", PROBLEM, f"ต่อฐานข้อมูลไม่ได้: {_first_line(exc)}",
                        f"cannot reach the database: {_first_line(exc)}",
                        "ตรวจ DATABASE_URL และว่าเซิร์ฟเวอร์ทำงานอยู่", "check DATABASE_URL and that the server runs")]
    found = []
    if revision == head:
        found.append(Finding("database", OK, f"โครงสร้างฐานข้อมูลเป็นรุ่นล่าสุด ({head})",
                             f"the database schema is at this release's head ({head})"))
    elif not schema.known(revision):
        found.append(Finding("database", PROBLEM, f"ฐานข้อมูลเป็นรุ่นที่โปรแกรมนี้ไม่รู้จัก ({revision})",
                             f"the database is at a revision this release does not know ({revision})",
                             "ใช้ itaflow รุ่นเดียวกับที่ปรับฐานข้อมูล", "run the itaflow release that migrated it"))
    else:
        found.append(Finding("database", PROBLEM, f"ฐานข้อมูลยังไม่ได้ปรับเป็นรุ่นล่าสุด ({revision or 'ว่าง'} → {head})",
                             f"the database is behind this release ({revision or 'empty'} → {head})",
                             "รัน itaflow init (docker compose: บริการ migrate)",
                             "run itaflow init (compose: the migrate service)"))
    if theirs is None:
        found.append(Finding("clock", OK, "SQLite ใช้นาฬิกาของเครื่องนี้เอง", "SQLite reads this machine's own clock"))
    else:
        drift = abs((theirs - now).total_seconds())
        if drift > CLOCK_SLACK_SECONDS:
            found.append(Finding("clock", PROBLEM, f"นาฬิกาของเครื่องนี้ต่างจากฐานข้อมูล {drift:.0f} วินาที",
                                 f"this machine's clock and the database's differ by {drift:.0f} s",
                                 "ตั้ง NTP (chrony หรือ systemd-timesyncd) ทุกเครื่อง",
                                 "run NTP (chrony or systemd-timesyncd) on every host"))
        else:
            found.append(Finding("clock", OK, f"นาฬิกาตรงกับฐานข้อมูล (ต่างกัน {drift:.1f} วินาที)",
                                 f"the clock agrees with the database's ({drift:.1f} s apart)"))
    return found


def check_redis(now: datetime) -> list[Finding]:
    settings = _settings()
    url = settings.redis_url or (settings.broker_url if settings.broker_url.startswith("redis") else None)
    if not url:
        return [Finding("redis", OK, "ไม่ได้ใช้ Redis (คิวงานเก็บใน SQLite)", "Redis is not used (the embedded broker)")]
    try:
        import redis

        redis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT).ping()
    except Exception as exc:
        return [Finding("redis", PROBLEM, f"ต่อ Redis ไม่ได้: {_first_line(exc)}",
                        f"cannot reach Redis: {_first_line(exc)}",
                        "ตรวจ REDIS_URL และว่า redis-server ทำงานอยู่ (งานตามเวลายังรอในฐานข้อมูล ไม่หาย)",
                        "check REDIS_URL and that redis-server runs (deadlines wait in the database meanwhile)")]
    return [Finding("redis", OK, "Redis ตอบ", "Redis answers")]


def check_smtp(now: datetime) -> list[Finding]:
    settings = _settings()
    where = f"{settings.mail_server}:{settings.mail_port}"
    try:
        smtp_class = smtplib.SMTP_SSL if settings.mail_use_ssl else smtplib.SMTP
        with smtp_class(settings.mail_server, settings.mail_port, timeout=TIMEOUT) as smtp:
            if settings.mail_use_tls:
                smtp.starttls()
            if settings.mail_username and settings.mail_password:
                smtp.login(settings.mail_username, settings.mail_password)
            code, _ = smtp.noop()
    except smtplib.SMTPAuthenticationError:
        return [Finding("smtp", PROBLEM, f"เซิร์ฟเวอร์อีเมล {where} ไม่รับชื่อผู้ใช้หรือรหัสผ่าน",
                        f"the SMTP relay {where} refuses the username or password",
                        "ตรวจ MAIL_USERNAME และ MAIL_PASSWORD", "check MAIL_USERNAME and MAIL_PASSWORD")]
    except (OSError, smtplib.SMTPException) as exc:
        return [Finding("smtp", PROBLEM, f"ต่อเซิร์ฟเวอร์อีเมล {where} ไม่ได้: {_first_line(exc)}",
                        f"cannot reach the SMTP relay {where}: {_first_line(exc)}",
                        "ตรวจ MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS และไฟร์วอลล์ (อีเมลรอในคิว ไม่หาย)",
                        "check MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS and the firewall (mail waits in the outbox)")]
    if code != 250:
        return [Finding("smtp", WARN, f"เซิร์ฟเวอร์อีเมล {where} ตอบ {code}", f"the SMTP relay {where} answered {code}")]
    return [Finding("smtp", OK, f"เซิร์ฟเวอร์อีเมล {where} ตอบ", f"the SMTP relay {where} answers")]


def check_line(now: datetime) -> list[Finding]:
    from workflow.channels import lineapi
    from workflow.models import Agency, LineChannel

    settings = _settings()
    channels = db.session.execute(select(LineChannel, Agency.code).join(Agency, Agency.id == LineChannel.agency_id)
                                  .order_by(LineChannel.id)).all()
    if not channels:
        return [Finding("line", OK, "ไม่มีหน่วยงานใดตั้งค่า LINE", "no agency uses LINE")]
    found = []
    for channel, code in channels[:20]:
        if channel.problem:
            found.append(Finding("line", PROBLEM, f"LINE ของ {code} หยุดส่ง: {channel.problem}",
                                 f"{code}'s LINE is stopped: {channel.problem}",
                                 "ผู้ดูแลของหน่วยงานใส่ Channel access token ใหม่ที่ ตั้งค่า LINE",
                                 "the agency's admin enters a new channel access token at LINE settings"))
            continue
        try:
            lineapi.bot_info(settings.line_api_url, channel.access_token, TIMEOUT)
        except lineapi.LineError as exc:
            level = PROBLEM
            found.append(Finding("line", level, f"LINE ของ {code}: {exc}", f"{code}'s LINE: {exc}",
                                 "ตรวจว่าเครื่องนี้ออก HTTPS ไปยัง api.line.me ได้ และ token ยังใช้ได้",
                                 "check that this host reaches api.line.me over HTTPS and the token is valid"))
    return found or [Finding("line", OK, f"LINE ตอบ ({len(channels)} หน่วยงาน)",
                             f"LINE answers ({len(channels)} agencies)")]


def check_disk(now: datetime) -> list[Finding]:
    settings = _settings()
    found = []
    places = {"instance": settings.instance_path, "backups": settings.backup_dir or settings.instance_path / "backups"}
    seen = set()
    for name, place in places.items():
        existing = next((p for p in [place, *place.parents] if p.exists()), Path("/"))
        usage = shutil.disk_usage(existing)
        if os.stat(existing).st_dev in seen:
            continue
        seen.add(os.stat(existing).st_dev)
        free_gb = usage.free / 2**30
        if usage.free < MIN_FREE_BYTES:
            level = PROBLEM
        elif usage.free < 2 * MIN_FREE_BYTES or usage.free < usage.total * 0.05:
            level = WARN
        else:
            level = OK
        found.append(Finding("disk", level, f"พื้นที่ว่างที่ {name} ({existing}): {free_gb:.1f} GB",
                             f"free space for {name} ({existing}): {free_gb:.1f} GB",
                             "" if level == OK else "เพิ่มดิสก์ หรือลด ITAFLOW_BACKUP_KEEP / ย้าย ITAFLOW_BACKUP_DIR",
                             "" if level == OK else "add disk, or lower ITAFLOW_BACKUP_KEEP / move ITAFLOW_BACKUP_DIR"))
    return found


def check_files(now: datetime) -> list[Finding]:
    """The instance holds the database, evidence, secrets and backups: nobody but the service's user may reach
    them (a file is out of reach when a folder above it is closed to the others)."""
    settings = _settings()
    roots = [settings.instance_path]
    if settings.backup_dir and not settings.backup_dir.is_relative_to(settings.instance_path):
        roots.append(settings.backup_dir)
    exposed: list[str] = []
    for root in roots:
        if root.exists():
            exposed += _reachable(root)
    if exposed:
        return [Finding("files", PROBLEM, f"ผู้ใช้อื่นของเครื่องเข้าถึงไฟล์ของระบบได้ {len(exposed)} รายการ เช่น {exposed[0]}",
                        f"{len(exposed)} instance file(s) are open to other users of the host, e.g. {exposed[0]}",
                        f"chmod -R go-rwx {settings.instance_path} (เจ้าของเป็นผู้ใช้ของบริการ)",
                        f"chmod -R go-rwx {settings.instance_path} (owned by the service's user)")]
    return [Finding("files", OK, "ไฟล์ของระบบเป็นของผู้ใช้ของบริการเท่านั้น", "the instance files are the service user's alone")]


def _reachable(root: Path) -> list[str]:
    """Entries under ``root`` that another user can read, write or enter, through folders they may enter."""
    found = root.stat()
    if found.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        return [f"{root} ({stat.filemode(found.st_mode)})"]
    if found.st_uid != os.geteuid():
        return [f"{root} (uid {found.st_uid}, not {os.geteuid()})"]
    return []  # a closed folder of ours: nothing below it is reachable by anyone else


def check_backups(now: datetime) -> list[Finding]:
    from workflow.operations import backupplan

    state = backupplan.status(now)
    found = []
    if not state["scheduled"]:
        found.append(Finding("backups", WARN, "ไม่ได้ตั้งสำรองข้อมูลรายวัน (ITAFLOW_BACKUP_KEEP=0)",
                             "no daily backup (ITAFLOW_BACKUP_KEEP=0)",
                             "ตั้ง ITAFLOW_BACKUP_KEEP (เช่น 7) หรือสำรองด้วย itaflow backup จากที่อื่น",
                             "set ITAFLOW_BACKUP_KEEP (7, say), or back up with itaflow backup from elsewhere"))
    elif state["failed"]:
        found.append(Finding("backups", PROBLEM, f"สำรองข้อมูลครั้งล่าสุดไม่สำเร็จ: {state['failed'].get('error', '')}",
                             f"the last backup failed: {state['failed'].get('error', '')}",
                             "ดู log ของ worker แล้วลอง itaflow backup",
                             "read the worker's log, then try itaflow backup"))
    elif state["problem"]:
        found.append(Finding("backups", PROBLEM, "ไม่มีการสำรองข้อมูลที่สำเร็จเมื่อเร็ว ๆ นี้", "no recent backup succeeded",
                             "ตรวจว่า worker และ beat ทำงาน แล้วลอง itaflow backup",
                             "check that the worker and beat run, then try itaflow backup"))
    elif state["last"]:
        found.append(Finding("backups", OK, f"สำรองข้อมูลสำเร็จล่าสุด {state['last_at']:%Y-%m-%d %H:%M} UTC",
                             f"the last backup succeeded at {state['last_at']:%Y-%m-%d %H:%M} UTC"))
    else:
        found.append(Finding("backups", OK, "ยังไม่ถึงเวลาสำรองข้อมูลครั้งแรก", "the first daily backup is still ahead"))
    if db.engine.dialect.name == "postgresql":
        from workflow.operations.backups import BackupRefused, pg_tool

        try:
            pg_tool("pg_dump")
        except BackupRefused as exc:
            found.append(Finding("backups", PROBLEM, exc.message_th, exc.message_en,
                                 "apt-get install postgresql-client", "apt-get install postgresql-client"))
    return found


CHECKS: tuple[Callable[[datetime], list[Finding]], ...] = (
    check_settings, check_database, check_redis, check_smtp, check_line, check_disk, check_files, check_backups)


def run(now: datetime) -> list[Finding]:
    """Every check; one that breaks is a finding itself, never an exception."""
    found: list[Finding] = []
    for check in CHECKS:
        try:
            found += check(now)
        except Exception as exc:  # a check must not hide the others
            db.session.rollback()
            name = check.__name__.removeprefix("check_")
            found.append(Finding(name, PROBLEM, f"ตรวจ {name} ไม่ได้: {_first_line(exc)}",
                                 f"the {name} check failed: {_first_line(exc)}"))
    return found


def _first_line(exc: BaseException) -> str:
    said = str(exc).strip()
    return (said.splitlines()[0] if said else exc.__class__.__name__)[:200]
