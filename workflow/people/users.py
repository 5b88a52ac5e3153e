"""People and their passwords (argon2id)."""

from __future__ import annotations

import csv
import functools
import io
import re
from datetime import date, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from workflow import audit
from workflow.db import db
from workflow.errors import ValidationError
from workflow.models import ROLES, Group, User, UserRole
from workflow.thaidate import to_arabic_digits

MIN_PASSWORD = 8
MAX_PASSWORD = 256
# What Thai offices tend to choose, beside the public lists: the words for "password" typed with the keyboard
# in the other language (รหัสผ่าน in English mode, password in Thai mode), the agency's own names.
THAI_COMMON_PASSWORDS = frozenset("""
    รหัสผ่าน isylzjko ยฟหหไนพก ๆไำพะั ประเทศไทย กรุงเทพมหานคร คนไทย สวัสดีครับ สวัสดีค่ะ รักในหลวง
    12345678 ๑๒๓๔๕๖๗๘ thailand thailand1 bangkok12 roiet123 roiet1234 itaflow1 ita12345 ita2567 obec1234
""".split())  # noqa: SIM905 - one word list, easy to extend


@functools.cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of public breach lists (zxcvbn's, from Dropbox) and the Thai ones."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"]) | THAI_COMMON_PASSWORDS


def _is_a_date(password: str) -> bool:
    """Eight digits that read as a day: a birthday or an office's founding, as ddmmyyyy or yyyymmdd, in the
    Buddhist or the Christian era (๐๑๐๑๒๕๓๐ and 01012530 alike)."""
    digits = to_arabic_digits(password)
    if len(digits) != 8 or not digits.isdigit():
        return False
    for day, month, year in ((digits[:2], digits[2:4], digits[4:]), (digits[6:], digits[4:6], digits[:4])):
        y = int(year) - (543 if int(year) > 2300 else 0)
        try:
            date(y, int(month), int(day))
        except ValueError:
            continue
        if 1900 <= y <= 2100:
            return True
    return False


hasher = PasswordHasher()  # argon2id, the library's current parameters
_KEY = re.compile(r"[^a-z0-9_\-]+")


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"รหัสผ่านต้องยาวอย่างน้อย {MIN_PASSWORD} ตัวอักษร",
                              f"the password must be at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise ValidationError(f"รหัสผ่านยาวเกิน {MAX_PASSWORD} ตัวอักษร",
                              f"the password is longer than {MAX_PASSWORD} characters")
    if _is_a_date(password):
        raise ValidationError("รหัสผ่านนี้เป็นวันที่ (เช่น วันเกิด) ซึ่งเดาง่าย กรุณาตั้งใหม่โดยใช้คำหรือวลีที่ยาวขึ้น",
                              "this password is a date (a birthday?), easy to guess; choose a longer phrase")
    if password.lower() in common_passwords() or len(set(password)) <= 2:
        raise ValidationError("รหัสผ่านนี้ถูกใช้บ่อยเกินไปและเดาง่าย กรุณาตั้งใหม่",
                              "this password is too common and easy to guess; choose another")


def hash_password(password: str) -> str:
    check_password_policy(password)
    return hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    """Check a password; re-hash it when the hasher's parameters have changed since it was stored."""
    if not user.password_hash or not user.active:
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def make_key(name: str, email: str | None, agency_id: int) -> str:
    """A key not yet used in the agency, from the e-mail's local part (or the name)."""
    base = _KEY.sub("-", (email.split("@")[0] if email else name).lower()).strip("-") or "user"
    key, n = base[:56], 1
    while db.session.execute(select(User.id).where(User.agency_id == agency_id, User.key == key)).first():
        n += 1
        key = f"{base[:56]}-{n}"
    return key


def add_user(*, name: str, email: str, roles: list[str], actor_id: int | None, now: datetime,
             password: str | None = None, group_key: str | None = None, position: str | None = None,
             key: str | None = None, agency_id: int | None = None) -> User:
    """A person of an agency: the one given, else the actor's, else the deployment's only agency."""
    name = " ".join((name or "").split())
    email = (email or "").strip().lower()
    if not name:
        raise ValidationError("กรุณากรอกชื่อ", "a name is required")
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise ValidationError(f"อีเมล '{email}' ไม่ถูกต้อง", f"'{email}' is not an email address")
    bad = [r for r in roles if r not in ROLES]
    if bad or not roles:
        raise ValidationError(f"บทบาทต้องเลือกจาก {', '.join(ROLES)}", f"roles must be chosen from {', '.join(ROLES)}")
    if db.session.execute(select(User.id).where(User.email == email)).first():
        raise ValidationError(f"อีเมล {email} มีผู้ใช้แล้ว", f"{email} is already a user")
    agency_id = _agency_of(agency_id, actor_id, now)
    group = None
    if group_key:
        group = db.session.execute(
            select(Group).where(Group.agency_id == agency_id, (Group.key == group_key) | (Group.name == group_key))
        ).scalar_one_or_none()
        if group is None:
            raise ValidationError(f"ไม่พบกลุ่ม '{group_key}'", f"no group '{group_key}'")
    user = User(agency_id=agency_id, key=key or make_key(name, email, agency_id), name=name, email=email,
                position=position, group=group,
                password_hash=hash_password(password) if password else None, created_at=now)
    user.role_rows = [UserRole(role=r) for r in dict.fromkeys(roles)]
    db.session.add(user)
    db.session.flush()
    if "director" in roles and group is not None and group.director_id is None:
        group.director_id = user.id
    audit.record("user_created", agency_id=agency_id, actor_id=actor_id, now=now, target_type="user", target_id=user.id,
                 data={"email": email, "roles": list(roles), "group": group.key if group else None})
    return user


