"""Backups (สำเนาสำรอง): the database, the evidence files and the settings that are not secrets, in one archive
with a manifest and SHA-256 checksums, made while the system runs; restored into an empty instance.

An archive is a tar file of these members, written under a temporary name and renamed when complete:

- ``database.sqlite.gz``: SQLite's online backup API copies the database in one step, inside one read
  transaction, while the web and the workers go on writing (WAL); everything committed before it began is in
  the copy, nothing committed after. Or ``database.pgdump``: PostgreSQL's ``pg_dump`` in its custom format,
  run on a snapshot exported by the transaction that read the manifest's figures, so the two agree exactly.
  Emblems, frameworks, mappings and LINE settings are rows of the database.
- ``files/uploads/…``: the evidence files (written before the row that names them is committed, so every
  row of the snapshot finds its file).
- ``settings.json``: every setting but the secrets (keys, passwords, tokens; a database address without its
  password). The keys are kept apart from the backups, by design: restoring needs the same audit key.
- ``manifest.json``: the format, the schema's revision, the rows of each table and each agency's audit head at
  the snapshot, every member's size and SHA-256, the number of evidence files (and any row whose file was
  missing), a fingerprint of the audit key (an HMAC of a fixed text: it tells whether a key is the same,
  never the key).
- ``SHA256SUMS``: the SHA-256 of every other member, in ``sha256sum -c``'s format, written last: an archive cut
  short has none.

``inspect_archive`` reads a whole archive and checks every member: a corrupted or truncated archive, a member
missing or added, is refused with the reason in Thai and English (workflow/operations/restore.py restores one).

Like e-mail delivery, this service commits on its own connections: a snapshot is not part of anyone's
transaction.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import hmac
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from flask import current_app
from sqlalchemy import create_engine, func, inspect, select
from sqlalchemy.engine import Connection, make_url

from workflow.db import db
from workflow.errors import ItaflowError
from workflow.operations import schema

FORMAT, VERSION = "itaflow-backup", 1
MANIFEST, SUMS, SETTINGS = "manifest.json", "SHA256SUMS", "settings.json"
SQLITE_MEMBER, PG_MEMBER = "database.sqlite.gz", "database.pgdump"
#: folders of the instance whose files are the deployment's data (the rest is made again or is secret)
FILE_FOLDERS = ("uploads",)
_KEY_CHECK = b"itaflow backup: the audit key"
_CHUNK = 1 << 20


class BackupRefused(ItaflowError):
    """An archive that cannot be restored (or a backup that cannot be made), with the reason; nothing written."""

    code = "backup_refused"


@dataclass
class BackupResult:
    path: Path
    size: int
    sha256: str
    seconds: float
    manifest: dict[str, Any]


def _settings():
    return current_app.config["ITAFLOW"]


def backup_folder() -> Path:
    settings = _settings()
    return settings.backup_dir or settings.instance_path / "backups"


def key_fingerprint(key: str) -> str:
    """Tells two audit keys apart without telling either."""
    return hmac.new(key.encode(), _KEY_CHECK, hashlib.sha256).hexdigest()


def public_settings() -> dict[str, Any]:
    """Every setting but the secrets, as JSON: addresses without their passwords."""
    data = _settings().as_dict()
    for name in ("database_url", "broker_url", "redis_url", "result_backend"):
        if data.get(name) and "://" in data[name]:
            data[name] = make_url(data[name]).render_as_string(hide_password=True)
    return json.loads(json.dumps(data, default=str))


# -- making an archive ---------------------------------------------------------------------------------------


class _Hashing(io.RawIOBase):
    """A reader that hashes what is read through it (tarfile reads each member's data once)."""

    def __init__(self, raw: IO[bytes]):
        self.raw, self.digest = raw, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        return data


class _Writer:
    def __init__(self, path: Path, now: datetime):
        self.tar = tarfile.open(path, "w", format=tarfile.PAX_FORMAT)  # noqa: SIM115 - closed in close()
        self.mtime = int(now.timestamp())
        self.members: dict[str, dict[str, Any]] = {}

    def _info(self, name: str, size: int) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = size, self.mtime, 0o600
        return info

    def add_file(self, name: str, source: Path) -> None:
        with source.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            hashing = _Hashing(fh)
            self.tar.addfile(self._info(name, size), hashing)
        self.members[name] = {"size": size, "sha256": hashing.digest.hexdigest()}

    def add_bytes(self, name: str, data: bytes, *, listed: bool = True) -> None:
        self.tar.addfile(self._info(name, len(data)), io.BytesIO(data))
        if listed:
            self.members[name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}

    def close(self) -> None:
        self.tar.close()


def _figures(connection: Connection) -> dict[str, Any]:
    """What the manifest says of the database, read in the snapshot's own transaction."""
    present = set(inspect(connection).get_table_names())
    rows = {t.name: connection.execute(select(func.count()).select_from(t)).scalar_one()
            for t in db.metadata.sorted_tables if t.name in present}
    heads_table, agency, evidence = (db.metadata.tables[n] for n in ("audit_head", "agency", "evidence"))
    codes = dict(connection.execute(select(agency.c.id, agency.c.code)).all())
    heads = {str(r.id): {"agency": codes.get(r.id), "seq": r.last_seq, "hash": r.last_hash}
             for r in connection.execute(select(heads_table).order_by(heads_table.c.id))}
    stored = connection.execute(select(evidence.c.stored_name).where(evidence.c.kind == "file",
                                                                     evidence.c.stored_name.is_not(None))).scalars()
    emblems = connection.execute(select(func.count()).select_from(agency).where(agency.c.emblem.is_not(None)))
    return {"revision": schema.database_revision(connection), "rows": rows, "heads": heads,
            "stored": sorted(stored), "emblems": emblems.scalar_one()}


def sqlite_path(url: str) -> Path:
    path = make_url(url).database
    if not path or path == ":memory:":
        raise BackupRefused("ฐานข้อมูล SQLite ในหน่วยความจำสำรองไม่ได้", "an in-memory SQLite database cannot be backed up")
    return Path(path)


@contextmanager
def _sqlite_snapshot(staging: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """SQLite's online backup in one step (one read transaction), gzipped; the figures read from the copy."""
    source = sqlite3.connect(sqlite_path(_settings().database_url), timeout=30)
    copy = staging / "copy.sqlite"
    target = sqlite3.connect(copy)
    try:
        source.backup(target)  # pages=-1: the whole database in one step, consistent as of its start
    finally:
        target.close()
        source.close()
    engine = create_engine(f"sqlite:///{copy}")
    try:
        with engine.connect() as connection:
            figures = _figures(connection)
    finally:
        engine.dispose()
    packed = staging / SQLITE_MEMBER
    with copy.open("rb") as raw, gzip.open(packed, "wb", compresslevel=6) as out:
        shutil.copyfileobj(raw, out, _CHUNK)
    copy.unlink()
    yield packed, figures


def pg_connection(url: str) -> tuple[list[str], dict[str, str]]:
    """pg_dump's, pg_restore's and psql's arguments for the database, the password in the environment only."""
    parsed = make_url(url)
    args = ["--dbname", parsed.database or "postgres"]
    if parsed.host:
        args += ["--host", parsed.host]
    if parsed.port:
        args += ["--port", str(parsed.port)]
    if parsed.username:
        args += ["--username", parsed.username]
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    for name, value in parsed.query.items():  # sslmode=require and the like
        if name == "sslmode":
            env["PGSSLMODE"] = str(value)
    return args, env


def pg_tool(name: str) -> str:
    """A PostgreSQL client program: on PATH, else in Debian's newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if candidates:
        return str(candidates[-1])
    raise BackupRefused(f"ไม่พบโปรแกรม {name}: ติดตั้ง postgresql-client (รุ่นเดียวกับเซิร์ฟเวอร์หรือใหม่กว่า)",
                        f"{name} is missing: install postgresql-client (the server's major version or newer)")


@contextmanager
def _postgres_snapshot(staging: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """pg_dump (custom format) of a snapshot exported by a repeatable-read transaction that reads the figures:
    both see exactly the same committed data, while the others go on writing."""
    dump = staging / PG_MEMBER
    args, env = pg_connection(_settings().database_url)
    program = pg_tool("pg_dump")
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection, connection.begin():
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        figures = _figures(connection)
        done = subprocess.run([program, "--format=custom", "--no-owner", "--no-privileges",
                               f"--snapshot={snapshot}", f"--file={dump}", *args],
                              env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupRefused(f"pg_dump ทำงานไม่สำเร็จ: {done.stderr.strip()[:500]}",
                            f"pg_dump failed: {done.stderr.strip()[:500]}")
    yield dump, figures


def create(now: datetime, destination: Path | None = None, *, prefix: str = "itaflow") -> BackupResult:
    """One archive of the running system: ``destination`` or ``<backup folder>/<prefix>-<UTC stamp>.tar``."""
    started = time.monotonic()
    folder = destination.parent if destination else backup_folder()
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):  # a folder someone else prepared keeps the mode they chose
        folder.chmod(0o700)
    path = destination or folder / f"{prefix}-{now.strftime('%Y%m%d-%H%M%S')}.tar"
    partial = path.with_name(path.name + ".partial")
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder))
    settings = _settings()
    try:
        snapshot = _postgres_snapshot if db.engine.dialect.name == "postgresql" else _sqlite_snapshot
        with snapshot(staging) as (database, figures):
            writer = _Writer(partial, now)
            try:
                writer.add_file(database.name, database)
                database.unlink()
                files, missing = _add_instance_files(writer, settings.instance_path, figures["stored"])
                writer.add_bytes(SETTINGS, json.dumps(public_settings(), ensure_ascii=False, indent=1).encode())
                manifest = {
                    "format": FORMAT, "version": VERSION, "created_at": now.isoformat(),
                    "database": {"dialect": db.engine.dialect.name, "member": database.name,
                                 "revision": figures["revision"], "rows": figures["rows"]},
                    "audit": {"key": key_fingerprint(settings.audit_key), "heads": figures["heads"]},
                    # the key the database's sealed secrets (LINE's token, TOTP seeds) were encrypted under
                    "secrets": {"keys": [key_fingerprint(k) for k in settings.data_keys]},
                    "evidence": {"files": files, "missing": missing}, "emblems": figures["emblems"],
                    "seconds": round(time.monotonic() - started, 3),
                    "members": dict(writer.members),
                }
                writer.add_bytes(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
                sums = "".join(f"{m['sha256']}  {name}\n" for name, m in writer.members.items())
                writer.add_bytes(SUMS, sums.encode(), listed=False)
            finally:
                writer.close()
        with partial.open("rb") as fh:
            os.fsync(fh.fileno())
            digest = _sha256(fh)
        partial.chmod(0o600)
        os.replace(partial, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        partial.unlink(missing_ok=True)
    return BackupResult(path, path.stat().st_size, digest, time.monotonic() - started, manifest)


def _add_instance_files(writer: _Writer, instance: Path, stored: list[str]) -> tuple[int, list[str]]:
    """The evidence files, after the snapshot (every row in it names a file already written); a row whose file is
    missing is listed in the manifest, never silently."""
    count = 0
    for folder in FILE_FOLDERS:
        root = instance / folder
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            writer.add_file(f"files/{path.relative_to(instance).as_posix()}", path)
            count += 1
    on_disk = {Path(name).name for name in writer.members if name.startswith("files/uploads/")}
    return count, [name for name in stored if name not in on_disk]


def _sha256(fh: IO[bytes]) -> str:
    fh.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: fh.read(_CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


# -- reading an archive --------------------------------------------------------------------------------------

_SAFE_PART = re.compile(r"^[A-Za-z0-9._-]+$")


def _damaged(detail: str) -> BackupRefused:
    return BackupRefused(f"ไฟล์สำรองเสียหายหรือไม่ครบ ({detail}) ไม่ได้เขียนอะไร ใช้ไฟล์สำรองชุดอื่น",
                         f"the backup archive is damaged or incomplete ({detail}); nothing was written; "
                         f"use another archive")


def _safe_name(name: str) -> bool:
    parts = name.split("/")
    return all(_SAFE_PART.match(p) and p not in (".", "..") for p in parts) and len(parts) <= 6


def inspect_archive(path: Path) -> dict[str, Any]:
    """Read the whole archive and check every member against SHA256SUMS and the manifest. Returns the
    manifest; raises BackupRefused (nothing written, nothing kept) for anything wrong."""
    if not path.is_file():
        raise BackupRefused(f"ไม่พบไฟล์สำรอง {path}", f"no backup archive at {path}")
    digests: dict[str, str] = {}
    special: dict[str, bytes] = {}
    try:
        with tarfile.open(path, "r:") as tar:
            for member in tar:
                if not member.isfile() or not _safe_name(member.name) or member.name in digests:
                    raise _damaged(f"สมาชิกที่ไม่คาดคิด / an unexpected member {member.name!r}")
                stream = tar.extractfile(member)
                assert stream is not None
                digest, size = hashlib.sha256(), 0
                keep = member.name in (MANIFEST, SUMS)
                kept = bytearray()
                for chunk in iter(lambda s=stream: s.read(_CHUNK), b""):  # type: ignore[misc]
                    digest.update(chunk)
                    size += len(chunk)
                    if keep:
                        kept += chunk
                if size != member.size:
                    raise _damaged(f"{member.name} สั้นกว่าที่ระบุ / {member.name} is cut short")
                digests[member.name] = digest.hexdigest()
                if keep:
                    special[member.name] = bytes(kept)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise _damaged(f"{exc.__class__.__name__}: {exc}") from None
    if SUMS not in special:
        raise _damaged("ไม่มี SHA256SUMS: ไฟล์ถูกตัดท้าย / no SHA256SUMS: the file was cut short")
    listed: dict[str, str] = {}
    for line in special[SUMS].decode("utf-8", "replace").splitlines():
        value, _, name = line.partition("  ")
        if not re.fullmatch(r"[0-9a-f]{64}", value) or not name:
            raise _damaged("SHA256SUMS อ่านไม่ได้ / SHA256SUMS is unreadable")
        listed[name] = value
    if set(listed) != set(digests) - {SUMS}:
        missing, extra = sorted(set(listed) - set(digests)), sorted(set(digests) - set(listed) - {SUMS})
        raise _damaged(f"ขาด / missing {missing[:5]}, เกิน / extra {extra[:5]}")
    wrong = [name for name, value in listed.items() if digests[name] != value]
    if wrong:
        raise _damaged(f"SHA-256 ไม่ตรง / SHA-256 differs: {', '.join(wrong[:5])}")
    try:
        manifest = json.loads(special[MANIFEST])
    except (KeyError, ValueError):
        raise _damaged("manifest.json อ่านไม่ได้ / manifest.json is unreadable") from None
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("version"), int):
        raise BackupRefused("ไฟล์นี้ไม่ใช่ไฟล์สำรองของ itaflow", "this file is not an itaflow backup archive")
    if manifest["version"] > VERSION:
        raise BackupRefused("ไฟล์สำรองนี้ทำโดย itaflow รุ่นที่ใหม่กว่า: ปรับรุ่นโปรแกรมก่อนกู้คืน",
                            "this archive was made by a newer itaflow: upgrade itaflow before restoring it")
    members = manifest.get("members") or {}
    if any(members.get(name, {}).get("sha256") != digests.get(name) for name in set(members) | set(listed)
           if name != MANIFEST):
        raise _damaged("manifest.json ไม่ตรงกับไฟล์ / manifest.json disagrees with the members")
    return manifest


def member_chunks(path: Path, name: str) -> Iterator[bytes]:
    """The data of one member of an archive, in chunks."""
    with tarfile.open(path, "r:") as tar:
        stream = tar.extractfile(name)
        assert stream is not None
        yield from iter(lambda: stream.read(_CHUNK), b"")


def prune(folder: Path, prefix: str, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` archives named ``<prefix>-<stamp>.tar`` (stamps sort by time)."""
    archives = sorted(folder.glob(f"{prefix}-*.tar"))
    removed = archives[:-keep] if keep > 0 else []
    for old in removed:
        old.unlink(missing_ok=True)
    return removed
