"""The ``itaflow`` command, on Flask's CLI. Every error ends with a one-line reason and exit code 1."""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
from pathlib import Path
from typing import NoReturn

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from web import MIGRATIONS, create_app
from workflow import clock
from workflow.db import db
from workflow.errors import DefinitionError, ItaflowError, ValidationError
from workflow.people import agencies


def _fail(message: str) -> NoReturn:
    click.echo(f"ผิดพลาด / error: {message}", err=True)
    sys.exit(1)


def service_command(func):
    """Run in a transaction: commit on success, roll back and print one line on a known error."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            result = func(*args, **kwargs)
            db.session.commit()
            return result
        except DefinitionError as exc:
            db.session.rollback()
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            _fail(f"ไฟล์นิยามมีข้อผิดพลาด {len(exc.problems)} จุด ไม่ได้บันทึกอะไร / "
                  f"{len(exc.problems)} problem(s) in the definitions file; nothing was written")
        except ItaflowError as exc:
            db.session.rollback()
            _fail(str(exc))
        except Exception:
            db.session.rollback()
            raise

    return with_appcontext(wrapper)


def _schema_missing(exc: Exception) -> bool:
    """A database whose tables were never made (SQLite: "no such table"; PostgreSQL: UndefinedTable)."""
    orig = getattr(exc, "orig", None)
    return "no such table" in str(exc) or (orig is not None and orig.__class__.__name__ == "UndefinedTable")


class _Group(FlaskGroup):
    """The itaflow command group: a database not set up yet is one line saying what to do, not a traceback."""

    def invoke(self, ctx: click.Context):
        from sqlalchemy.exc import OperationalError, ProgrammingError

        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as exc:
            if not _schema_missing(exc):
                raise
            _fail("ยังไม่ได้สร้างฐานข้อมูล: รัน itaflow init ก่อน (./scripts/run ทำให้เอง) / "
                  "the database is not set up yet: run itaflow init first (./scripts/run does it)")


@click.group(cls=_Group, create_app=lambda: create_app(), add_version_option=False)
def main() -> None:
    """itaflow: มาตรการส่งเสริมคุณธรรมและความโปร่งใส (ITA) จากแผนสู่การรายงานผล."""


@main.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database (สร้างหรือปรับปรุงฐานข้อมูล)."""
    from flask_migrate import upgrade

    from workflow import secretbox

    try:
        upgrade(directory=MIGRATIONS)
    except Exception as exc:  # a database that cannot be reached: one line, not a traceback
        _fail(f"สร้างฐานข้อมูลไม่ได้ / cannot create the database: {exc.__class__.__name__}: {exc}".splitlines()[0])
    sealed = sum(secretbox.rotate(only_plain=True).values())  # secrets stored before they were encrypted
    db.session.commit()
    if sealed:
        click.echo(f"เข้ารหัสความลับที่เก็บไว้ {sealed} รายการ / encrypted {sealed} stored secret(s)")
    _plan_backups()
    click.echo("ฐานข้อมูลพร้อมใช้งาน / database is up to date")


@main.group("secrets")
def secrets_group() -> None:
    """Secrets the database holds, encrypted with ITAFLOW_DATA_KEYS (ความลับที่เก็บในฐานข้อมูล)."""


@secrets_group.command("rotate")
@service_command
def secrets_rotate() -> None:
    """Re-encrypt every stored secret under the first key of ITAFLOW_DATA_KEYS (then the old key may go)."""
    from workflow import secretbox

    try:
        done = secretbox.rotate()
    except secretbox.SecretKeyError as exc:
        _fail(str(exc))
    for column, count in done.items():
        click.echo(f"{column}: {count}")
    click.echo(f"เข้ารหัสใหม่ {sum(done.values())} รายการ / re-encrypted {sum(done.values())} secret(s)")


@secrets_group.command("new-key")
def secrets_new_key() -> None:
    """Print a new key to put first in ITAFLOW_DATA_KEYS (สร้างกุญแจใหม่)."""
    from cryptography.fernet import Fernet

    click.echo(Fernet.generate_key().decode())


def _plan_backups() -> None:
    """The daily backup's timer (ITAFLOW_BACKUP_KEEP > 0), planned once the schema is there."""
    from workflow.operations import backupplan

    backupplan.plan(clock.now())
    db.session.commit()