def _agency_of(agency_id: int | None, actor_id: int | None, now: datetime) -> int:
    from workflow.people import agencies

    if agency_id is not None:
        return agency_id
    actor = db.session.get(User, actor_id) if actor_id is not None else None
    if actor is not None:
        return actor.agency_id
    return agencies.first(actor_id=actor_id, now=now).id


def import_users(text: str, *, actor_id: int | None, now: datetime, agency_id: int | None = None) -> list[User]:
    """CSV with a header: name,email,roles,group,position (roles separated by ';' or space).

    All or nothing: the first bad row refuses the file and names its line.
    """
    reader = csv.DictReader(io.StringIO(text))
    missing = {"name", "email"} - set(reader.fieldnames or [])
    if missing:
        raise ValidationError(f"ไฟล์ CSV ขาดคอลัมน์ {', '.join(sorted(missing))}",
                              f"the CSV lacks column(s) {', '.join(sorted(missing))}")
    users = []
    for row in reader:
        roles = re.split(r"[;\s,]+", (row.get("roles") or "staff").strip())
        try:
            users.append(add_user(agency_id=agency_id, name=row.get("name") or "", email=row.get("email") or "",
                                  roles=[r for r in roles if r], group_key=(row.get("group") or None),
                                  position=row.get("position") or None, actor_id=actor_id, now=now))
        except ValidationError as exc:
            line = reader.line_num
            raise ValidationError(f"บรรทัด {line}: {exc.message_th}", f"line {line}: {exc.message_en}") from None
    return users


def set_notify(*, email: str, mode: str, hour: int | None, actor_id: int | None, now: datetime) -> User:
    """Every alert as it happens ("instant"), or one daily digest at a Bangkok hour ("digest")."""
    if mode not in ("instant", "digest"):
        raise ValidationError("เลือก instant หรือ digest", "choose instant or digest")
    if hour is not None and not 0 <= hour <= 23:
        raise ValidationError("ชั่วโมงต้องอยู่ระหว่าง 0-23", "the hour must be 0-23")
    user = db.session.execute(select(User).where(User.email == email.strip().lower())).scalar_one_or_none()
    if user is None:
        raise ValidationError(f"ไม่พบผู้ใช้ {email}", f"no user {email}")
    before = {"mode": user.notify_mode, "hour": user.digest_hour}
    user.notify_mode = mode
    if hour is not None:
        user.digest_hour = hour
    audit.record("notify_changed", agency_id=user.agency_id,
                 actor_id=actor_id, now=now, target_type="user", target_id=user.id,
                 data={"before": before, "after": {"mode": user.notify_mode, "hour": user.digest_hour}})
    return user


LANGUAGES = ("th", "en")


def set_language(user_id: int, language: str, *, now: datetime) -> User:
    """The language of a person's pages, chosen by themselves (audited when it changes)."""
    if language not in LANGUAGES:
        raise ValidationError("เลือกภาษา th หรือ en", "choose th or en")
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise ValidationError("ไม่พบผู้ใช้", "no such user")
    if user.language != language:
        before, user.language = user.language, language
        audit.record("language_changed", agency_id=user.agency_id,
                     actor_id=user.id, now=now, target_type="user", target_id=user.id,
                     from_state=before, to_state=language)
    return user


DIGITS = ("thai", "arabic")


def update_profile(user_id: int, *, notify_mode: str, digest_hour: int | None, language: str, digit_style: str,
                   now: datetime) -> User:
    """A person sets their own alerts (instant, or one daily digest at a Bangkok hour), the language of their
    pages and e-mails, and the digits of their dates; one audited event with what changed."""
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise ValidationError("ไม่พบผู้ใช้", "no such user")
    if notify_mode not in ("instant", "digest"):
        raise ValidationError("เลือกรับการแจ้งเตือนทันที หรือสรุปรายวัน", "choose instant alerts or a daily digest")
    if notify_mode == "digest" and (digest_hour is None or not 0 <= digest_hour <= 23):
        raise ValidationError("เลือกเวลาส่งสรุปรายวัน (๐-๒๓ นาฬิกา)", "choose the digest's hour (0-23)")
    if language not in LANGUAGES:
        raise ValidationError("เลือกภาษา ไทย หรือ English", "choose Thai or English")
    if digit_style not in DIGITS:
        raise ValidationError("เลือกเลขไทยหรือเลขอารบิก", "choose Thai or Arabic digits")
    before = {"notify": user.notify_mode, "hour": user.digest_hour, "language": user.language,
              "digits": user.digit_style}
    user.notify_mode, user.language, user.digit_style = notify_mode, language, digit_style
    if digest_hour is not None:
        user.digest_hour = digest_hour
    after = {"notify": user.notify_mode, "hour": user.digest_hour, "language": user.language,
             "digits": user.digit_style}
    if after != before:
        audit.record("profile_changed", agency_id=user.agency_id, actor_id=user.id, now=now, target_type="user",
                     target_id=user.id, data={"before": before, "after": after})
    return user
