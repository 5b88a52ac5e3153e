"""Single sign-on, the web's part: the OpenID Connect authorization code flow with Authlib (the library of ETDA's
ThaID relying-party example), as strict as the standard allows.

- **Discovery** from the provider's ``/.well-known/openid-configuration``, read again after a day; its
  ``issuer`` must be the one configured (Microsoft's multi-tenant ``{tenantid}`` template excepted) and its
  endpoints https (plain HTTP only for an issuer config allowed on it: this machine, or ITAFLOW_PLAIN_HTTP=1).
- **The request**: ``state`` (30 random letters and digits, 178 bits), ``nonce`` (20) and a PKCE
  ``code_verifier`` (S256), kept in the signed session cookie for ``FLOW_SECONDS``, used once (a return
  ends every sign-in the browser had started with that provider); the redirect address is built from
  ``ITAFLOW_BASE_URL``, never from the request's Host.
- **The answer**: a state this browser did not start is refused before anything is sent anywhere; an ``iss``
  parameter (RFC 9207) must be the provider's; the code is exchanged once (the provider refuses it again).
- **The ID token**: its signature checked against the provider's JWKS (asymmetric algorithms only, those the
  provider announces); a key id not in the cached set reads the JWKS again once, so rotated keys are picked
  up; ``iss``, ``aud`` (our client id; ``azp`` when there are several), ``exp``, ``iat`` (not in the future,
  not older than ``MAX_AGE``), ``nbf`` and ``nonce`` checked against the one clock with ``LEEWAY`` of skew.
- Nothing secret is logged: not the client secret, the code, the tokens, the verifier or a citizen id
  (Authlib's own debug lines print the verifier, so its logger stays above DEBUG).

The claims then go to ``workflow.people.signin.sign_in``, which finds the account or refuses.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import FlaskOAuth2App, OAuth
from authlib.oidc.core import CodeIDToken
from flask import Flask, current_app, session
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from workflow import clock

log = logging.getLogger("itaflow.sso")

LEEWAY = 60  # seconds of clock skew allowed between the provider and us
MAX_AGE = 600  # an ID token issued longer ago than this is refused: we asked for it a moment ago
FLOW_SECONDS = 600  # a sign-in started and not finished within ten minutes starts again
METADATA_SECONDS = 24 * 3600  # discovery (and with it the cached keys) read again after a day
#: the ID token's signature: the provider's public keys only (no "none", no secret-keyed HMAC)
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")


class ProviderUnavailable(Exception):
    """The provider did not answer, or answered nonsense: try again later (or sign in with a password)."""


class FlowRefused(Exception):
    """The answer that came back is not one to trust. ``reason``: state, denied, issuer, code, token."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class ProviderApp(FlaskOAuth2App):
    """Authlib's Flask client with the checks above made strict and the clock made ours."""

    itaflow_kind = "oidc"
    itaflow_issuer = ""

    def load_server_metadata(self):
        now = clock.now().timestamp()
        loaded = self.server_metadata.get("_loaded_at")
        if loaded is not None and not 0 <= now - loaded < METADATA_SECONDS:
            self.server_metadata = {}  # discovery, and the keys cached with it, read again
        if "_loaded_at" not in self.server_metadata:
            with self._get_session() as http:
                response = http.request("GET", self._server_metadata_url, withhold_token=True)
                response.raise_for_status()
                metadata = response.json()
            issuer = str(metadata.get("issuer") or "").rstrip("/")
            expected = self.itaflow_issuer
            if issuer != expected and not (self.itaflow_kind == "microsoft" and "{tenantid}" in issuer):
                raise ProviderUnavailable(f"discovery names issuer {issuer!r}, not {expected!r}")
            # plain HTTP only from an issuer the settings allowed on it (this machine, or ITAFLOW_PLAIN_HTTP=1)
            schemes = ("https://", "http://") if expected.startswith("http://") else ("https://",)
            for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not str(metadata.get(endpoint) or "").startswith(schemes):
                    raise ProviderUnavailable(f"discovery has no https {endpoint}")
            metadata["_loaded_at"] = now
            self.server_metadata = {**metadata}
        return self.server_metadata

    def parse_id_token(self, token, nonce, claims_options=None, claims_cls=None, leeway=LEEWAY):
        metadata = self.load_server_metadata()
        raw = token.get("id_token")
        if not raw:
            raise FlowRefused("token", "no id_token")
        offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        registry = JWSRegistry(algorithms=[a for a in offered if a in ALGORITHMS] or ["RS256"])
        try:
            try:
                decoded = jwt.decode(raw, KeySet.import_key_set(self.fetch_jwk_set()), registry=registry)
            except InvalidKeyIdError:  # a key we have not seen: the provider rotated its keys
                decoded = jwt.decode(raw, KeySet.import_key_set(self.fetch_jwk_set(force=True)), registry=registry)
        except JoseError as exc:
            raise FlowRefused("token", f"signature: {type(exc).__name__}") from None
        except (ValueError, TypeError) as exc:
            raise FlowRefused("token", f"not a JWT: {type(exc).__name__}") from None
        issuer = str(metadata["issuer"]).rstrip("/")
        if "{tenantid}" in issuer:  # Microsoft's multi-tenant discovery: the issuer of the tenant in the token
            issuer = issuer.replace("{tenantid}", str(decoded.claims.get("tid") or "-"))
        options = {"iss": {"essential": True, "values": [issuer, issuer + "/"]},
                   "sub": {"essential": True}, "aud": {"essential": True, "value": self.client_id},
                   "exp": {"essential": True}, "iat": {"essential": True}, "nonce": {"essential": True,
                                                                                      "value": nonce}}
        claims = CodeIDToken(decoded.claims, decoded.header, options,
                             {"nonce": nonce, "client_id": self.client_id, "access_token": token.get("access_token")})
        now = int(clock.now().timestamp())
        try:
            claims.validate(now=now, leeway=leeway)
        except JoseError as exc:
            raise FlowRefused("token", f"claims: {type(exc).__name__} {exc.description or ''}") from None
        if claims["iat"] < now - MAX_AGE - leeway:
            raise FlowRefused("token", "issued too long ago")
        return dict(claims)


