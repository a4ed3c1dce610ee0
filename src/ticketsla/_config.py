"""Reading the TOML files people write (calendars, policies): one way to open, name and check them."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .errors import ConfigurationError

# Far deeper than any calendar, policy or fee table needs; checked before parsing because the
# parser's own recursion limit depends on the interpreter and on who raised it last.
MAX_TOML_DEPTH = 64

_QUOTES = ('"""', "'''", '"', "'")


def toml_depth(text: str) -> int:
    """How deeply ``[``/``{`` nest in ``text`` outside strings and comments, in one pass."""
    depth = deepest = 0
    i, end = 0, len(text)
    while i < end:
        char = text[i]
        if char == "#":
            newline = text.find("\n", i)
            i = end if newline < 0 else newline
        elif char in "\"'":
            quote = next(q for q in _QUOTES if text.startswith(q, i))
            i += len(quote)
            while i < end and not text.startswith(quote, i):
                i += 2 if quote[0] == '"' and text[i] == "\\" else 1
            i += len(quote)
            continue
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
        i += 1
    return deepest


def check_toml_depth(text: str, what: str, error: type[ConfigurationError]) -> None:
    """Refuse ``text`` nested past ``MAX_TOML_DEPTH`` with ``error`` naming ``what``."""
    if toml_depth(text) > MAX_TOML_DEPTH:
        raise error(
            f"{what}: nests arrays or tables too deeply to read (more than {MAX_TOML_DEPTH})",
            subject=what,
        )


def read_toml(path: Path, kind: str, error: type[ConfigurationError]) -> dict[str, Any]:
    """The table of a ``kind`` file (``"calendar"``, ``"policy"``), named after the file unless
    it says its own ``name``; unreadable or invalid TOML raises ``error`` naming the file."""
    try:
        text = path.read_bytes().decode("utf-8")
        check_toml_depth(text, f"{kind} file {str(path)!r}", error)
        data = tomllib.loads(text)
    except OSError as exc:
        raise error(f"{kind} file {str(path)!r}: cannot be read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{kind} file {str(path)!r}: not valid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise error(
            f"{kind} file {str(path)!r}: not UTF-8 (byte {exc.start}: {exc.reason}); TOML files "
            "are UTF-8 text",
            subject=str(path),
        ) from None
    except RecursionError:
        raise error(
            f"{kind} file {str(path)!r}: nests arrays or tables too deeply to read",
            subject=str(path),
        ) from None
    data.setdefault("name", path.stem)
    return data


def named_table(
    data: Any,
    kind: str,
    source: str,
    allowed: frozenset[str],
    error: type[ConfigurationError],
) -> tuple[str, Callable[[str], str]]:
    """Check the top of a ``kind`` table (a mapping, a name, only ``allowed`` keys) and return
    its name and a function that places a key in messages: ``calendar 'x' (file): key``."""
    if not isinstance(data, Mapping):
        raise error(f"{kind} {source!r}: expected a table, got {type(data).__name__}")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise error(f"{kind} {source!r}: name: expected a non-empty text, got {name!r}")
    origin = f" ({source})" if source else ""

    def where(key: str) -> str:
        return f"{kind} {name!r}{origin}: {key}"

    for key in data:
        if key not in allowed:
            raise error(
                f"{where(key)}: unknown key (allowed: {', '.join(sorted(allowed))})", subject=key
            )
    return name, where
