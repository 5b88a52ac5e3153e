"""Backup and restore at a parent's size: bench/national.py's tree (a ministry, offices and units, 20 people
each, 3 years of measures), 5 audit events on every agency's chain, and evidence files; the backup made while
a writer commits audit events as fast as it can, then restored into an empty database and verified. Usage:

    .venv/bin/python bench/backup.py [--database-url postgresql+psycopg://…] [--units 8300] [--files 2000]

Prints one JSON line: rows, database and archive sizes, the backup's and the restore's seconds (the restore's
includes reading and checking the whole archive first and verifying every chain after), and the writer's
commits during the backup with its slowest commit.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, select, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench import pin_clock  # noqa: E402
from bench.national import NOW, populate  # noqa: E402
from web import create_app  # noqa: E402
from workflow import audit, clock  # noqa: E402
from workflow.db import db  # noqa: E402
from workflow.models import Agency, AuditHead  # noqa: E402
from workflow.operations import backups, restore  # noqa: E402

EVENTS = 5


def _chains() -> int:
    """Real chains: each agency's head back to the start, then EVENTS events recorded on it."""
    db.session.execute(update(AuditHead).values(last_seq=0, last_hash=audit.GENESIS))
    db.session.execute(AuditHead.__table__.delete())
    db.session.commit()
    ids = db.session.execute(select(Agency.id).order_by(Agency.id)).scalars().all()
    now = clock.now()
    for start in range(0, len(ids), 500):
        with audit.batch():
            for agency_id in ids[start:start + 500]:
                for n in range(EVENTS):
                    audit.record("bench_event", agency_id=agency_id, actor_id=None, now=now, note=f"event {n}")
        db.session.commit()
    return len(ids) * EVENTS


def _database_bytes(url: str) -> int:
    if url.startswith("sqlite"):
        path = Path(make_url(url).database)
        return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    return db.session.execute(select(func.pg_database_size(func.current_database()))).scalar_one()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="PostgreSQL (a second database is made beside it)")
    parser.add_argument("--units", type=int, default=8300)
    parser.add_argument("--offices", type=int, default=80)
    parser.add_argument("--files", type=int, default=2000, help="evidence files of 50 KB")
    args = parser.parse_args()
    pin_clock(NOW)  # this run's "now", in this process and every one it starts
    tmp = Path(tempfile.mkdtemp(prefix="itaflow-bench-backup-"))
    source_url = args.database_url or f"sqlite:///{tmp / 'source.sqlite'}"
    target_url, admin = f"sqlite:///{tmp / 'target.sqlite'}", None
    if args.database_url:
        admin = create_engine(args.database_url, isolation_level="AUTOCOMMIT")
        name = f"itaflow_restore_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        target_url = make_url(args.database_url).set(database=name).render_as_string(hide_password=False)
    env = {"ITAFLOW_SECRET_KEY": "bench-secret-key-0123456789-abcdefghij"}
    source = create_app({**env, "ITAFLOW_INSTANCE": str(tmp / "source"), "DATABASE_URL": source_url})
    target = create_app({**env, "ITAFLOW_INSTANCE": str(tmp / "target"), "DATABASE_URL": target_url})
    try:
        with source.app_context():
            db.drop_all()
            db.create_all()
            start = time.perf_counter()
            made = populate(args.units, args.offices)
            events = _chains()
            uploads = tmp / "source" / "uploads"
            uploads.mkdir(parents=True, exist_ok=True)
            for n in range(args.files):
                (uploads / f"{n:06x}.pdf").write_bytes(os.urandom(50_000))
            setup = time.perf_counter() - start
            agency_id = db.session.execute(select(Agency.id).order_by(Agency.id.desc())).scalars().first()
            size = _database_bytes(source_url)
            stop, commits = threading.Event(), []

            def writer():
                with source.app_context():
                    while not stop.is_set():
                        began = time.perf_counter()
                        audit.record("bench_write", agency_id=agency_id, actor_id=None, now=clock.now())
                        db.session.commit()
                        commits.append((began, time.perf_counter()))

            thread = threading.Thread(target=writer)
            thread.start()
            time.sleep(1)
            began = time.perf_counter()
            made_backup = backups.create(clock.now(), tmp / "backup.tar")
            ended = time.perf_counter()
            stop.set()
            thread.join()
        during = [c for c in commits if began <= c[0] and c[1] <= ended]
        with target.app_context():
            restored_at = time.perf_counter()
            result = restore.restore(tmp / "backup.tar")
            restore_s = time.perf_counter() - restored_at
        rows = sum(made_backup.manifest["database"]["rows"].values())
        print(json.dumps({
            "database": source_url.split(":")[0].split("+")[0], "units": args.units,
            "people": made.get("people"), "steps": made.get("steps"), "audit_events": events, "rows": rows,
            "evidence_files": made_backup.manifest["evidence"]["files"], "setup_s": round(setup, 1),
            "database_mb": round(size / 2**20, 1), "archive_mb": round(made_backup.size / 2**20, 1),
            "backup_s": round(made_backup.seconds, 1), "restore_s": round(restore_s, 1),
            "chains_verified": len(result.heads),
            "writer_commits_during_backup": len(during),
            "writer_slowest_commit_ms": round(max((e - b for b, e in commits), default=0) * 1000, 1),
        }))
    finally:
        for app in (source, target):
            with app.app_context():
                db.session.remove()
                db.drop_all()
                db.engine.dispose()
        if admin is not None:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(target_url).database}"')
            admin.dispose()


if __name__ == "__main__":
    main()
