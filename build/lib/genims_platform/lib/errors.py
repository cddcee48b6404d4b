"""Errors the platform raises on purpose, with messages that say what to fix.

Driver exceptions can carry connection strings; `scrub` removes every configured secret from any
text before it reaches a log, run metadata or an exception message.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from urllib.parse import quote, quote_plus


class GenimsError(Exception):
    """Base class of the platform's own, user-facing errors."""


class DatabaseUnavailableError(GenimsError):
    """A database could not be reached or logged in to.

    `transient` says whether waiting may help (the server refused, dropped or shut down the
    connection) or a setting has to change first (wrong password, unknown database).
    """

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class DataValidationError(GenimsError):
    """Source or target data broke a rule; the message names the rows and columns."""


class CaptureError(GenimsError):
    """Change capture is missing or broken on a source database."""


# Keys of a connection string (Azure storage, ODBC-style) whose values are secrets themselves.
_SECRET_KEYS = {"accountkey", "sharedaccesskey", "sharedaccesssignature", "password", "pwd", "sig"}


def secret_forms(secret: str) -> set[str]:
    """The ways a secret can show up in text: verbatim, URL-encoded (inside a connection URL)
    and, for a connection string, each secret value in it on its own (a driver may quote only
    the account key)."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret), quote(secret)}
    if "=" in secret and (";" in secret or "&" in secret):
        for part in secret.replace("&", ";").split(";"):
            key, _, value = part.partition("=")
            if key.strip().lower() in _SECRET_KEYS and value:
                forms |= {value, quote(value, safe=""), quote_plus(value)}
    return {form for form in forms if len(form) >= 3}


# Variables whose values are secrets, by the naming convention of the settings.
_SECRET_NAME_MARKERS = ("PASSWORD", "SECRET", "TOKEN", "CONNECTION_STRING", "CREDENTIAL", "_KEY")


def environment_secrets(environ: Mapping[str, str] | None = None) -> list[str]:
    """The values of every secret-named variable of the environment (read when called), for
    scrubbing text whose origin is not known: errors raised by code outside the platform."""
    env = os.environ if environ is None else environ
    return [
        value
        for name, value in env.items()
        if value and any(marker in name.upper() for marker in _SECRET_NAME_MARKERS)
    ]


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every non-empty secret in `text` (in any of its `secret_forms`) with `***`."""
    forms = {form for secret in secrets if secret for form in secret_forms(secret)}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, "***")
    return text


def first_line(exc: BaseException) -> str:
    """The driver's own explanation, reduced to its first meaningful line."""
    text = str(exc).strip() or type(exc).__name__
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else text
