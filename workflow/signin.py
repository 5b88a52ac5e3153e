"""Single sign-on, the domain's part: which providers an agency lets its people use, who a provider's sign-in
is, and when a password is no longer enough.

``web/sso.py`` runs the OpenID Connect flow (Authlib: code flow, PKCE, state, nonce) and hands over the ID
token's claims only once their signature, issuer, audience, expiry and nonce hold. Here they meet the accounts,
and the rule is that **nobody gets in by having an account somewhere**: a sign-in finds an account an admin
created or invited, by

1. the provider's subject (``sub``) linked to the account at an earlier sign-in;
2. else a *verified* e-mail claim equal to the account's e-mail (Google's ``hd``, Microsoft's tenant ``tid``
   or the e-mail's domain checked when the account's agency names one);
3. else, for ThaID (a provider matching by citizen id), the citizen id an admin entered for the account.

The first match links the subject, so a later change of e-mail at the provider does not lose the person, and
an address given to someone else at the provider does not inherit the account (that new subject is refused).
Subjects and citizen ids are kept only as HMAC-SHA256 under ``ITAFLOW_IDENTITY_KEY``: never in clear, not in
the audit log, not in a log line. A refusal is audited (``sso_refused``) and says whom to ask.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from config import SsoProvider
from workflow import audit
from workflow.db import db
from workflow.errors import ItaflowError, NotFound, PermissionDenied, ValidationError
from workflow.models import Agency, AgencySignIn, SignInIdentity, User
from workflow.models.signin import ANY_PROVIDER
from workflow.thaidate import to_arabic_digits


def providers() -> tuple[SsoProvider, ...]:
    """The deployment's providers, in the order ``ITAFLOW_SSO_PROVIDERS`` names them."""
    return current_app.config["ITAFLOW"].sso_providers


def provider(provider_id: str) -> SsoProvider | None:
    return next((p for p in providers() if p.id == provider_id), None)


# --- keyed hashes ---------------------------------------------------------------------------------------------

def _hash(key: str, kind: str, provider_id: str, value: str) -> str:
    message = f"{kind}\x00{provider_id}\x00{value}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def _candidates(kind: str, provider_id: str, value: str) -> list[str]:
    """The value's hash under each key, the current key's first."""
    keys = current_app.config["ITAFLOW"].identity_keys
    if not keys:
        raise ValidationError("ยังไม่ได้ตั้งค่า ITAFLOW_IDENTITY_KEY ของระบบ", "ITAFLOW_IDENTITY_KEY is not set")
    return [_hash(key, kind, provider_id, value) for key in keys]


def _find(kind: str, provider_id: str, value: str) -> SignInIdentity | None:
    """The identity holding this value, under the current key or an older one (then re-keyed at once)."""
    hashes = _candidates(kind, provider_id, value)
    found = db.session.execute(select(SignInIdentity).where(
        SignInIdentity.kind == kind, SignInIdentity.provider == provider_id,
        SignInIdentity.value_hash.in_(hashes))).scalar_one_or_none()
    if found is not None and found.value_hash != hashes[0]:
        found.value_hash = hashes[0]
    return found


def _linked(user_id: int, kind: str, provider_id: str) -> SignInIdentity | None:
    return db.session.execute(select(SignInIdentity).where(
        SignInIdentity.user_id == user_id, SignInIdentity.kind == kind,
        SignInIdentity.provider == provider_id)).scalar_one_or_none()


def citizen_id(text: str) -> str:
    """A citizen id (เลขประจำตัวประชาชน) as 13 Arabic digits: spaces and dashes dropped, Thai digits read,
    the check digit checked."""
    digits = re.sub(r"[\s\-]", "", to_arabic_digits(text or ""))
    if not re.fullmatch(r"\d{13}", digits):
        raise ValidationError("เลขประจำตัวประชาชนต้องมี ๑๓ หลัก", "a citizen id has 13 digits")
    check = (11 - sum(int(d) * (13 - i) for i, d in enumerate(digits[:12])) % 11) % 10
    if check != int(digits[12]):
        raise ValidationError("เลขประจำตัวประชาชนไม่ถูกต้อง (เลขตรวจสอบไม่ตรง)", "the citizen id's check digit is wrong")
    return digits


# --- what an agency allows ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """A provider allowed for an agency: by its own switch or by a parent's switch for its units."""

    provider: SsoProvider
    source: Agency  # the agency whose switch it is
    domain: str | None