@main.command("backup")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="the archive to write (default: ITAFLOW_BACKUP_DIR/itaflow-<time>.tar)")
@with_appcontext
def backup_command(output: Path | None) -> None:
    """Back up the database, evidence files and settings while the system runs (สำรองข้อมูล)."""
    from workflow.operations import backups

    if output is not None and output.exists():
        _fail(f"มีไฟล์ {output} อยู่แล้ว / {output} exists already")
    try:
        result = backups.create(clock.now(), output.resolve() if output else None)
    except ItaflowError as exc:
        _fail(str(exc))
    manifest = result.manifest
    rows = manifest["database"]["rows"]
    click.echo(f"สำรองแล้ว / backed up: {result.path} ({result.size / 2**20:.1f} MB, {result.seconds:.1f} s)")
    click.echo(f"  ฐานข้อมูล / database: {manifest['database']['dialect']}, {sum(rows.values())} แถว / rows, "
               f"รุ่น / revision {manifest['database']['revision']}")
    click.echo(f"  ไฟล์หลักฐาน / evidence files: {manifest['evidence']['files']}; ตรา / emblems: {manifest['emblems']}")
    for head in manifest["audit"]["heads"].values():
        click.echo(f"  {head['agency'] or 'deployment'}: {head['seq']} events, head {head['hash']}")
    click.echo(f"  SHA-256 {result.sha256}")
    for name in manifest["evidence"]["missing"]:
        click.echo(f"คำเตือน / warning: ไม่พบไฟล์หลักฐาน {name} บนดิสก์ / evidence file {name} is not on disk", err=True)


@main.command("doctor")
@with_appcontext
def doctor_command() -> None:
    """Check this deployment and say what to fix (ตรวจสุขภาพระบบ): settings, the database's schema, Redis, the
    SMTP relay, LINE, disk space, the instance files' modes, the clock, the backups. Exits 1 on a problem."""
    from workflow.operations import doctor

    marks = {doctor.OK: "✓", doctor.WARN: "!", doctor.PROBLEM: "✗"}
    findings = doctor.run(clock.now())
    for f in findings:
        click.echo(f"{marks[f.level]} [{f.check}] {f.th} / {f.en}")
        if f.fix_th:
            click.echo(f"    แก้ไข / fix: {f.fix_th} / {f.fix_en}")
    problems = sum(f.level == doctor.PROBLEM for f in findings)
    warnings = sum(f.level == doctor.WARN for f in findings)
    click.echo(f"ปัญหา {problems} เรื่อง คำเตือน {warnings} เรื่อง / {problems} problem(s), {warnings} warning(s)")
    if problems:
        sys.exit(1)


@main.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="replace what this instance holds (kept beside it as *.before-restore-*)")
@click.option("--check", "check_only", is_flag=True, help="check the archive only; write nothing")
@with_appcontext
def restore_command(archive: Path, force: bool, check_only: bool) -> None:
    """Restore a backup into an empty instance, then verify every audit chain (กู้คืนข้อมูลจากไฟล์สำรอง).
    Stop the web, the workers and beat first."""
    from workflow.operations import backups, restore

    try:
        if check_only:
            manifest = backups.inspect_archive(archive)
            click.echo(f"ไฟล์สำรองครบถ้วน / the archive is whole: {manifest['database']['dialect']}, "
                       f"made {manifest['created_at']}, {len(manifest['members'])} members, SHA-256 checked")
            return
        result = restore.restore(archive, force=force, progress=lambda m: click.echo(f"  … {m}"))
    except ItaflowError as exc:
        _fail(str(exc))
    for path in result.set_aside:
        click.echo(f"  ของเดิมเก็บไว้ที่ / what was here is kept at {path}")
    for head in result.heads.values():
        click.echo(f"  {head['agency'] or 'deployment'}: {head['seq']} events, head {head['hash']}")
    click.echo(f"กู้คืนแล้ว / restored: {sum(result.manifest['database']['rows'].values())} แถว / rows, "
               f"{result.files} ไฟล์ / files, {result.seconds:.1f} s; บันทึกการตรวจสอบครบถ้วนและตรงกับไฟล์สำรอง / "
               f"every audit chain verifies and ends at the archive's head")


