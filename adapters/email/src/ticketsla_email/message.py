"""One RFC 5322 message read into the few facts SLA clocks need, within bounds.

``read_message`` never decodes a body. It checks the raw bytes first (size, number and length
of header fields, MIME delimiters and nesting), then parses the structure with the standard
library's ``email`` package, and reads the header fields it needs from their raw text:

- ``Message-ID``, ``In-Reply-To`` and ``References`` by the ``<...>`` tokens in them;
- ``From`` (else ``Reply-To``, ``Sender``, a non-null ``Return-Path``), ``To`` and ``Cc`` with
  ``email.utils.getaddresses``;
- ``Subject`` and addresses decoded by ``charsets.decode_header_text`` (RFC 2047 words, WHATWG
  charset labels, raw 8-bit bytes), control characters folded to spaces;
- ``Date`` (see ``dates``); else the first (topmost, newest) ``Received:`` time; else the
  mailbox's delivery time or the caller's ``received_at``; with none it is a ``PayloadError``.

An unindented line of the header block that starts no field continues the field before it, as
mail clients read it (Python's parser would end the header block there).

The structure is parsed with ``email.policy.compat32``, not ``email.policy.default``: the default
policy parses every part's ``Content-Type`` parameters while parsing, at about 30 µs a byte, so
one hostile 1 MiB message would take half a minute; compat32 splits them lazily and cheaply.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses

from ticketsla.errors import PayloadError
from ticketsla.sources import PayloadLimits

from .charsets import decode_header_text
from .dates import mail_date
from .settings import EmailSettings

__all__ = [
    "BODY_SCAN_BYTES",
    "MAX_HEADER_BLOCK_BYTES",
    "MessageFacts",
    "message_start",
    "read_message",
    "read_start",
]

MAX_HEADER_BLOCK_BYTES = 8 * 1024 * 1024
BODY_SCAN_BYTES = 1024 * 1024  # where bounce and receipt parts are looked for
_HEADER_SPLIT = re.compile(rb"\r?\n\r?\n")
_FIELD_START = re.compile(rb"^[!-9;-~]+:")
_DELIMITER_LINE = re.compile(rb"^--", re.MULTILINE)
_NESTED_TYPE = re.compile(
    rb"^content-type:[ \t]*(?:\r?\n[ \t]+)?(?:multipart|message)/", re.IGNORECASE | re.MULTILINE
)
_MSG_ID = re.compile(r"<([^<>\s]{1,998})>")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_BRACKETED_ADDRESS = re.compile(r"<\s*([^<>\s]{1,254}@[^<>\s]{1,254})\s*>")
_BARE_ADDRESS = re.compile(r"([^\s<>()\[\],;:\"@]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))")
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:+-]{1,40})""", re.IGNORECASE)
_MAX_REFERENCES = 500
_MAX_ID = 200
_MAX_SUBJECT = 998
_AUTO_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
_AUTO_FLAGS = ("x-autoreply", "x-autorespond", "x-autoresponder", "x-failed-recipients")
_REPORT_PARTS = {
    "message/delivery-status": "bounce (delivery status notification)",
    "message/disposition-notification": "read receipt (disposition notification)",
    "message/feedback-report": "abuse feedback report",
}
_MAIL_FIELDS = frozenset(
    {"from", "sender", "to", "cc", "subject", "date", "message-id", "received", "return-path"}
)
_BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster"})


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """What one message says about its ticket, with ids already normalized."""

    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    subject: str | None
    sender: str | None
    recipients: tuple[str, ...]
    at: datetime
    automated: str | None
    digest: str

    @property
    def event_id(self) -> str:
        """The Message-ID, or a hash of the raw bytes for a message without one."""
        return self.message_id or f"raw-sha256:{self.digest}"


