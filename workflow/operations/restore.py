"""Restoring a backup (workflow/operations/backups.py makes them) into an empty instance.

Everything that can be known is checked before anything is written: the whole archive read and every member
checked against its SHA-256 (a corrupted or truncated archive is refused), an archive of the same kind of
database, made by this release or an older one, under the same audit key (a fingerprint in the manifest), and
an instance that is empty (no agency, person, audit event or evidence file) unless ``force``. A refusal says
why in Thai and English and writes nothing.

Then the database is restored (SQLite: the copy checked beside the database and renamed into place, the old
file kept beside it; PostgreSQL: pg_restore's SQL through psql in one transaction that first drops this
database's tables, so it ends as the archive's or as it was), the rows of every table compared with the
manifest's, the evidence files put in place (an existing folder kept beside them), the schema migrated to this
release's, and every audit chain verified and compared with the head the manifest names.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, inspect, select

from workflow.db import db
from workflow.operations import schema
from workflow.operations.backups import (
    FILE_FOLDERS,
    PG_MEMBER,
    BackupRefused,
    inspect_archive,
    key_fingerprint,
    member_chunks,
    pg_connection,
    pg_tool,
    sqlite_path,
)

#: tables whose rows make an instance "not empty"
DATA_TABLES = ("agency", "app_user", "audit_event", "evidence")
_CHUNK = 1 << 20


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    #: each chain's head after the restore, as the manifest names it: {chain: {"agency", "seq", "hash"}}
    heads: dict[str, dict[str, Any]]
    files: int
    #: what was there before (``force``), kept beside the restored database and files
    set_aside: list[Path] = field(default_factory=list)
    migrated_from: str | None = None
    seconds: float = 0.0


def _settings():
    return current_app.config["ITAFLOW"]


def has_data() -> bool:
    """Whether this instance holds anything a restore would replace: rows of agencies, people, audit events or
    evidence, or evidence files."""
    with db.engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        for name in DATA_TABLES:
            if name in present and connection.execute(
                    select(func.count()).select_from(db.metadata.tables[name])).scalar_one():
                return True
    instance = _settings().instance_path
    return any(p.is_file() for folder in FILE_FOLDERS if (instance / folder).is_dir()
               for p in (instance / folder).rglob("*"))


def check_restorable(manifest: dict[str, Any], *, force: bool) -> bool:
    """What can be known before writing: the kind of database, the release, the audit key, an empty instance.
    Returns whether the instance holds data (to be replaced: ``force``)."""
    dialect = db.engine.dialect.name
    archived = manifest["database"]["dialect"]
    if archived != dialect:
        raise BackupRefused(f"ไฟล์สำรองนี้เป็นของฐานข้อมูล {archived} แต่ระบบนี้ใช้ {dialect}: กู้คืนลงฐานข้อมูลชนิดเดียวกัน",
                            f"this archive holds a {archived} database and this instance uses {dialect}: restore "
                            f"into the same kind of database")
    if not schema.known(manifest["database"].get("revision")):
        raise BackupRefused("ไฟล์สำรองนี้ทำจาก itaflow รุ่นที่ใหม่กว่า (โครงสร้างฐานข้อมูลที่รุ่นนี้ไม่รู้จัก) ปรับรุ่นก่อนกู้คืน",
                            "this archive's database is at a schema this release does not know: upgrade itaflow "
                            "before restoring it")
    if manifest["audit"]["key"] != key_fingerprint(_settings().audit_key):
        raise BackupRefused("กุญแจของบันทึกการตรวจสอบไม่ตรงกับตอนสำรอง: ตั้ง ITAFLOW_AUDIT_KEY (หรือ ITAFLOW_SECRET_KEY) "
                            "ให้เหมือนระบบเดิมก่อนกู้คืน ไม่ได้เขียนอะไร",
                            "the audit key differs from the one the backup was made under: set ITAFLOW_AUDIT_KEY "
                            "(or ITAFLOW_SECRET_KEY) as on the instance backed up, then restore; nothing was written")
    sealed_under = set((manifest.get("secrets") or {}).get("keys") or [])
    if sealed_under and not sealed_under & {key_fingerprint(k) for k in _settings().data_keys}:
        raise BackupRefused("กุญแจเข้ารหัสความลับ (ITAFLOW_DATA_KEYS) ไม่ตรงกับตอนสำรอง: ความลับในฐานข้อมูล (โทเค็น LINE, "
                            "รหัสแอปยืนยันตัวตน) จะอ่านไม่ได้ ตั้งกุญแจเดิมก่อนกู้คืน ไม่ได้เขียนอะไร",
                            "no key of ITAFLOW_DATA_KEYS is one the backup's secrets were encrypted under: the "
                            "secrets the database holds (LINE's token, authenticator seeds) could not be read. Set "
                            "the old key (first or among the others), then restore; nothing was written")
    holds_data = has_data()
    if holds_data and not force:
        raise BackupRefused("ระบบนี้มีข้อมูลอยู่แล้ว: กู้คืนได้เฉพาะลงระบบว่าง (หรือใช้ --force เพื่อแทนที่ข้อมูลเดิม) "
                            "ไม่ได้เขียนอะไร",
                            "this instance already holds data: a restore goes into an empty instance (or add "
                            "--force to replace what is there); nothing was written")
    return holds_data


def restore(path: Path, *, force: bool = False, progress: Callable[[str], None] = lambda _m: None
            ) -> RestoreResult:
    """Check the archive and the instance (a refusal writes nothing), then restore the database and the files,
    migrate to this release's schema and check every audit chain against the manifest."""
    started = time.monotonic()
    progress("อ่านและตรวจไฟล์สำรองทั้งไฟล์ / reading and checking the whole archive")
    manifest = inspect_archive(path)
    replacing = check_restorable(manifest, force=force)
    instance = _settings().instance_path
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    db.session.remove()
    db.engine.dispose()  # no connection of this process may outlive the database it was opened on
    progress("กู้คืนฐานข้อมูล / restoring the database")
    set_aside: list[Path] = []
    if manifest["database"]["dialect"] == "postgresql":
        _restore_postgres(path, manifest)
    else:
        set_aside += _restore_sqlite(path, manifest, stamp, keep=replacing)
    db.engine.dispose()
    _check_rows(manifest)
    progress("กู้คืนไฟล์หลักฐาน / restoring the evidence files")
    files, aside = _restore_files(path, instance, stamp)
    set_aside += aside
    shutil.rmtree(instance / "cache", ignore_errors=True)  # documents made again from the restored data
    revision = manifest["database"].get("revision")
    if revision is not None and revision != schema.code_head():
        progress("ปรับโครงสร้างฐานข้อมูลเป็นรุ่นปัจจุบัน / migrating to this release's schema")
        from flask_migrate import upgrade

        upgrade(directory=str(schema.MIGRATIONS))
        db.engine.dispose()
    progress("ตรวจบันทึกการตรวจสอบ / verifying the audit chains")
    heads = verify_heads(manifest)
    return RestoreResult(manifest, heads, files, set_aside, revision, time.monotonic() - started)