@main.command("up")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="web worker processes")
@click.option("--no-sink", is_flag=True, help="Do not start the local SMTP sink (mail goes to MAIL_SERVER).")
@with_appcontext
def up_command(host: str, port: int, workers: int, no_sink: bool) -> None:
    """Run everything: web, worker, beat and the local SMTP sink (เริ่มระบบทั้งหมด)."""
    from flask import current_app
    from flask_migrate import upgrade

    from web.up import run_up

    settings = current_app.config["ITAFLOW"]
    if "ITAFLOW_BASE_URL" not in os.environ:  # links in e-mails point where this is served
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        os.environ["ITAFLOW_BASE_URL"] = f"http://{shown}:{port}"
        settings = dataclasses.replace(settings, base_url=os.environ["ITAFLOW_BASE_URL"])
        current_app.config["ITAFLOW"] = settings
    upgrade(directory=MIGRATIONS)
    _plan_backups()
    local_mail = settings.mail_server in ("127.0.0.1", "localhost")
    sys.exit(run_up(settings, host, port, workers, sink=local_mail and not no_sink))


@main.command("load")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Validate only; write nothing.")
@click.option("--agency", "agency_code", default=None,
              help="agency code (itaflow agencies list); default: the agency the file names")
@click.option("--yes", "past_ok", is_flag=True,
              help="load even if dates in the file are already past (asked otherwise; refused without a terminal)")
@service_command
def load_command(file: Path, check: bool, agency_code: str | None, past_ok: bool) -> None:
    """Validate a definitions file, then instantiate its cycle (ตรวจแล้วนำเข้าไฟล์นิยามมาตรการ)."""
    import sys

    from workflow.engine.definitions import load_definitions_file
    from workflow.engine.instantiate import instantiate, past_dates
    from workflow.errors import ValidationError
    from workflow.thaidate import bangkok_today

    doc = load_definitions_file(file)
    steps = sum(len(m["steps"]) for m in doc["measures"])
    click.echo(f"ไฟล์ถูกต้อง / valid: {len(doc['measures'])} มาตรการ, {steps} ขั้นตอน")
    past = past_dates(doc, bangkok_today(clock.now()))
    if past:
        th, en = past.message()
        click.echo(f"{th}\n{en}", err=True)
    if check:
        return
    if past and not past_ok:
        if not sys.stdin.isatty():
            raise ValidationError("วันที่ในไฟล์ผ่านมาแล้ว: ตรวจปีในไฟล์ แล้วเพิ่ม --yes ถ้าจะนำเข้าจริง",
                                  "dates in the file are already past: check its year, then add --yes to load it")
        click.confirm("นำเข้าต่อหรือไม่ / load anyway?", abort=True)
    result = instantiate(doc, actor_id=None, now=clock.now(), source_name=file.name,
                         progress=lambda msg: click.echo(f"  … {msg}"), agency_code=agency_code)
    _calendar_notes(result)
    click.echo(f"นำเข้าแล้ว / loaded: cycle {result.cycle.id} ({result.cycle.agency} {result.cycle.fiscal_year_be})")


@main.command("import")
@click.argument("memo", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="definitions file to write (default: MEMO with .yaml)")
@click.option("--agency", "agency_code", default=None,
              help="agency code: the file names this agency (as `itaflow load --agency` will expect)")
@click.option("--mapping", "mapping_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="what the memo's columns and labels hold (YAML, as --write-mapping writes it)")
@click.option("--write-mapping", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="write every column and label met with the role guessed ([] where it is asked) to this file")
def import_command(memo: Path, output: Path | None, agency_code: str | None, mapping_file: Path | None,
                   write_mapping: Path | None) -> None:
    """Read a measures memo (text or .docx) into a definitions file to review, then `itaflow load` it. Exits
    non-zero when the file written would not load as it is (the places to fix are printed)."""
    import yaml

    from workflow.engine.definitions import parse_definitions
    from workflow.errors import DefinitionError
    from workflow.onboarding.importer import read_memo, to_yaml
    from workflow.onboarding.memolayout import Mapping

    mapping = None
    if mapping_file is not None:
        try:
            mapping = Mapping.from_dict(yaml.safe_load(mapping_file.read_text(encoding="utf-8")))
        except (ValueError, yaml.YAMLError, UnicodeDecodeError) as exc:
            _fail(f"ไฟล์การจับคู่อ่านไม่ได้ / cannot read the mapping file {mapping_file}: {exc}")
    try:
        report, origins = read_memo(memo.read_bytes(), mapping)
        if agency_code is not None:
            agency = agencies.get(agency_code)
            if agency.name != agencies.UNNAMED:
                report.document["agency"] = agency.name
    except ItaflowError as exc:
        _fail(str(exc))
    output = output or memo.with_suffix(".yaml")
    content = to_yaml(report, memo.name, origins)
    output.write_text(content, encoding="utf-8")
    if write_mapping is not None:
        write_mapping.write_text(yaml.safe_dump(report.layout.answers(), allow_unicode=True, sort_keys=False),
                                 encoding="utf-8")
        click.echo(f"การจับคู่ / mapping: {write_mapping} ({report.layout.asked()} ที่ยังต้องตอบ / to answer)")
    for line, message in report.warnings:
        click.echo(f"คำเตือน{f' บรรทัด {line}' if line else ''}: {message}", err=True)
    try:
        doc = parse_definitions(content, str(output))
        click.echo(f"เขียนแล้ว / written: {output} ({len(doc['measures'])} มาตรการ, "
                   f"{sum(len(m['steps']) for m in doc['measures'])} ขั้นตอน) ตรวจทานแล้ว itaflow load {output}")
    except DefinitionError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"เขียนแล้ว / written: {output}; แก้ {len(exc.problems)} จุดที่แจ้งก่อน itaflow load / "
                   f"fix the {len(exc.problems)} places above first", err=True)
        sys.exit(1)