class Registry(OAuth):
    oauth2_client_cls = ProviderApp


def init_sso(app: Flask) -> None:
    """One Authlib client per configured provider, kept for the life of the process (discovery and keys too)."""
    settings = app.config["ITAFLOW"]
    logging.getLogger("authlib").setLevel(logging.INFO)  # its DEBUG lines print the PKCE verifier
    registry = Registry(app)
    for p in settings.sso_providers:
        client = registry.register(
            p.id, client_id=p.client_id, client_secret=p.client_secret, server_metadata_url=p.discovery_url,
            client_kwargs={"scope": p.scope, "code_challenge_method": "S256", "default_timeout": settings.sso_timeout})
        client.itaflow_kind, client.itaflow_issuer = p.kind, p.issuer
    app.extensions["itaflow_sso"] = registry


def _client(provider_id: str) -> ProviderApp:
    return current_app.extensions["itaflow_sso"].create_client(provider_id)


def redirect_uri(provider_id: str) -> str:
    """Where the provider sends the person back: register exactly this address with the provider."""
    return f"{current_app.config['ITAFLOW'].base_url}/login/sso/{provider_id}/callback"


def authorization_url(provider_id: str, *, next_path: str | None, agency_code: str | None) -> str:
    """Start a sign-in: state, nonce and PKCE verifier kept in this browser's session; the provider's address."""
    client = _client(provider_id)
    uri = redirect_uri(provider_id)
    try:
        made = client.create_authorization_url(uri)
    except (requests.RequestException, ValueError, ProviderUnavailable) as exc:
        log.warning("sign-in provider %s unavailable: %s", provider_id, _reason(exc))
        raise ProviderUnavailable(provider_id) from None
    client.save_authorize_data(redirect_uri=uri, made=int(clock.now().timestamp()), next=next_path,
                               agency=agency_code, **made)
    return made["url"]


@dataclass(frozen=True)
class Finished:
    claims: dict
    next_path: str | None
    agency_code: str | None


def finish(provider_id: str, args) -> Finished:
    """The provider's answer (the callback's query): the checked ID token's claims, or FlowRefused /
    ProviderUnavailable."""
    client = _client(provider_id)
    state = args.get("state") or ""
    data = client.framework.get_state_data(session, state) if state else None
    for key in [k for k in session if k.startswith(f"_state_{provider_id}_")]:
        session.pop(key)  # every sign-in this browser started with the provider: used once, whatever comes next
    now = int(clock.now().timestamp())
    if not data or not 0 <= now - int(data.get("made") or 0) <= FLOW_SECONDS:
        raise FlowRefused("state")
    if args.get("error"):
        raise FlowRefused("denied", str(args.get("error"))[:64])
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError, ProviderUnavailable) as exc:
        log.warning("sign-in provider %s unavailable: %s", provider_id, _reason(exc))
        raise ProviderUnavailable(provider_id) from None
    if args.get("iss") is not None and args.get("iss") != metadata.get("issuer") \
            and "{tenantid}" not in str(metadata.get("issuer")):
        raise FlowRefused("issuer")
    code = args.get("code")
    if not code:
        raise FlowRefused("code", "none")
    try:
        token = client.fetch_access_token(redirect_uri=data["redirect_uri"], code=code,
                                          code_verifier=data.get("code_verifier"))
    except OAuthError as exc:
        raise FlowRefused("code", str(exc.error)[:64]) from None
    except (requests.RequestException, ValueError) as exc:
        log.warning("sign-in provider %s unavailable: %s", provider_id, _reason(exc))
        raise ProviderUnavailable(provider_id) from None
    claims = client.parse_id_token(token, nonce=data.get("nonce"))
    return Finished(claims, data.get("next"), data.get("agency"))


def _reason(exc: Exception) -> str:
    """What went wrong, without a URL's query or a response body (they can carry codes and tokens)."""
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code}"
    return type(exc).__name__ if not isinstance(exc, ProviderUnavailable) else str(exc)
