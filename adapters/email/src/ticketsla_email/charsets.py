"""Header text decoded the way mail clients decode it.

Charset labels are resolved by the WHATWG Encoding Standard's label table, as browsers and mail
clients do: a label names the superset that real senders use under it (``gb2312`` text holds
GBK characters, so it is read as ``gb18030``; ``ks_c_5601-1987`` as ``cp949``; ``iso-8859-1`` and
``us-ascii`` as ``cp1252``; ``shift_jis`` as ``cp932``). A label not in the table is tried as a
Python codec; one that is neither decodes with U+FFFD.

``decode_header_text`` decodes RFC 2047 encoded words (``=?charset?Q|B?...?=``; the white space
between two adjacent words is dropped) and raw 8-bit bytes, which are tried as the message's
declared charset, then UTF-8, then cp1252.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re

__all__ = ["decode_header_text", "python_codec"]

# WHATWG label -> the Python codec for that encoding (the labels of legacy multi-byte and
# single-byte encodings whose WHATWG meaning differs from Python's codec of the same name).
_WHATWG: dict[str, str] = {}
for _codec, _labels in {
    "gb18030": "gb2312 gbk gb18030 chinese csgb2312 csiso58gb231280 gb_2312 gb_2312-80 "
    "iso-ir-58 x-gbk euc-cn x-euc-cn cp936 windows-936 ms936",
    "cp949": "ks_c_5601-1987 ks_c_5601-1989 euc-kr korean csksc56011987 iso-ir-149 ksc5601 "
    "ksc_5601 windows-949 cseuckr cp949 uhc",
    "cp1252": "iso-8859-1 iso8859-1 iso_8859-1 iso88591 latin1 l1 us-ascii ascii ansi_x3.4-1968 "
    "cp819 csisolatin1 ibm819 iso-ir-100 iso_8859-1:1987 windows-1252 x-cp1252 cp1252",
    "cp1254": "iso-8859-9 iso8859-9 iso_8859-9 iso88599 latin5 l5 csisolatin5 iso-ir-148 "
    "iso_8859-9:1989 windows-1254 x-cp1254 cp1254",
    "cp874": "iso-8859-11 iso8859-11 iso885911 tis-620 dos-874 windows-874",
    "cp932": "shift_jis shift-jis sjis x-sjis ms_kanji ms932 windows-31j csshiftjis csWindows31J",
    "big5hkscs": "big5 big5-hkscs cn-big5 csbig5 x-x-big5",
    "euc_jp": "euc-jp cseucpkdfmtjapanese x-euc-jp",
    "iso2022_jp": "iso-2022-jp csiso2022jp",
    "utf-8": "utf-8 utf8 unicode-1-1-utf-8 unicode11utf8 unicode20utf8 x-unicode20utf8",
    "koi8_u": "koi8-u koi8-ru",
    "koi8_r": "koi8-r koi8 koi cskoi8r",
}.items():
    for _label in _labels.split():
        _WHATWG[_label.casefold()] = _codec

_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,75})\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"(\?=)[ \t\r\n]+(?==\?)")
_WORDS = re.compile(r"(\s+)")
_Q_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")


def python_codec(label: str | None) -> str | None:
    """The Python codec a charset label means to a mail client, or None for an unknown one."""
    if not label:
        return None
    name = label.strip().strip("\"'").split("*", 1)[0].casefold()  # RFC 2231 language suffix
    if name in _WHATWG:
        return _WHATWG[name]
    if name in ("utf-7", "unicode-1-1-utf-7", "csunicode11utf7"):
        return None  # WHATWG: "replacement" (utf-7 can smuggle markup)
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None


def decode_header_text(value: str, declared: str | None = None) -> str:
    """Header text as Unicode: encoded words and raw 8-bit bytes decoded.

    ``value`` is header text as the parser keeps it (8-bit bytes as surrogate escapes);
    ``declared`` is the message's charset label, if it declares one.
    """
    value = _BETWEEN_WORDS.sub(r"\1", value)
    out: list[str] = []
    last = 0
    for match in _ENCODED_WORD.finditer(value):
        out.append(_raw_text(value[last : match.start()], declared))
        out.append(_encoded_word(match))
        last = match.end()
    out.append(_raw_text(value[last:], declared))
    return "".join(out)


def _encoded_word(match: re.Match[str]) -> str:
    codec = python_codec(match.group(1))
    text = match.group(3)
    if match.group(2) in "bB":
        try:
            data = base64.b64decode(text + "=" * (-len(text) % 4), validate=False)
        except (binascii.Error, ValueError):
            return match.group(0)
    else:
        raw = text.replace("_", " ").encode("ascii", "surrogateescape")
        data = _Q_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)
    if codec is None:
        return data.decode("ascii", "replace")
    try:
        return data.decode(codec, "replace")
    except LookupError:  # pragma: no cover - python_codec only names codecs that exist
        return data.decode("ascii", "replace")


def _raw_text(text: str, declared: str | None) -> str:
    if text.isascii():
        return text
    # word by word: no multi-byte charset puts a space inside a character, and one word in
    # another charset (a pasted name) does not garble the rest
    return "".join(_raw_word(word, declared) for word in _WORDS.split(text))


def _raw_word(text: str, declared: str | None) -> str:
    if text.isascii():
        return text
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte
        return re.sub(r"[\ud800-\udfff]", "\ufffd", text)
    for codec in (python_codec(declared), "utf-8"):
        if codec is None:
            continue
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("cp1252", "replace")