@main.command("clone")
@click.argument("cycle_id", type=int)
@click.option("--agency", "agency_code", default=None,
              help="agency code: refuse unless the cycle is this agency's (a guard against a mistyped id)")
@service_command
def clone_command(cycle_id: int, agency_code: str | None) -> None:
    """Copy a cycle to the next fiscal year, dates moved one year (คัดลอกไปปีงบประมาณถัดไป)."""
    from workflow.errors import ValidationError
    from workflow.models import Cycle
    from workflow.onboarding.nextyear import clone_cycle

    if agency_code is not None:
        agency = agencies.get(agency_code)
        cycle = db.session.get(Cycle, cycle_id)
        if cycle is not None and cycle.agency_id != agency.id:
            raise ValidationError(f"รอบการประเมินเลขที่ {cycle_id} ไม่ใช่ของ {agency.code} ({cycle.agency})",
                                  f"cycle {cycle_id} is not {agency.code}'s (it is {cycle.agency}'s)")
    result = clone_cycle(cycle_id, actor_id=None, now=clock.now())
    _calendar_notes(result)
    click.echo(f"สร้างแล้ว / created: cycle {result.cycle.id} ปีงบประมาณ {result.cycle.fiscal_year_be}")


def _agency_id(code: str | None) -> int | None:
    return agencies.get(code).id if code else None


@main.group("agencies")
def agencies_group() -> None:
    """Agencies and the units under them (หน่วยงานและหน่วยงานในสังกัด)."""


@agencies_group.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--kind", default="office", show_default=True,
              help="ministry, department, office, area, school, college, local, hospital or other")
@click.option("--parent", "parent_code", default=None, help="the parent agency's code (default: at the top)")
@service_command
def agencies_add(code: str, name: str, kind: str, parent_code: str | None) -> None:
    """Add an agency, at the top or under a parent."""
    agency = agencies.add(code, name, kind=kind, parent_code=parent_code, actor_id=None, now=clock.now())
    click.echo(f"เพิ่มหน่วยงานแล้ว / added: {agency.code} {agency.name}")


@agencies_group.command("list")
@with_appcontext
def agencies_list() -> None:
    """Every agency under its parent."""
    from workflow.vocabulary import label

    for agency, depth in agencies.listing():
        click.echo(f"{'  ' * depth}{agency.code:<{max(24 - 2 * depth, 8)}} {label(agency.kind):<24} {agency.name}")


@agencies_group.command("move")
@click.argument("code")
@click.option("--parent", "parent_code", default=None, help="the new parent's code")
@click.option("--top", is_flag=True, help="no parent")
@service_command
def agencies_move(code: str, parent_code: str | None, top: bool) -> None:
    """Put an agency under another parent (never under one of its own units)."""
    if bool(parent_code) == top:
        raise ValidationError("ระบุ --parent รหัสหน่วยงาน หรือ --top อย่างใดอย่างหนึ่ง", "give either --parent CODE or --top")
    agency = agencies.move(code, parent_code, actor_id=None, now=clock.now())
    click.echo(f"ย้ายแล้ว / moved: {agency.code} → {agency.parent.code if agency.parent else '-'}")


@main.group("users")
def users_group() -> None:
    """Manage users (จัดการผู้ใช้)."""


@users_group.command("add")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--role", "roles", multiple=True, default=["staff"], show_default=True,
              help="staff, director, secretariat, executive or admin; repeat for several")
