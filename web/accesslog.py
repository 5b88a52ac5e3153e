"""gunicorn's access log without secrets: a calendar feed's address is its credential, so the secret part of
``/ics/<secret>.ics`` is written as ``***``; so are the ``code`` and ``state`` a sign-in provider sends back
to ``/login/sso/<provider>/callback`` (``itaflow up`` and the image use this logger)."""

from __future__ import annotations

import re

from gunicorn.glogging import Logger

SECRET_PATH = re.compile(r"(/ics/)[^/?\s\"]+(\.ics)")


SSO_QUERY = re.compile(r"((?:^|[?&])(?:code|state|session_state|id_token|access_token)=)[^&\s\"]*")


def mask(text: str) -> str:
    return SSO_QUERY.sub(r"\1***", SECRET_PATH.sub(r"\1***\2", text))


class MaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "{raw_uri}e"):
            value = atoms.get(key)
            if isinstance(value, str):
                atoms[key] = mask(value)
        return atoms
