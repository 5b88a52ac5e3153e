"""The Jinja environment of the documents and the emails the domain renders (not the web pages)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parent / "templates"


def environment(folder: str, *, keep_trailing_newline: bool = False, i18n: bool = False) -> Environment:
    """HTML escaped, a missing value an error (never a silent blank in an official document or an email).
    With ``i18n``, templates word their texts with ``_()`` (the caller installs a catalogue)."""
    return Environment(loader=FileSystemLoader(TEMPLATES / folder), autoescape=select_autoescape(["html"]),
                       extensions=["jinja2.ext.i18n"] if i18n else [],
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       auto_reload=False,  # shipped with the code: no stat() of the file on every render
                       keep_trailing_newline=keep_trailing_newline)