@click.option("--group", "group_key", default=None, help="group key or Thai name")
@click.option("--position", default=None)
@click.option("--agency", "agency_code", default=None, help="agency code (default: the deployment's only one)")
@click.password_option(prompt="รหัสผ่าน / password")
@service_command
def users_add(name, email, roles, group_key, position, agency_code, password) -> None:
    """Add one user."""
    from workflow.people.users import add_user

    user = add_user(name=name, email=email, roles=list(roles), group_key=group_key, position=position,
                    password=password, actor_id=None, now=clock.now(), agency_id=_agency_id(agency_code))
    click.echo(f"เพิ่มผู้ใช้แล้ว / added: {user.email} ({', '.join(sorted(user.roles))})")


@users_group.command("import")
@click.argument("csv_file", type=click.File(encoding="utf-8-sig"))
@click.option("--agency", "agency_code", default=None, help="agency code (default: the deployment's only one)")
@service_command
def users_import(csv_file, agency_code: str | None) -> None:
    """Import users from CSV: name,email,roles,group,position (all or nothing)."""
    from workflow.people.users import import_users

    users = import_users(csv_file.read(), actor_id=None, now=clock.now(), agency_id=_agency_id(agency_code))
    click.echo(f"นำเข้าผู้ใช้ {len(users)} คน / imported {len(users)} user(s); "
               "ตั้งรหัสผ่านก่อนเข้าระบบ / set passwords before they log in")


@users_group.command("notify")
@click.argument("email")
@click.option("--digest", "mode", flag_value="digest", help="one email a day with every alert")
@click.option("--instant", "mode", flag_value="instant", default=True, help="every alert as it happens")
@click.option("--hour", type=click.IntRange(0, 23), default=None, help="Bangkok hour of the daily digest")
@service_command
def users_notify(email: str, mode: str, hour: int | None) -> None:
    """Choose instant alerts or a daily digest for a user (การแจ้งเตือน)."""
    from workflow.people.users import set_notify

    user = set_notify(email=email, mode=mode, hour=hour, actor_id=None, now=clock.now())
    click.echo(f"{user.email}: {user.notify_mode}" + (f" {user.digest_hour:02d}:00" if mode == "digest" else ""))


@main.command("demo")
@click.option("--as-written", is_flag=True, help="Keep the memo's BE 2567 dates.")
@click.option("--password", default=None, help="One password for every demo account (default: random).")
@click.option("--units", type=click.IntRange(0, 500), default=0, show_default=True,
              help="schools under the demo office, each at a different stage (its roll-up: หน่วยงานในสังกัด)")
@service_command
def demo_command(as_written: bool, password: str | None, units: int) -> None:
    """Load the memo's measures with one demo account per role (ข้อมูลตัวอย่าง)."""
    from workflow.onboarding.demo import add_units, run_demo

    now = clock.now()
    result, logins = run_demo(now=now, as_written=as_written, password=password)
    if units:
        add_units(result.cycle.agency_id, units, now=now)
        click.echo(f"หน่วยงานในสังกัด / units: {units} (ดูที่ /rollup ด้วยบัญชีผู้บริหารหรือผู้ดูแล)")
    click.echo(f"ข้อมูลตัวอย่างพร้อมแล้ว / demo ready: cycle {result.cycle.id}, "
               f"{len(result.cycle.measures)} มาตรการ, {sum(len(m.steps) for m in result.cycle.measures)} ขั้นตอน")
    _calendar_notes(result)
    click.echo("บัญชีตัวอย่าง / demo logins:")
    for login in logins:
        click.echo(f"  {login.role:<12} {login.email:<36} {login.password}  {login.name}")


def _calendar_notes(result) -> None:
    """Dates moved off weekends and holidays, in the digits the office chose (ITAFLOW_DIGITS), codes too."""
    from workflow.thaidate import digits

    style = current_app.config["ITAFLOW"].digits
    for note in result.calendar_notes:
        click.echo(f"  ปฏิทิน: {digits(note, style)}")
    for note in getattr(result, "item_notes", []):
        click.echo(f"  รายการ OIT: {note}")


@main.command("status")
@click.option("--cycle", "cycle_id", type=int, default=None, help="cycle id (default: the latest)")
@click.option("--arabic", is_flag=True, help="Arabic digits instead of Thai digits.")
@click.option("--agency", "agency_code", default=None, help="agency code (default: every agency's latest)")
@with_appcontext
def status_command(cycle_id: int | None, arabic: bool, agency_code: str | None) -> None:
    """Measures and steps with owners, BE due dates and overdue marks (สถานะ)."""
    from workflow.engine.status import render, rows

    style = "arabic" if arabic else current_app.config["ITAFLOW"].digits  # ITAFLOW_DIGITS, as the web
    try:
        agency_id = _agency_id(agency_code)
    except ItaflowError as exc:
        _fail(str(exc))
    cycle, table = rows(cycle_id, clock.now(), style, agency_id=agency_id)
    if cycle is None:
        _fail("ยังไม่มีรอบการประเมิน ใช้ itaflow load หรือ itaflow demo / no cycle yet: run itaflow load or demo")
    click.echo(render(cycle, table, style))


