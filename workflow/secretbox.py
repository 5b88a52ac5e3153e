"""Secrets the database holds (a LINE channel's token and secret, a person's TOTP seed), encrypted at rest.

Fernet (AES-128-CBC with HMAC-SHA256) under keys that live outside the database: ``ITAFLOW_DATA_KEYS``, comma-
separated, the newest first, else one kept in the instance folder. The first key encrypts; every key decrypts
(``MultiFernet``), so a new key is put in front, ``itaflow secrets rotate`` re-encrypts every stored secret
under it, and the old key can then be dropped. A stored value reads ``enc1:<token>``; a value stored before
encryption (plain text) still reads as it is until the rotation encrypts it.
"""

from __future__ import annotations

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import Text, literal, select, update
from sqlalchemy.types import TypeDecorator

PREFIX = "enc1:"


class SecretKeyError(RuntimeError):
    """A stored secret no key given can open (the key that sealed it was dropped too early)."""


@functools.cache
def _box(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise SecretKeyError("no data key: set ITAFLOW_DATA_KEYS")
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError as exc:
        raise SecretKeyError("ITAFLOW_DATA_KEYS: each key must be 32 url-safe base64-encoded bytes "
                             "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())')"
                             ) from exc


def box() -> MultiFernet:
    return _box(current_app.config["ITAFLOW"].data_keys)


def seal(plain: str) -> str:
    return PREFIX + box().encrypt(plain.encode()).decode()


def is_sealed(stored: str | None) -> bool:
    return bool(stored) and str(stored).startswith(PREFIX)


def open_(stored: str) -> str:
    if not is_sealed(stored):
        return stored  # stored before encryption: `itaflow secrets rotate` seals it
    try:
        return box().decrypt(stored[len(PREFIX):].encode()).decode()
    except InvalidToken:
        raise SecretKeyError("a stored secret cannot be decrypted with the keys in ITAFLOW_DATA_KEYS") from None


class Encrypted(TypeDecorator):
    """A text column whose value is encrypted before it is written and decrypted when it is read."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else seal(str(value))

    def process_result_value(self, value, dialect):
        return None if value is None else open_(value)


def encrypted_columns() -> list[tuple[str, str]]:
    """(table, column) of every Encrypted column of the models."""
    from workflow.db import db

    return [(table.name, column.name) for table in db.metadata.sorted_tables for column in table.columns
            if isinstance(column.type, Encrypted)]


def rotate(*, only_plain: bool = False) -> dict[str, int]:
    """Re-encrypt every stored secret under the first key (and seal those stored in clear; with
    ``only_plain``, only those). The caller commits. Returns how many values each column had rewritten."""
    from workflow.db import db

    fernet = box()
    done: dict[str, int] = {}
    connection = db.session.connection()
    for table_name, column_name in encrypted_columns():
        table = db.metadata.tables[table_name]
        column = table.c[column_name]
        # the stored text itself, read and written as Text (not through Encrypted)
        rows = connection.execute(select(table.c.id, column.cast(Text())).where(column.is_not(None))).all()
        count = 0
        for row_id, stored in rows:
            if is_sealed(stored) and only_plain:
                continue
            if is_sealed(stored):
                try:
                    token = fernet.rotate(stored[len(PREFIX):].encode()).decode()
                except InvalidToken:
                    raise SecretKeyError(f"{table_name}.{column_name} of row {row_id} cannot be decrypted with "
                                         "the keys in ITAFLOW_DATA_KEYS") from None
            else:
                token = fernet.encrypt(str(stored).encode()).decode()
            connection.execute(update(table).where(table.c.id == row_id)
                               .values({column_name: literal(PREFIX + token, Text())}))
            count += 1
        done[f"{table_name}.{column_name}"] = count
    return done