def _rows(agency_ids: list[int]) -> dict[tuple[int, str], AgencySignIn]:
    rows = db.session.execute(select(AgencySignIn).where(AgencySignIn.agency_id.in_(agency_ids))).scalars()
    return {(r.agency_id, r.provider): r for r in rows}


def rules(agency: Agency) -> list[Rule]:
    """The providers the agency's people may sign in with, in the deployment's order. The agency's own switch
    decides; without one, its nearest parent's switch made for its units does."""
    from workflow.agencies import ancestors

    chain = [agency, *ancestors(agency)]
    rows = _rows([a.id for a in chain])
    out = []
    for p in providers():
        for depth, holder in enumerate(chain):
            row = rows.get((holder.id, p.id))
            if row is None or (depth > 0 and not row.for_units):
                continue
            if row.enabled:
                out.append(Rule(p, holder, row.domain))
            break
    return out


def rule(agency: Agency, provider_id: str) -> Rule | None:
    return next((r for r in rules(agency) if r.provider.id == provider_id), None)


def password_allowed(user: User) -> bool:
    """A password signs in unless the person's agency requires single sign-on; its break-glass admin's always
    does (the way in when the provider is down)."""
    agency = db.session.get(Agency, user.agency_id)
    return agency is None or not agency.sso_required or (user.break_glass and user.has_role("admin"))


def offered_anywhere() -> list[SsoProvider]:
    """The providers some agency switched on: what a sign-in page that knows no agency offers."""
    used = set(db.session.execute(select(AgencySignIn.provider).where(AgencySignIn.enabled.is_(True))).scalars())
    return [p for p in providers() if p.id in used]


# --- signing in -----------------------------------------------------------------------------------------------

class SignInRefused(ItaflowError):
    """A provider's sign-in that matches no account, or one that may not use it. ``agency`` is whose admins to
    ask (when known), ``email`` the address the person signed in with (never a citizen id)."""

    code = "sign_in_refused"
    http_status = 403

    def __init__(self, reason: str, message_th: str, message_en: str, *, agency: Agency | None = None,
                 email: str | None = None) -> None:
        super().__init__(message_th, message_en, keep_audit=True)
        self.reason, self.agency, self.email = reason, agency, email


def admins_to_ask(agency: Agency | None) -> list[User]:
    """Who adds a person to the agency: its active admins."""
    if agency is None:
        return []
    people = db.session.execute(select(User).where(User.agency_id == agency.id, User.active)
                                .order_by(User.name)).scalars()
    return [u for u in people if u.has_role("admin")]


def _verified(claims: dict, p: SsoProvider) -> bool:
    """The provider vouches for the e-mail: ``email_verified`` true (Microsoft: or ``xms_edov``, its claim that
    the domain's owner verified it; Entra sends no ``email_verified``)."""
    values = [claims.get("email_verified")] + ([claims.get("xms_edov")] if p.kind == "microsoft" else [])
    return any(v is True or (isinstance(v, str) and v.lower() == "true") for v in values)


def _domain_holds(p: SsoProvider, rule_: Rule, claims: dict) -> bool:
    """When the agency names where its accounts come from: Google's Workspace domain (``hd``), Microsoft's
    tenant (``tid``), any other e-mail provider's e-mail domain. A citizen id provider has no domain."""
    if not rule_.domain or p.match == "citizen":
        return True
    wanted = rule_.domain.strip().lower()
    if p.kind == "google":
        return str(claims.get("hd") or "").lower() == wanted
    if p.kind == "microsoft":
        return str(claims.get("tid") or "").lower() == wanted
    return str(claims.get("email") or "").lower().rpartition("@")[2] == wanted