def read_message(
    raw: bytes | bytearray | memoryview | str,
    *,
    settings: EmailSettings,
    limits: PayloadLimits,
    source: str = "email",
    delivered_at: datetime | None = None,
    received_at: datetime | None = None,
) -> MessageFacts:
    """The facts of one message; a message that breaks a bound or cannot be timed is refused.

    A message without a usable Date or Received time is timed by ``delivered_at`` (when its
    mailbox recorded it: the mbox ``From `` line, the Maildir file name), else by the caller's
    ``received_at``; both must be timezone-aware.

    Only the header block and the first ``BODY_SCAN_BYTES`` of the body are parsed, so a
    message of any size up to ``settings.max_message_bytes`` is read in bounded time; the
    payload limit of ``limits`` (meant for JSON sources) does not apply to mail.
    """
    del limits  # mail has its own size limit, settings.max_message_bytes
    if isinstance(raw, str):
        try:
            data = raw.encode("utf-8")
        except UnicodeEncodeError:
            raise PayloadError(
                f"{source}: the message text holds a lone surrogate, so it is not Unicode text",
                subject=source,
            ) from None
    elif isinstance(raw, bytes | bytearray | memoryview):
        data = bytes(raw)
    else:
        raise PayloadError(
            f"{source}: expected the raw bytes of an RFC 5322 message, got {type(raw).__name__}",
            subject=source,
        )
    if len(data) > settings.max_message_bytes:
        raise PayloadError(
            f"{source}: message of {len(data)} bytes is over the limit of "
            f"{settings.max_message_bytes} (max_message_bytes)",
            subject=source,
        )
    return read_start(
        message_start(data),
        digest=hashlib.sha256(data).hexdigest(),
        settings=settings,
        source=source,
        delivered_at=delivered_at,
        received_at=received_at,
    )


def message_start(data: bytes) -> bytes:
    """The part of a message that is read: its header block and the start of its body."""
    split = _HEADER_SPLIT.search(data, 0, MAX_HEADER_BLOCK_BYTES + 4)
    if split is None:
        return data[: MAX_HEADER_BLOCK_BYTES + 1]
    return data[: split.end() + BODY_SCAN_BYTES]


def read_start(
    data: bytes,
    *,
    digest: str,
    settings: EmailSettings,
    source: str,
    delivered_at: datetime | None = None,
    received_at: datetime | None = None,
) -> MessageFacts:
    """The facts of a message from its start (``message_start``) and the digest of all of it."""
    _prescan(data, settings, source)
    try:
        message = BytesParser(policy=policy.compat32).parsebytes(_mend_head(data))
    except RecursionError:
        raise PayloadError(
            f"{source}: MIME parts nest too deeply to read", subject=source
        ) from None
    fields = _raw_fields(message)
    if not _MAIL_FIELDS.intersection(fields):
        raise PayloadError(
            f"{source}: not an RFC 5322 message (no From, To, Subject, Date, Message-ID or "
            "Received field)",
            subject=source,
        )
    message_id = _first_id(fields.get("message-id"))
    declared = _declared_charset(message)
    facts = MessageFacts(
        message_id=message_id,
        in_reply_to=_ids(fields.get("in-reply-to")),
        references=_ids(fields.get("references")),
        subject=_subject(fields.get("subject"), declared),
        sender=_sender(fields, declared),
        recipients=_recipients(fields, declared),
        at=_when(
            fields,
            settings,
            source,
            (("delivered_at", delivered_at), ("received_at", received_at)),
        ),
        automated=_automated(fields, message, settings, source),
        digest=digest,
    )
    return facts


# ---- bounds ---------------------------------------------------------------------------------


def _prescan(data: bytes, settings: EmailSettings, source: str) -> None:
    split = _HEADER_SPLIT.search(data)
    head = data[: split.start()] if split else data
    if len(head) > MAX_HEADER_BLOCK_BYTES:
        raise PayloadError(
            f"{source}: header block is over {MAX_HEADER_BLOCK_BYTES} bytes", subject=source
        )
    lines = head.splitlines()
    if not lines or not _FIELD_START.match(lines[0]):
        raise PayloadError(
            f"{source}: not an RFC 5322 message (it does not begin with a header field)",
            subject=source,
        )
    count = 0
    length = 0
    current = b""
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            length += len(line) + 2
        else:
            count += 1
            length = len(line) + 2
            current = line
            if count > settings.max_headers:
                raise PayloadError(
                    f"{source}: more than {settings.max_headers} header fields", subject=source
                )
        if length > settings.max_header_bytes:
            raise PayloadError(
                f"{source}: header field {_field_name(current)!r} is over "
                f"{settings.max_header_bytes} bytes",
                subject=source,
            )
    delimiters = len(_DELIMITER_LINE.findall(data))
    if delimiters > 2 * settings.max_parts:
        raise PayloadError(
            f"{source}: {delimiters} MIME delimiter lines, more than {settings.max_parts} parts "
            "can need",
            subject=source,
        )
    nested = len(_NESTED_TYPE.findall(data))
    if nested > settings.max_nesting:
        raise PayloadError(
            f"{source}: {nested} multipart or message containers, over the limit of "
            f"{settings.max_nesting}",
            subject=source,
        )


