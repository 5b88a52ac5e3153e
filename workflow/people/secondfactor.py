"""A second factor at sign-in: an authenticator app (TOTP, RFC 6238) with ten single-use recovery codes, and
passkeys (workflow/people/passkeys.py). Who must have one is the agency's choice (``Agency.second_factor``).

Each change is audited and tells the person by e-mail (a factor added or removed on their account that they
did not make is how a stolen password shows). The entry point commits; these functions only flush.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
from sqlalchemy import delete, func, select, update

from workflow import audit
from workflow.channels import notify
from workflow.db import db
from workflow.errors import NotFound, PermissionDenied, ValidationError
from workflow.models import Agency, Passkey, RecoveryCode, TotpCredential, User
from workflow.people import throttle

#: Agency.second_factor: "none" (whoever chose one), "privileged" (PRIVILEGED roles), "everyone"
POLICIES = ("none", "privileged", "everyone")
PRIVILEGED = ("admin", "executive", "secretariat")
RECOVERY_CODES = 10
ISSUER = "ITAflow"
#: the code of the step before the present is taken too (typed as it changed, a phone's clock a little behind);
#: never a future one, and never one at or before the last accepted
DRIFT_STEPS = 1
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper and typed


@dataclass(frozen=True)
class Methods:
    """What a person has set up."""

    totp: bool
    passkeys: int
    recovery_left: int

    @property
    def any(self) -> bool:
        return self.totp or self.passkeys > 0


def methods(user_id: int) -> Methods:
    totp = db.session.scalar(select(func.count()).select_from(TotpCredential).where(
        TotpCredential.user_id == user_id, TotpCredential.confirmed_at.is_not(None))) or 0
    keys = db.session.scalar(select(func.count()).select_from(Passkey).where(Passkey.user_id == user_id)) or 0
    left = db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))) or 0
    return Methods(bool(totp), int(keys), int(left))


def people_with_one(agency_id: int) -> set[int]:
    """Ids of the agency's people who have set up a second factor."""
    totp = select(TotpCredential.user_id).join(User, User.id == TotpCredential.user_id).where(
        User.agency_id == agency_id, TotpCredential.confirmed_at.is_not(None))
    keys = select(Passkey.user_id).join(User, User.id == Passkey.user_id).where(User.agency_id == agency_id)
    return set(db.session.execute(totp.union(keys)).scalars())


def required(user: User) -> bool:
    """Whether the person's agency requires them to sign in with a second factor."""
    policy = db.session.scalar(select(Agency.second_factor).where(Agency.id == user.agency_id)) or "none"
    return policy == "everyone" or (policy == "privileged" and user.has_role(*PRIVILEGED))


def set_policy(*, actor_id: int, policy: str, now: datetime) -> Agency:
    """An admin chooses who in their agency must use a second factor; it applies from each person's next
    sign-in (someone without one then sets one up before anything else)."""
    actor = db.session.get(User, actor_id)
    if actor is None or not actor.active or not actor.has_role("admin"):
        raise PermissionDenied("เฉพาะผู้ดูแลระบบทำได้", "only an admin may do this")
    if policy not in POLICIES:
        raise ValidationError("เลือกหนึ่งในตัวเลือกที่มี", "choose one of the options")
    agency = db.session.get(Agency, actor.agency_id)
    assert agency is not None
    before = agency.second_factor
    agency.second_factor = policy
    audit.record("second_factor_policy_set", agency_id=agency.id, actor_id=actor.id, now=now,
                 target_type="agency", target_id=agency.id, from_state=before, to_state=policy)
    db.session.flush()
    return agency


# --- the authenticator app -------------------------------------------------------------------------------

def start_totp(user_id: int, now: datetime) -> TotpCredential:
    """A new seed to show as a QR code; it signs no one in until a first code from the app confirms it. One
    being set up already is replaced; one in use must be removed first."""
    user = _user(user_id)
    credential = db.session.execute(select(TotpCredential).where(TotpCredential.user_id == user.id)
                                    ).scalar_one_or_none()
    if credential is not None and credential.confirmed_at is not None:
        raise ValidationError("ท่านใช้แอปยืนยันตัวตนอยู่แล้ว ลบของเดิมก่อนจึงตั้งใหม่ได้",
                              "an authenticator app is already set up; remove it first")
    if credential is None:
        credential = TotpCredential(user_id=user.id, secret=pyotp.random_base32(), created_at=now, last_step=0)
        db.session.add(credential)
    else:
        credential.secret, credential.created_at = pyotp.random_base32(), now
    db.session.flush()
    return credential