def sign_in(provider_id: str, claims: dict, *, hint: Agency | None, now: datetime) -> User:
    """The account a provider's checked claims belong to, or SignInRefused (audited, with the reason). ``hint``
    is the agency whose sign-in page the person started from: only whom to name, never a right."""
    p = provider(provider_id)
    if p is None:
        raise NotFound("ไม่รู้จักผู้ให้บริการนี้", "no such provider")
    email = str(claims.get("email") or "").strip().lower()[:255] or None

    def refuse(reason: str, th: str, en: str, user: User | None = None) -> SignInRefused:
        """The refusal's one audit event, and nothing else of this sign-in (web/transaction.py commits it)."""
        user_id, agency_id = (user.id, user.agency_id) if user is not None else (None, hint.id if hint else None)
        db.session.rollback()
        agency = db.session.get(Agency, agency_id) if agency_id is not None else None
        audit.record("sso_refused", agency_id=agency_id, actor_id=user_id,
                     now=now, target_type="user" if user_id else None, target_id=user_id,
                     note=(email or "")[:100] if p.match == "email" else None,
                     data={"provider": p.id, "reason": reason})
        return SignInRefused(reason, th, en, agency=agency, email=email if p.match == "email" else None)

    subject = str(claims.get("sub") or "")
    linked = _find("subject", p.id, subject) if subject else None
    user = db.session.get(User, linked.user_id) if linked is not None else None
    if user is None:
        if p.match == "email":
            if not email:
                raise refuse("no_email", f"{p.name} ไม่ได้ส่งอีเมลของท่านมา", f"{p.name} sent no e-mail address")
            if not _verified(claims, p):
                raise refuse("email_unverified", f"{p.name} ยังไม่ได้ยืนยันอีเมล {email} ของท่าน จึงใช้เข้าสู่ระบบไม่ได้",
                             f"{p.name} has not verified your address {email}, so it cannot sign you in")
            user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        else:
            try:
                number = citizen_id(str(claims.get(p.citizen_claim) or ""))
            except ValidationError:
                raise refuse("no_citizen_id", f"{p.name} ไม่ได้ส่งเลขประจำตัวประชาชนของท่านมา",
                             f"{p.name} sent no citizen id") from None
            held = _find("citizen", ANY_PROVIDER, number)
            user = db.session.get(User, held.user_id) if held is not None else None
        if user is None:
            raise refuse("unknown", "ยังไม่มีบัญชีของท่านในระบบนี้", "there is no account of yours here")
    if not user.active:
        raise refuse("disabled", "บัญชีของท่านถูกปิดใช้งาน", "your account is disabled", user)
    agency = _agency_of(user)
    allowed = rule(agency, p.id)
    if allowed is None:
        raise refuse("not_enabled", f"หน่วยงานของท่านยังไม่เปิดให้เข้าสู่ระบบด้วย {p.name}",
                     f"your agency has not switched {p.name} on", user)
    if not _domain_holds(p, allowed, claims):
        raise refuse("domain", f"บัญชี {p.name} นี้ไม่ได้อยู่ในองค์กรที่หน่วยงานของท่านกำหนด ({allowed.domain})",
                     f"this {p.name} account is not of the organisation your agency names ({allowed.domain})", user)
    if linked is None:
        other = _linked(user.id, "subject", p.id)
        if other is not None:
            # the address now belongs to another account at the provider: it does not inherit this one
            raise refuse("other_subject", f"บัญชีของท่านผูกกับบัญชี {p.name} อื่นไว้แล้ว",
                         f"your account is linked to another {p.name} account", user)
        linked = SignInIdentity(user_id=user.id, kind="subject", provider=p.id,
                                value_hash=_candidates("subject", p.id, subject)[0],
                                label=email if p.match == "email" else None, created_at=now)
        db.session.add(linked)
        db.session.flush()
        audit.record("sso_linked", agency_id=user.agency_id, actor_id=user.id, now=now, target_type="user",
                     target_id=user.id, data={"provider": p.id, "by": "email" if p.match == "email" else "citizen_id"})
    linked.last_used_at = now
    if p.match == "citizen":
        held = _linked(user.id, "citizen", ANY_PROVIDER)
        if held is not None:
            held.last_used_at = now
    audit.record("login", agency_id=user.agency_id, actor_id=user.id, now=now, target_type="user",
                 target_id=user.id, data={"via": p.id})
    return user


def flow_failed(provider_id: str, reason: str, *, hint: Agency | None, now: datetime) -> None:
    """A sign-in that broke off before any account was looked at: a state that is not this browser's, a code
    refused by the provider (used already), an ID token whose signature or claims do not hold."""
    audit.record("sso_failed", agency_id=hint.id if hint else None, actor_id=None, now=now,
                 data={"provider": provider_id, "reason": reason})


# --- an admin's settings --------------------------------------------------------------------------------------

def _admin(actor_id: int) -> User:
    actor = db.session.get(User, actor_id)
    if actor is None or not actor.active or not actor.has_role("admin"):
        raise PermissionDenied("เฉพาะผู้ดูแลระบบทำได้", "only an admin may do this")
    return actor


def _agency_of(user: User) -> Agency:
    agency = db.session.get(Agency, user.agency_id)
    if agency is None:
        raise NotFound("ไม่พบหน่วยงาน", "no such agency")
    return agency