def _mend_head(data: bytes) -> bytes:
    """The message with each unindented line of its header block that starts no field indented.

    Python's parser ends the header block at such a line (and loses every field after it); mail
    clients read it as a continuation of the field before and keep going, and so does this.
    """
    split = _HEADER_SPLIT.search(data)
    head, rest = (data[: split.start()], data[split.start() :]) if split else (data, b"")
    lines = head.split(b"\n")
    # only lines with a field after them: text after the last field is a body that came
    # without its blank line, and stays the body
    last_field = max(
        (index for index, line in enumerate(lines) if _FIELD_START.match(line)), default=0
    )
    mended = [
        line
        if index == 0 or index > last_field or line[:1] in (b" ", b"\t") or _FIELD_START.match(line)
        else b" " + line
        for index, line in enumerate(lines)
    ]
    if mended == lines:
        return data
    return b"\n".join(mended) + rest


def _declared_charset(message: Message) -> str | None:
    """The charset the message declares: its own, else that of its first part that has one."""
    for count, part in enumerate(message.walk()):
        if count > 20:
            break
        for name, value in part.raw_items():
            if name.strip().lower() == "content-type":
                found = _CHARSET_PARAM.search(value[:2000])
                if found is not None:
                    return found.group(1)
                break
    return None


def _field_name(line: bytes) -> str:
    return line.partition(b":")[0][:40].decode("ascii", "replace")


# ---- header fields --------------------------------------------------------------------------


def _raw_fields(message: Message) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        fields.setdefault(name.strip().lower(), []).append(_FOLD.sub("", str(value)))
    return fields


def _text(value: str) -> str:
    """Raw header text back to Unicode: stray 8-bit bytes read as UTF-8, else U+FFFD."""
    try:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", value)


def _clean(value: str) -> str:
    return " ".join(_CONTROL.sub(" ", _text(value)).split())


def _norm_id(token: str) -> str | None:
    token = _CONTROL.sub("", _text(token)).strip()
    if not token:
        return None
    if len(token) > _MAX_ID:
        return "mid-sha256:" + hashlib.sha256(token.encode("utf-8")).hexdigest()
    return token


