"""Errors the services raise: each has a stable code and a Thai and an English message."""

from __future__ import annotations

from dataclasses import dataclass


class ItaflowError(Exception):
    code = "error"
    http_status = 400

    def __init__(self, message_th: str, message_en: str, *, keep_audit: bool = False, **details):
        super().__init__(message_en)
        self.message_th = message_th
        self.message_en = message_en
        #: True when the service recorded the refusal in the audit log (and changed nothing else): the
        #: entry point commits that event instead of rolling it back
        self.keep_audit = keep_audit
        self.details = details

    def message(self, language: str = "th") -> str:
        return self.message_th if language == "th" else self.message_en

    def __str__(self) -> str:
        return f"{self.message_th} / {self.message_en}"


class NotFound(ItaflowError):
    code = "not_found"
    http_status = 404


class PermissionDenied(ItaflowError):
    code = "forbidden"
    http_status = 403


class InvalidTransition(ItaflowError):
    code = "invalid_transition"
    http_status = 409


class ConflictError(ItaflowError):
    """Someone changed the record since the actor loaded it."""

    code = "conflict"
    http_status = 409


class ValidationError(ItaflowError):
    code = "invalid"
    http_status = 422


class RateLimited(ValidationError):
    """Too many of one thing in a short time (a burst of uploads): wait, then try again."""

    code = "rate_limited"
    http_status = 429


@dataclass(frozen=True)
class Problem:
    """One problem in a definitions file, at a line."""

    file: str
    line: int | None
    message_th: str
    message_en: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message_th} / {self.message_en}"


class DefinitionError(ItaflowError):
    """A definitions file refused whole; ``problems`` lists every place to fix."""

    code = "bad_definition"
    http_status = 422

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        first = problems[0]
        more = f" (+{len(problems) - 1})" if len(problems) > 1 else ""
        super().__init__(str(first) + more, str(first) + more)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