_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def _domain(p: SsoProvider, text: str | None) -> str | None:
    value = (text or "").strip().lower() or None
    if value is None or p.match == "citizen":
        return None
    if p.kind == "microsoft":
        if not _GUID.fullmatch(value):
            raise ValidationError(f"Tenant ID ของ {p.name} ต้องเป็นรูปแบบ xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
                                  f"{p.name}'s tenant id looks like xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")
    elif not _DOMAIN.fullmatch(value):
        raise ValidationError(f"โดเมนของ {p.name} ไม่ถูกต้อง เช่น roiet.go.th", f"{p.name}'s domain is not a domain name")
    return value


#: an agency's choice for a provider: its own switch on or off, or (no row) what its parent decided for its units
CHOICES = ("on", "off", "inherit")


def set_providers(*, actor_id: int, choices: dict[str, tuple[str, bool, str | None]], now: datetime) -> list[str]:
    """An admin decides the deployment's providers for their agency: on, off, or as its parent decided for its
    units ("inherit"); when on, for its units too, and the domain (or tenant) its accounts must come from.
    ``choices``: provider id -> (choice, for units, domain). Each change is its own audited event; returns the
    providers changed."""
    actor = _admin(actor_id)
    agency = _agency_of(actor)
    rows = _rows([agency.id])
    changed = []
    for p in providers():
        if p.id not in choices:
            continue
        choice, for_units, text = choices[p.id]
        if choice not in CHOICES:
            raise ValidationError(f"เลือก เปิด ปิด หรือตามหน่วยงานต้นสังกัด สำหรับ {p.name}",
                                  f"choose on, off or as the parent decides for {p.name}")
        domain = _domain(p, text) if choice == "on" else None
        row = rows.get((agency.id, p.id))
        before = {"enabled": row.enabled, "for_units": row.for_units, "domain": row.domain} if row else None
        after = None if choice == "inherit" else {"enabled": choice == "on", "for_units": for_units,
                                                   "domain": domain}
        if before == after:
            continue
        if after is None:
            db.session.delete(row)
        else:
            if row is None:
                row = AgencySignIn(agency_id=agency.id, provider=p.id, updated_at=now)
                db.session.add(row)
            row.enabled, row.for_units, row.domain = choice == "on", for_units, domain
            row.updated_at, row.updated_by_id = now, actor.id
        audit.record("sso_provider_changed", agency_id=agency.id, actor_id=actor.id, now=now,
                     target_type="agency", target_id=agency.id, data={"provider": p.id, "before": before,
                                                                      "after": after})
        changed.append(p.id)
    db.session.flush()
    if agency.sso_required and not rules(agency):
        raise ValidationError("หน่วยงานนี้บังคับใช้ SSO อยู่ ต้องเปิดผู้ให้บริการไว้อย่างน้อยหนึ่งราย",
                              "single sign-on is required here: keep at least one provider on")
    return changed


def set_required(*, actor_id: int, required: bool, break_glass_id: int | None, now: datetime) -> Agency:
    """An admin requires single sign-on for their agency (passwords then refused for its people) and names the
    one admin whose password still works (break-glass: the way in when the provider is down)."""
    actor = _admin(actor_id)
    agency = _agency_of(actor)
    people = db.session.execute(select(User).where(User.agency_id == agency.id)).scalars().all()
    chosen = next((u for u in people if u.id == break_glass_id), None) if break_glass_id else None
    if break_glass_id and (chosen is None or not chosen.active or not chosen.has_role("admin")):
        raise ValidationError("ผู้ดูแลระบบสำรองฉุกเฉินต้องเป็นผู้ดูแลระบบของหน่วยงานนี้ที่ใช้งานอยู่",
                              "the break-glass admin must be an active admin of this agency")
    if required:
        if not rules(agency):
            raise ValidationError("เปิดผู้ให้บริการอย่างน้อยหนึ่งรายก่อนบังคับใช้ SSO",
                                  "switch a provider on before requiring single sign-on")
        if chosen is None:
            raise ValidationError("เลือกผู้ดูแลระบบสำรองฉุกเฉินหนึ่งคน (ใช้รหัสผ่านได้เมื่อผู้ให้บริการขัดข้อง)",
                                  "name one break-glass admin (their password works when the provider is down)")
        if not chosen.password_hash:
            raise ValidationError(f"{chosen.name} ยังไม่มีรหัสผ่าน จึงเป็นผู้ดูแลระบบสำรองฉุกเฉินไม่ได้",
                                  f"{chosen.name} has no password, so cannot be the break-glass admin")
    before = {"required": agency.sso_required, "break_glass": next((u.id for u in people if u.break_glass), None)}
    agency.sso_required = required
    for person in people:
        person.break_glass = chosen is not None and person.id == chosen.id
    after = {"required": required, "break_glass": chosen.id if chosen else None}
    if before != after:
        audit.record("sso_required_changed", agency_id=agency.id, actor_id=actor.id, now=now, target_type="agency",
                     target_id=agency.id, data={"before": before, "after": after})
    db.session.flush()
    return agency