def _ids(values: list[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for value in values or ():
        for token in _MSG_ID.findall(value):
            found = _norm_id(token)
            if found is not None and found not in out:
                out.append(found)
            if len(out) >= _MAX_REFERENCES:
                return tuple(out)
    return tuple(out)


def _first_id(values: list[str] | None) -> str | None:
    if not values:
        return None
    found = _ids(values[:1])
    if found:
        return found[0]
    bare = values[0].strip()
    return _norm_id(bare) if bare and "@" in bare and not any(c.isspace() for c in bare) else None


def _subject(values: list[str] | None, declared: str | None) -> str | None:
    if not values:
        return None
    return _clean(decode_header_text(values[0], declared))[:_MAX_SUBJECT] or None


def _addresses(values: list[str] | None, declared: str | None) -> list[str]:
    out = []
    for _, address in getaddresses([_text(v) for v in values or ()]):
        found = _usable_address(decode_header_text(address, declared))
        if found is not None:
            out.append(found)
    return out


def _usable_address(text: str) -> str | None:
    address = _CONTROL.sub("", text).strip().strip("<>").rstrip(".").casefold()
    local, at, domain = address.rpartition("@")
    if at and local and domain and not any(c.isspace() or c in "<>,;()" for c in address):
        return address
    return None


def _recovered_address(values: list[str], declared: str | None) -> str | None:
    """An address readable in a malformed field: one in angle brackets first, else a bare one."""
    text = _CONTROL.sub(" ", decode_header_text(_text(values[0]), declared))
    for pattern in (_BRACKETED_ADDRESS, _BARE_ADDRESS):
        for match in pattern.finditer(text):
            found = _usable_address(match.group(1))
            if found is not None:
                return found
    return None


def _sender(fields: dict[str, list[str]], declared: str | None = None) -> str | None:
    """From; without a usable one, Reply-To, then Sender, then a non-null Return-Path."""
    for name in ("from", "reply-to", "sender", "return-path"):
        values = fields.get(name, [])[:1]
        if not values:
            continue
        found = _addresses(values, declared)
        if found:
            return found[0]
        recovered = _recovered_address(values, declared)
        if recovered is not None:
            return recovered
    return None


def _recipients(fields: dict[str, list[str]], declared: str | None) -> tuple[str, ...]:
    found = _addresses(fields.get("to", []) + fields.get("cc", []), declared)
    return tuple(dict.fromkeys(found))


def _when(
    fields: dict[str, list[str]],
    settings: EmailSettings,
    source: str,
    fallbacks: tuple[tuple[str, datetime | None], ...],
) -> datetime:
    """The Date; else the topmost Received time; else the mailbox's or the caller's time."""
    window = settings.date_window
    refused: list[str] = []
    for value in fields.get("date", [])[:1]:
        at = mail_date(value, window)
        if at is not None:
            return at
        if mail_date(value) is not None:
            refused.append(f"Date {_clean(value)[:60]!r} is outside {window.describe()}")
    for value in fields.get("received", [])[:1]:
        at = mail_date(value.rpartition(";")[2], window)
        if at is not None:
            return at
    for what, at in fallbacks:
        if at is None:
            continue
        if at.utcoffset() is None:
            raise PayloadError(f"{source}: {what} {at!r} has no UTC offset", subject=what)
        if at in window:
            return at
        refused.append(f"{what} {at.isoformat()} is outside {window.describe()}")
    note = f" ({'; '.join(refused)})" if refused else ""
    raise PayloadError(
        f"{source}: message {_describe(fields)} has no usable Date and no Received: "
        f"timestamp{note}",
        subject="date",
    )


def _describe(fields: dict[str, list[str]]) -> str:
    found = _first_id(fields.get("message-id"))
    return repr(found[:80]) if found else "without a Message-ID"


# ---- automated mail -------------------------------------------------------------------------


def _automated(
    fields: dict[str, list[str]], message: Message, settings: EmailSettings, source: str
) -> str | None:
    """Why this message is automatic, or None for mail written by a person."""
    for value in fields.get("auto-submitted", [])[:1]:
        keyword = _clean(value).split(";")[0].strip().casefold()
        if keyword and keyword != "no":
            return f"Auto-Submitted: {keyword[:40]}"
    for value in fields.get("precedence", [])[:1]:
        keyword = _clean(value).casefold()
        if keyword in _AUTO_PRECEDENCE:
            return f"Precedence: {keyword}"
    for name in _AUTO_FLAGS:
        if name in fields:
            return name
    for value in fields.get("return-path", [])[:1]:
        if _clean(value).replace(" ", "") == "<>":
            return "null Return-Path"
    if "list-id" in fields:
        return "List-Id"
    sender = _sender(fields)
    if sender is not None and sender.partition("@")[0] in _BOUNCE_SENDERS:
        return f"sent by {sender.partition('@')[0]}"
    content_type = _content_type(message, settings, source)
    if content_type == "multipart/report":
        kind = _param(message, "report-type")
        return {
            "delivery-status": _REPORT_PARTS["message/delivery-status"],
            "disposition-notification": _REPORT_PARTS["message/disposition-notification"],
        }.get(kind, f"multipart/report ({kind[:40] or 'no report-type'})")
    for count, part in enumerate(message.walk(), start=1):
        if count > settings.max_parts:
            raise PayloadError(
                f"{source}: more than {settings.max_parts} MIME parts", subject=source
            )
        reason = _REPORT_PARTS.get(_content_type(part, settings, source))
        if reason is not None:
            return reason
    return None


def _content_type(part: Message, settings: EmailSettings, source: str) -> str:
    for name, value in part.raw_items():
        if name.strip().lower() == "content-type":
            if len(value) > settings.max_header_bytes:
                raise PayloadError(
                    f"{source}: a Content-Type is over {settings.max_header_bytes} bytes",
                    subject=source,
                )
            return _clean(value).split(";")[0].strip().casefold()
    return ""


def _param(message: Message, name: str) -> str:
    value = message.get_param(name, header="content-type")
    if isinstance(value, tuple):  # an RFC 2231 (charset, language, value) triple
        value = value[2]
    return _clean(str(value or "")).casefold()