@main.command("outbox")
@click.option("--status", type=click.Choice(["pending", "sending", "sent", "failed", "held", "digested"]),
              default=None, help="only rows in this state")
@click.option("--limit", default=50, show_default=True)
@with_appcontext
def outbox_command(status: str | None, limit: int) -> None:
    """List the outbox (e-mail and LINE): state, attempts, next try, last error (คิวอีเมลและ LINE)."""
    from sqlalchemy import func, select

    from workflow.models import OutboxMessage
    from workflow.thaidate import format_be_datetime

    counts = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    click.echo("  ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "คิวว่าง / the outbox is empty")
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status:
        query = query.where(OutboxMessage.status == status)
    for row in db.session.execute(query).scalars():
        when = format_be_datetime(row.sent_at or row.next_attempt_at, digit_style="arabic")
        error = f"  [{row.last_error[:80]}]" if row.last_error else ""
        to = f"LINE #{row.line_target_id}" if row.channel == "line" else row.to_email
        click.echo(f"{row.id:>6} {row.status:<9} {row.attempts}x {when:<24} {to:<32} "
                   f"{row.subject[:60]}{error}")


@main.command("mail")
@click.option("--limit", default=20, show_default=True)
@with_appcontext
def mail_command(limit: int) -> None:
    """Read the mail kept by the local SMTP sink of `itaflow up` (อีเมลที่ระบบส่งในโหมดทดลอง)."""
    import mailbox
    from email.header import decode_header, make_header
    from email.utils import parsedate_to_datetime

    from flask import current_app

    from tasks.sink import read_maildir
    from workflow.thaidate import format_be, to_bangkok

    folder = current_app.config["ITAFLOW"].instance_path / "mail"
    messages = read_maildir(folder, limit)
    if not messages:
        click.echo(f"ยังไม่มีอีเมลใน {folder} / no mail yet")
    for message in messages:
        subject = str(make_header(decode_header(message["Subject"] or "")))
        try:
            sent = to_bangkok(parsedate_to_datetime(str(message["Date"])))
            when = f"{format_be(sent.date(), digit_style='arabic')} {sent:%H:%M}"
        except (TypeError, ValueError):
            when = str(message["Date"] or "-")
        click.echo(f"{when}  {message['To']:<32} {subject}")
    total = len(mailbox.Maildir(str(folder), create=True))
    if total > len(messages):
        click.echo(f"… และอีก {total - len(messages)} ฉบับ (--limit {total} เพื่อดูทั้งหมด) / "
                   f"and {total - len(messages)} more (--limit {total} shows them all)")


@main.group("audit")
def audit_group() -> None:
    """The audit log (บันทึกการตรวจสอบ)."""


@audit_group.command("verify")
@click.option("--agency", "agency_code", default=None, help="one agency's chain (default: every chain)")
@with_appcontext
def audit_verify(agency_code: str | None) -> None:
    """Check the hash chains (every agency's, or one); name every edited, inserted or deleted event, and print
    each chain's head hash, which an agency may publish."""
    from sqlalchemy import func, select

    from workflow.audit import DEPLOYMENT, chains, verify
    from workflow.models import Agency, AuditEvent, AuditHead

    try:
        chosen = [agencies.get(agency_code).id] if agency_code else chains()
    except ItaflowError as exc:
        _fail(str(exc))
    problems = [p for chain in chosen for p in verify(chain)]
    count = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.chain.in_(chosen)))
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        _fail(f"บันทึกการตรวจสอบถูกแก้ไข {len(problems)} จุด / audit log tampered: {len(problems)} problem(s)")
    codes = {row.id: row.code for row in db.session.execute(select(Agency.id, Agency.code))}
    for chain in chosen:
        head = db.session.get(AuditHead, chain)
        if head is not None:
            name = "deployment" if chain == DEPLOYMENT else codes.get(chain, chain)
            click.echo(f"  {name}: {head.last_seq} events, head {head.last_hash}")
    click.echo(f"บันทึกการตรวจสอบครบถ้วน / audit log intact: {count} events")
