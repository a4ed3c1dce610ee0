"""Secrets kept out of everything ticketsla shows: URLs, headers, and messages that quote them.

Every error, CLI line, log line or report that shows a database URL shows ``redact_url(url)``;
every header shown goes through ``redact_headers``; and a message built from someone else's
text (a driver's error) about a URL goes through ``scrub_secrets(text, url)``. The rules:

- the password of the userinfo (``user:PASSWORD@host``) becomes ``***``; when it is not clear
  where the userinfo ends (an ``@`` in the path or a user name with ``/`` in it), all of it
  does;
- a query parameter whose name looks like a secret (``password``, ``sslpassword``, ``pwd``,
  anything with ``secret``, ``token``, ``key``, ``auth``, ``credential``, ``signature``,
  ``cookie`` or ``session`` in it) keeps its name and loses its value; a bare word without
  ``=`` is hidden too;
- the fragment (``#...``) is never shown;
- a URL that cannot be read as ``scheme://...``, or whose userinfo would hold a ``?`` or a
  ``#`` (is the text after the ``@`` a host, or part of a query value or fragment?), is never
  echoed: its scheme at most.

Over-hiding is the accepted failure: a database name with ``@`` in it is shown as ``***``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote

__all__ = ["REDACTED", "readable_url", "redact_headers", "redact_url", "scrub_secrets"]

REDACTED = "***"

# Longer "URLs" are not configuration but something pasted by mistake: shown as unreadable.
_MAX_URL = 4096
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]{0,31})://")
_SECRET_NAME = re.compile(
    r"pass|pwd|secret|token|key|auth|credential|signature|cookie|session|private|cert",
    re.IGNORECASE,
)
_PLAIN_USER = re.compile(r"[\w.+\-%~!$'()*,;=]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_QUERY_ITEM = re.compile(r"([&;])")
_PIECES = re.compile(r"[@:/?#&;=\[\] ]+")
# An unreadable URL shows its scheme only when it is one of these: any other word before a
# colon may be a secret pasted in the wrong place.
_KNOWN_SCHEMES = frozenset(
    {"sqlite", "postgresql", "postgres", "mysql", "mariadb", "oracle", "mssql", "http", "https"}
)
# Secrets shorter than this are hidden in URLs but not hunted in free text, where replacing
# every "ab" would garble the message without protecting anything worth having.
_MIN_SCRUB = 4


def redact_url(url: Any) -> str:
    """``url`` fit to show: passwords and secret-looking parameters replaced by ``***``.

    ``postgresql://u:pw@db/sla?sslpassword=x&sslmode=require`` becomes
    ``postgresql://u:***@db/sla?sslpassword=***&sslmode=require``. Anything that is not text
    of the form ``scheme://...`` shows as ``<unreadable URL>`` (with its scheme when it has
    one, as in ``<unreadable postgresql URL>``), never as itself.
    """
    parts = _split(url)
    if parts is None:
        return _unreadable(url)
    scheme, userinfo, rest, query, _fragment = parts
    shown = f"{scheme}://"
    if userinfo is not None:
        shown += _redact_userinfo(userinfo) + "@"
    shown += rest
    if query is not None:
        shown += "?" + _redact_query(query)
    return shown


def readable_url(url: Any) -> bool:
    """Whether ``redact_url`` can tell the parts of ``url`` apart (else it shows none of it).

    A URL that is not readable should not be used either: whatever reads it may take part of
    a password for a host name, and quote it.
    """
    return _split(url) is not None


def scrub_secrets(text: str, *urls: Any) -> str:
    """``text`` with every secret found in ``urls`` replaced by ``***``.

    For messages that quote someone else's words (a database driver's error) about a URL:
    whatever the driver echoed, the password and the secret parameters of the URL, raw or
    percent-decoded, do not reach the user. An unreadable URL is hidden whole.
    """
    secrets: set[str] = set()
    for url in urls:
        secrets.update(_secrets_of(url))
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= _MIN_SCRUB:
            text = text.replace(secret, REDACTED)
    return text


def redact_headers(
    headers: Mapping[str, Any] | Iterable[tuple[str, Any]] | None,
) -> dict[str, str]:
    """Headers fit to show: the values of secret-looking names (``Authorization``,
    ``Cookie``, ``X-Zendesk-Webhook-Signature``, ``X-Api-Key``...) replaced by ``***``."""
    pairs = headers.items() if isinstance(headers, Mapping) else (headers or ())
    shown: dict[str, str] = {}
    for name, value in pairs:
        label = str(name)
        shown[label] = REDACTED if _SECRET_NAME.search(label) else _CONTROL.sub("?", str(value))
    return shown


# ---- the parts of a URL ----------------------------------------------------------------------


def _split(url: Any) -> tuple[str, str | None, str, str | None, str] | None:
    """(scheme, userinfo, host-port-path, query, fragment), or None when ``url`` cannot be read
    safely.

    The userinfo runs to the *last* ``@`` of the text: a password may hold ``@``, ``/``, ``?``
    or ``#`` unescaped, and stopping earlier would show the rest of it as a host or a query.
    """
    if not isinstance(url, str) or len(url) > _MAX_URL or _CONTROL.search(url):
        return None
    match = _SCHEME.match(url)
    if match is None:
        return None
    rest = url[match.end() :]
    userinfo: str | None = None
    at = rest.rfind("@")
    if at >= 0:
        userinfo, rest = rest[:at], rest[at + 1 :]
        if "?" in userinfo or "#" in userinfo:
            # Is what follows the '@' a host, or the rest of a query value or fragment?
            # No telling, so nothing is shown.
            return None
    rest, _, fragment = rest.partition("#")
    rest, mark, query = rest.partition("?")
    return match.group(1), userinfo, rest, (query if mark else None), fragment


def _redact_userinfo(userinfo: str) -> str:
    user, colon, _password = userinfo.partition(":")
    if not _PLAIN_USER.fullmatch(user):
        return REDACTED  # a '/', '?', '#' or '@' before the last '@': no telling what is what
    return f"{user}:{REDACTED}" if colon else user


def _redact_query(query: str) -> str:
    shown = []
    for item in _QUERY_ITEM.split(query):  # separators are kept, at the odd places
        name, equals, _value = item.partition("=")
        if item in ("&", ";") or (equals and not _secret_item(name)):
            shown.append(item)
        elif not equals:
            shown.append(REDACTED if item else item)
        else:
            shown.append(f"{name if _PLAIN_USER.fullmatch(name) else REDACTED}={REDACTED}")
    return "".join(shown)


def _secret_item(name: str) -> bool:
    return bool(_SECRET_NAME.search(unquote(name))) or not _PLAIN_USER.fullmatch(name)


def _secrets_of(url: Any) -> set[str]:
    """The texts of ``url`` that ``redact_url`` hides, raw and percent-decoded."""
    parts = _split(url)
    if parts is None:
        return {url} if isinstance(url, str) and url else set()
    _scheme, userinfo, _rest, query, fragment = parts
    found = [fragment]
    if userinfo is not None:
        user, colon, password = userinfo.partition(":")
        if not _PLAIN_USER.fullmatch(user):
            found.append(userinfo)
        elif colon:
            found.append(password)
    for item in _QUERY_ITEM.split(query or ""):
        name, equals, value = item.partition("=")
        if item in ("&", ";"):
            continue
        if not equals:
            found.append(item)
        elif _secret_item(name):
            found.append(value)
    # Pieces too: a parser that cut the URL elsewhere may quote part of a secret as a host.
    whole = {text for secret in found for text in (secret, unquote(secret)) if text}
    return whole | {piece for text in whole for piece in _PIECES.split(text) if piece}


def _unreadable(url: Any) -> str:
    if isinstance(url, str):
        match = re.match(r"([A-Za-z]+)[+:]", url)
        if match and match.group(1).lower() in _KNOWN_SCHEMES:
            return f"<unreadable {match.group(1).lower()} URL>"
    return "<unreadable URL>"