def _person(actor: User, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.agency_id != actor.agency_id:
        raise NotFound(f"ไม่พบผู้ใช้เลขที่ {user_id}", f"no user {user_id}")
    return user


def set_citizen_id(user_id: int, *, actor_id: int, number: str, now: datetime) -> User:
    """An admin enters a person's citizen id (for ThaID), or clears it with an empty one. Only its keyed hash is
    kept; the audit event says that it changed, never the number."""
    actor = _admin(actor_id)
    user = _person(actor, user_id)
    held = _linked(user.id, "citizen", ANY_PROVIDER)
    if not (number or "").strip():
        if held is None:
            raise ValidationError("ผู้ใช้นี้ยังไม่มีเลขประจำตัวประชาชนในระบบ", "no citizen id is kept for this person")
        db.session.delete(held)
        audit.record("citizen_id_cleared", agency_id=user.agency_id, actor_id=actor.id, now=now,
                     target_type="user", target_id=user.id)
        db.session.flush()
        return user
    value = citizen_id(number)
    other = _find("citizen", ANY_PROVIDER, value)
    if other is not None and other.user_id != user.id:
        raise ValidationError("เลขประจำตัวประชาชนนี้เป็นของบัญชีอื่นแล้ว", "this citizen id belongs to another account")
    if held is None:
        held = SignInIdentity(user_id=user.id, kind="citizen", provider=ANY_PROVIDER, created_at=now)
        db.session.add(held)
    held.value_hash, held.created_by_id, held.created_at = _candidates("citizen", ANY_PROVIDER, value)[0], actor.id, now
    audit.record("citizen_id_set", agency_id=user.agency_id, actor_id=actor.id, now=now, target_type="user",
                 target_id=user.id)
    db.session.flush()
    return user


def unlink(user_id: int, *, actor_id: int, provider_id: str, now: datetime) -> User:
    """An admin removes the link between a person and their account at a provider (a new account there, after
    the old one was deleted): the next sign-in matches by e-mail or citizen id again."""
    actor = _admin(actor_id)
    user = _person(actor, user_id)
    held = _linked(user.id, "subject", provider_id)
    if held is None:
        raise ValidationError("ผู้ใช้นี้ไม่ได้ผูกบัญชีกับผู้ให้บริการนี้", "this person is not linked to that provider")
    db.session.delete(held)
    audit.record("sso_unlinked", agency_id=user.agency_id, actor_id=actor.id, now=now, target_type="user",
                 target_id=user.id, data={"provider": provider_id})
    db.session.flush()
    return user


def change_person(user_id: int, *, actor_id: int, action: str, provider_id: str, number: str,
                  now: datetime) -> User:
    """The admin page's form for one person: ``action`` "citizen" (their citizen id entered, or cleared with
    an empty one) or "unlink" (a provider's link removed). The person is looked up first: another agency's is
    not found, whatever the form asks."""
    _person(_admin(actor_id), user_id)
    if action == "citizen":
        return set_citizen_id(user_id, actor_id=actor_id, number=number, now=now)
    if action == "unlink":
        return unlink(user_id, actor_id=actor_id, provider_id=provider_id, now=now)
    raise ValidationError("คำขอไม่ถูกต้อง กรุณาลองใหม่", "unknown request")


def identities(agency_id: int) -> dict[int, list[SignInIdentity]]:
    """Each person's linked identities (for the admin page): the hashes stay on the server."""
    rows = db.session.execute(select(SignInIdentity).join(User, User.id == SignInIdentity.user_id)
                              .where(User.agency_id == agency_id)).scalars()
    out: dict[int, list[SignInIdentity]] = {}
    for row in rows:
        out.setdefault(row.user_id, []).append(row)
    return out