def pending_totp(user_id: int) -> TotpCredential | None:
    return db.session.execute(select(TotpCredential).where(
        TotpCredential.user_id == user_id, TotpCredential.confirmed_at.is_(None))).scalar_one_or_none()


def provisioning_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` address the QR code carries: the app shows the issuer and the person's e-mail."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email or user.key, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code as an inline SVG (no request leaves the page; the CSP allows no other origin)."""
    import segno

    return segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")


def confirm_totp(user_id: int, code: str, now: datetime, *, password: str | None = None) -> list[str]:
    """The person typed a code from the app: the app is set up, and ten recovery codes are made (shown once).
    A wrong code leaves it being set up. Signed in, the password is asked again (``password``; at sign-in it
    was just typed); the person's other sessions end."""
    user = confirm_password(user_id, password, now) if password is not None else _user(user_id)
    credential = pending_totp(user.id)
    if credential is None:
        raise ValidationError("ยังไม่ได้เริ่มตั้งค่าแอป เริ่มใหม่อีกครั้ง", "start setting up the app again")
    if _totp_step(credential, code, now) is None:
        raise ValidationError("รหัส 6 หลักไม่ถูกต้อง ดูรหัสล่าสุดในแอปแล้วลองอีกครั้ง",
                              "the 6-digit code is wrong; type the app's current code")
    credential.confirmed_at = now
    user.session_version += 1  # other sessions end: the caller starts this one again
    codes = new_recovery_codes(user, now)
    audit.record("second_factor_added", agency_id=user.agency_id, actor_id=user.id, now=now,
                 target_type="user", target_id=user.id, data={"method": "totp"})
    tell(user, "second_factor_added", now, method="totp")
    db.session.flush()
    return codes


def _totp_step(credential: TotpCredential, code: str, now: datetime) -> int | None:
    """The time step whose code this is, when it is one of now's and newer than the last accepted."""
    code = "".join(ch for ch in (code or "") if not ch.isspace())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(credential.secret)
    current = int(now.timestamp()) // totp.interval
    for step in range(current - DRIFT_STEPS, current + 1):
        if step > credential.last_step and hmac.compare_digest(totp.at(step * totp.interval), code):
            return step
    return None


def remove_totp(user_id: int, *, password: str, now: datetime) -> None:
    """The person removes their app (and its recovery codes), confirming with their password."""
    user = confirm_password(user_id, password, now)
    gone = db.session.execute(delete(TotpCredential).where(TotpCredential.user_id == user.id))
    removed = gone.rowcount  # type: ignore[attr-defined]
    drop_orphan_codes(user.id)
    if removed:
        user.session_version += 1
        audit.record("second_factor_removed", agency_id=user.agency_id, actor_id=user.id, now=now,
                     target_type="user", target_id=user.id, data={"method": "totp"})
        tell(user, "second_factor_removed", now, method="totp")
    db.session.flush()


# --- recovery codes ---------------------------------------------------------------------------------------

def _normal(code: str) -> str:
    """A code as typed: any case, with or without its dash or spaces."""
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _hash_code(code: str) -> str:
    """argon2id with its own random salt (ASVS 6.5.2: a lookup secret of under 112 bits is stored as a password
    is), by the same hasher as the passwords."""
    from workflow.people import users

    return users.hasher.hash(_normal(code))


def new_recovery_codes(user: User, now: datetime) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_code(c), created_at=now) for c in codes)
    return codes


def drop_orphan_codes(user_id: int) -> None:
    """Recovery codes stand in for a factor: with none left, they go too."""
    if not methods(user_id).any:
        db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))


def renew_recovery_codes(user_id: int, *, password: str, now: datetime) -> list[str]:
    """Ten new codes in place of the old (all of which stop working), confirmed with the password."""
    user = confirm_password(user_id, password, now)
    if not methods(user.id).any:
        raise ValidationError("ตั้งค่าแอปยืนยันตัวตนหรือพาสคีย์ก่อน", "set up an app or a passkey first")
    codes = new_recovery_codes(user, now)
    audit.record("recovery_codes_renewed", agency_id=user.agency_id, actor_id=user.id, now=now,
                 target_type="user", target_id=user.id)
    db.session.flush()
    return codes


def _use_recovery_code(user: User, code: str, now: datetime) -> bool:
    """Spend one unused code: checked against each unused one (at most ten), then one UPDATE ... WHERE used_at
    IS NULL, so two requests cannot both spend it."""
    from argon2.exceptions import InvalidHashError, VerificationError

    from workflow.people import users

    typed = _normal(code)
    if len(typed) != 10:
        return False
    unused = db.session.execute(select(RecoveryCode.id, RecoveryCode.code_hash).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all()
    for code_id, stored in unused:
        try:
            users.hasher.verify(stored, typed)
        except (VerificationError, InvalidHashError):
            continue
        spent = db.session.execute(update(RecoveryCode).where(RecoveryCode.id == code_id,
                                                              RecoveryCode.used_at.is_(None))
                                   .values(used_at=now).execution_options(synchronize_session=False))
        return spent.rowcount == 1  # type: ignore[attr-defined]
    return False


# --- the sign-in's second step ------------------------------------------------------------------------

def check_code(user_id: int, code: str, now: datetime) -> str | None:
    """The sign-in's second step with a typed code: the app's, or a recovery code. Returns the method that
    passed ("totp" or "recovery"), or None (audited, counted against the account: ``throttle``)."""
    user = _user(user_id)
    key = f"second:{user.id}"
    throttle.claim(key, now)
    method = None
    credential = db.session.execute(select(TotpCredential).where(
        TotpCredential.user_id == user.id, TotpCredential.confirmed_at.is_not(None))).scalar_one_or_none()
    if credential is not None and (step := _totp_step(credential, code, now)) is not None:
        credential.last_step = step  # this code, and any older one, is spent
        method = "totp"
    elif _use_recovery_code(user, code, now):
        method = "recovery"
    if method is None:
        failed(user, "code", now)
        return None
    return passed(user, method, now)


def passed(user: User, method: str, now: datetime) -> str:
    throttle.give_back(f"second:{user.id}")
    audit.record("second_factor_passed", agency_id=user.agency_id, actor_id=user.id, now=now,
                 target_type="user", target_id=user.id, data={"method": method})
    if method == "recovery":
        left = methods(user.id).recovery_left
        tell(user, "recovery_code_used", now, method="recovery", left=left)
    db.session.flush()
    return method


def failed(user: User, method: str, now: datetime) -> None:
    audit.record("second_factor_failed", agency_id=user.agency_id, actor_id=user.id, now=now,
                 target_type="user", target_id=user.id, data={"method": method})


# --- an admin's reset ---------------------------------------------------------------------------------

def reset(user_id: int, *, actor_id: int, now: datetime) -> User:
    """An admin removes every second factor of one of their agency's people (a lost phone): their sessions
    end, and they are told by e-mail; they set a new one up at their next sign-in."""
    actor = db.session.get(User, actor_id)
    if actor is None or not actor.active or not actor.has_role("admin"):
        raise PermissionDenied("เฉพาะผู้ดูแลระบบทำได้", "only an admin may do this")
    user = db.session.get(User, user_id)
    if user is None or user.agency_id != actor.agency_id:
        raise NotFound(f"ไม่พบผู้ใช้เลขที่ {user_id}", f"no user {user_id}")
    had = methods(user.id)
    if not had.any and had.recovery_left == 0 and pending_totp(user.id) is None:
        raise ValidationError("ผู้ใช้นี้ยังไม่ได้ตั้งค่าการยืนยันตัวตนขั้นที่สอง", "this person has no second factor")
    for model in (TotpCredential, RecoveryCode, Passkey):
        db.session.execute(delete(model).where(model.user_id == user.id))
    user.session_version += 1
    audit.record("second_factor_reset", agency_id=user.agency_id, actor_id=actor.id, now=now,
                 target_type="user", target_id=user.id,
                 data={"totp": had.totp, "passkeys": had.passkeys, "recovery_left": had.recovery_left})
    tell(user, "second_factor_reset", now, by=actor.name)
    db.session.flush()
    return user


# --- helpers ----------------------------------------------------------------------------------------------

def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise NotFound(f"ไม่พบผู้ใช้เลขที่ {user_id}", f"no user {user_id}")
    return user


def confirm_password(user_id: int, password: str, now: datetime) -> User:
    """Changing one's factors asks for the password again (a session left open is not enough)."""
    from workflow.people.accounts import MAX_PASSWORD_INPUT
    from workflow.people.users import verify_password

    user = _user(user_id)
    if len(password or "") > MAX_PASSWORD_INPUT or not verify_password(user, password or ""):
        audit.record("password_check_failed", agency_id=user.agency_id, actor_id=user.id, now=now,
                     target_type="user", target_id=user.id)
        raise ValidationError("รหัสผ่านไม่ถูกต้อง", "the password is wrong", keep_audit=True)
    return user


def tell(user: User, event: str, now: datetime, **context) -> None:
    """An e-mail to the person about their own sign-in (sent at any hour: it may be someone else's doing)."""
    notify.queue(event, f"{int(now.timestamp() * 1000)}", user, [], now, template="security",
                 params={"name": user.name}, context={"event": event, "link": notify.site_link("/security"),
                                                      "when": now.isoformat(), "method": None, "by": None,
                                                      **context})
