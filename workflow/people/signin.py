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

What an agency's admin sets (providers on or off, single sign-on required, a person's citizen id and links) is
``workflow.people.signinsettings``.
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
from workflow.errors import ItaflowError, NotFound, ValidationError
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


def identity_hashes(kind: str, provider_id: str, value: str) -> list[str]:
    """The value's hash under each key, the current key's first."""
    keys = current_app.config["ITAFLOW"].identity_keys
    if not keys:
        raise ValidationError("ยังไม่ได้ตั้งค่า ITAFLOW_IDENTITY_KEY ของระบบ", "ITAFLOW_IDENTITY_KEY is not set")
    return [_hash(key, kind, provider_id, value) for key in keys]


def find_identity(kind: str, provider_id: str, value: str) -> SignInIdentity | None:
    """The identity holding this value, under the current key or an older one (then re-keyed at once)."""
    hashes = identity_hashes(kind, provider_id, value)
    found = db.session.execute(select(SignInIdentity).where(
        SignInIdentity.kind == kind, SignInIdentity.provider == provider_id,
        SignInIdentity.value_hash.in_(hashes))).scalar_one_or_none()
    if found is not None and found.value_hash != hashes[0]:
        found.value_hash = hashes[0]
    return found


def linked_identity(user_id: int, kind: str, provider_id: str) -> SignInIdentity | None:
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


def switch_rows(agency_ids: list[int]) -> dict[tuple[int, str], AgencySignIn]:
    rows = db.session.execute(select(AgencySignIn).where(AgencySignIn.agency_id.in_(agency_ids))).scalars()
    return {(r.agency_id, r.provider): r for r in rows}


def rules(agency: Agency) -> list[Rule]:
    """The providers the agency's people may sign in with, in the deployment's order. The agency's own switch
    decides; without one, its nearest parent's switch made for its units does."""
    from workflow.people.agencies import ancestors

    chain = [agency, *ancestors(agency)]
    rows = switch_rows([a.id for a in chain])
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
    if not providers():
        return []
    used = set(db.session.execute(select(AgencySignIn.provider).where(AgencySignIn.enabled.is_(True))).scalars())
    return [p for p in providers() if p.id in used]


def agency_of(user: User) -> Agency:
    agency = db.session.get(Agency, user.agency_id)
    if agency is None:
        raise NotFound("ไม่พบหน่วยงาน", "no such agency")
    return agency


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
    linked = find_identity("subject", p.id, subject) if subject else None
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
            held = find_identity("citizen", ANY_PROVIDER, number)
            user = db.session.get(User, held.user_id) if held is not None else None
        if user is None:
            raise refuse("unknown", "ยังไม่มีบัญชีของท่านในระบบนี้", "there is no account of yours here")
    if not user.active:
        raise refuse("disabled", "บัญชีของท่านถูกปิดใช้งาน", "your account is disabled", user)
    agency = agency_of(user)
    allowed = rule(agency, p.id)
    if allowed is None:
        raise refuse("not_enabled", f"หน่วยงานของท่านยังไม่เปิดให้เข้าสู่ระบบด้วย {p.name}",
                     f"your agency has not switched {p.name} on", user)
    if not _domain_holds(p, allowed, claims):
        raise refuse("domain", f"บัญชี {p.name} นี้ไม่ได้อยู่ในองค์กรที่หน่วยงานของท่านกำหนด ({allowed.domain})",
                     f"this {p.name} account is not of the organisation your agency names ({allowed.domain})", user)
    if linked is None:
        other = linked_identity(user.id, "subject", p.id)
        if other is not None:
            # the address now belongs to another account at the provider: it does not inherit this one
            raise refuse("other_subject", f"บัญชีของท่านผูกกับบัญชี {p.name} อื่นไว้แล้ว",
                         f"your account is linked to another {p.name} account", user)
        linked = SignInIdentity(user_id=user.id, kind="subject", provider=p.id,
                                value_hash=identity_hashes("subject", p.id, subject)[0],
                                label=email if p.match == "email" else None, created_at=now)
        db.session.add(linked)
        db.session.flush()
        audit.record("sso_linked", agency_id=user.agency_id, actor_id=user.id, now=now, target_type="user",
                     target_id=user.id, data={"provider": p.id, "by": "email" if p.match == "email" else "citizen_id"})
    linked.last_used_at = now
    if p.match == "citizen":
        held = linked_identity(user.id, "citizen", ANY_PROVIDER)
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