def verify_heads(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every chain verifies, and each head is the manifest's (the one an agency published)."""
    from workflow.audit import verify
    from workflow.models import AuditHead

    problems = verify()
    if problems:
        raise BackupRefused(f"บันทึกการตรวจสอบหลังกู้คืนไม่ครบถ้วน: {problems[0]}",
                            f"the audit log does not verify after the restore: {problems[0]}")
    found = {str(h.id): (h.last_seq, h.last_hash) for h in db.session.execute(select(AuditHead)).scalars()}
    expected = {chain: (h["seq"], h["hash"]) for chain, h in manifest["audit"]["heads"].items()}
    if found != expected:
        differ = sorted(set(found.items()) ^ set(expected.items()))[:3]
        raise BackupRefused(f"หัวของบันทึกการตรวจสอบไม่ตรงกับไฟล์สำรอง: {differ}",
                            f"the audit heads differ from the archive's: {differ}")
    return manifest["audit"]["heads"]


def _restore_sqlite(path: Path, manifest: dict[str, Any], stamp: str, *, keep: bool) -> list[Path]:
    """The copy written beside the database and checked, then renamed into place; a database that held data
    (``keep``: a forced restore) is kept beside it, its WAL files with it; an empty one is removed."""
    target = sqlite_path(_settings().database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = target.with_name(target.name + ".restoring")
    try:
        unpack = zlib.decompressobj(wbits=31)  # gzip's header and trailer
        with fresh.open("wb") as out:
            for chunk in member_chunks(path, manifest["database"]["member"]):
                out.write(unpack.decompress(chunk))
            out.write(unpack.flush())
            out.flush()
            os.fsync(out.fileno())
        check = sqlite3.connect(fresh)
        try:
            healthy = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            check.close()
        if not healthy:
            raise BackupRefused("ฐานข้อมูลในไฟล์สำรองเสียหาย ไม่ได้เขียนอะไร",
                                "the archive's database fails SQLite's integrity check; nothing was written")
        kept = []
        for suffix in ("", "-wal", "-shm"):  # a WAL left beside the new file would be read into it
            old = target.with_name(target.name + suffix)
            if old.exists() and keep:
                moved = old.with_name(f"{old.name}.before-restore-{stamp}")
                os.replace(old, moved)
                kept += [moved] if not suffix else []
            elif old.exists():
                old.unlink()
        os.replace(fresh, target)
        return kept
    finally:
        fresh.unlink(missing_ok=True)


def _restore_postgres(path: Path, manifest: dict[str, Any]) -> None:
    """pg_restore's SQL piped into psql as one transaction, which first drops this database's tables: the
    database ends as the archive's, or as it was."""
    args, env = pg_connection(_settings().database_url)
    with db.engine.connect() as connection:
        found = inspect(connection)
        drops = [f'DROP TABLE IF EXISTS "{name}" CASCADE;' for name in found.get_table_names()]
        drops += [f'DROP TYPE IF EXISTS "{e["name"]}" CASCADE;'
                  for e in found.get_enums()]  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory(prefix="itaflow-restore-") as tmp:
        dump = Path(tmp) / PG_MEMBER
        with dump.open("wb") as out:
            for chunk in member_chunks(path, manifest["database"]["member"]):
                out.write(chunk)
        with subprocess.Popen([pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(dump)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as unpack, \
                subprocess.Popen([pg_tool("psql"), "--no-psqlrc", "--quiet", "--single-transaction",
                                  "--set", "ON_ERROR_STOP=1", *args], stdin=subprocess.PIPE,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env) as load:
            assert unpack.stdout is not None and unpack.stderr is not None
            assert load.stdin is not None and load.stderr is not None
            try:
                load.stdin.write("\n".join(["SET client_min_messages = warning;", *drops, ""]).encode())
                shutil.copyfileobj(unpack.stdout, load.stdin, _CHUNK)
                load.stdin.close()
            except BrokenPipeError:  # psql stopped at an error: it says which below
                pass
            unpack_error = unpack.stderr.read().decode(errors="replace")
            load_error = load.stderr.read().decode(errors="replace")
    if unpack.returncode or load.returncode:
        detail = (load_error or unpack_error).strip()[:500]
        raise BackupRefused(f"กู้คืนฐานข้อมูลไม่สำเร็จ ฐานข้อมูลยังเป็นอย่างเดิม: {detail}",
                            f"the database could not be restored and is as it was: {detail}")


def _check_rows(manifest: dict[str, Any]) -> None:
    """The restored database holds exactly the rows the snapshot held, table by table, at its revision."""
    with db.engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        rows = manifest["database"]["rows"]
        got = {t.name: connection.execute(select(func.count()).select_from(t)).scalar_one()
               for t in db.metadata.sorted_tables if t.name in present and t.name in rows}
        revision = schema.database_revision(connection)
    differ = sorted(name for name, count in rows.items() if got.get(name) != count)
    if differ or revision != manifest["database"].get("revision"):
        raise BackupRefused(f"ข้อมูลหลังกู้คืนไม่ตรงกับไฟล์สำรอง (ตาราง {differ}, รุ่น {revision})",
                            f"the restored database differs from the archive (tables {differ}, revision {revision})")


def _restore_files(path: Path, instance: Path, stamp: str) -> tuple[int, list[Path]]:
    """The archive's files into a temporary folder of the instance, then each folder renamed into place (an
    existing one that holds files kept beside it)."""
    instance.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=instance))
    count, aside = 0, []
    try:
        with tarfile.open(path, "r:") as tar:
            for member in tar:
                if not member.name.startswith("files/"):
                    continue
                out = staging / member.name[len("files/"):]
                out.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                stream = tar.extractfile(member)
                assert stream is not None
                with out.open("wb") as fh:
                    shutil.copyfileobj(stream, fh, _CHUNK)
                out.chmod(0o600)
                count += 1
        for folder in FILE_FOLDERS:
            current = instance / folder
            if current.exists():
                if any(current.iterdir()):
                    moved = instance / f"{folder}.before-restore-{stamp}"
                    os.replace(current, moved)
                    aside.append(moved)
                else:
                    current.rmdir()
            if (staging / folder).exists():
                os.replace(staging / folder, current)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return count, aside
