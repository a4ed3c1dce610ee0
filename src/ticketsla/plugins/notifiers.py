"""A reference notifier plugin: every notification as one JSON line, to a file or a stream.

::

    from ticketsla.notifiers import JSONLinesNotifier
    from ticketsla.plugins import get_plugin_manager

    pm = get_plugin_manager(plugins=[JSONLinesNotifier("sla-notifications.jsonl")])

Each line is ``Notification.to_dict()`` plus ``"hook"`` (the hook that delivered it), with
sorted keys. A file is opened in append mode for each line and the line is written in one call,
so several processes may share one file and a reader never sees half a line. With no target the
lines go to standard output. ``kinds`` limits what is written (``{"warning", "breach"}``).

docs/plugins.md shows a second notifier built the same way, which posts to a webhook URL.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from ..errors import ConfigurationError
from ..notifications import Notification, NotificationKind
from .hookspecs import hookimpl

__all__ = ["JSONLinesNotifier"]


class JSONLinesNotifier:
    """Write notifications as JSON lines to ``target`` (a path or a text stream; default stdout)."""

    def __init__(
        self,
        target: str | os.PathLike[str] | TextIO | None = None,
        *,
        kinds: Iterable[str] | None = None,
    ) -> None:
        self._path: Path | None = None
        self._stream: TextIO | None = None
        if target is None:
            self._stream = None  # resolved at write time, so a redirected stdout is honoured
        elif isinstance(target, str | os.PathLike):
            self._path = Path(target)
        elif hasattr(target, "write"):
            self._stream = target
        else:
            raise ConfigurationError(
                f"JSONLinesNotifier: target must be a path or a text stream, got "
                f"{type(target).__name__}",
                subject="target",
            )
        if kinds is None:
            self._kinds = frozenset(NotificationKind)
        else:
            try:
                self._kinds = frozenset(NotificationKind(k) for k in kinds)
            except ValueError as exc:
                raise ConfigurationError(
                    f"JSONLinesNotifier: kinds: {exc}", subject="kinds"
                ) from None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        where = str(self._path) if self._path else ("stdout" if self._stream is None else "stream")
        return f"JSONLinesNotifier({where!r}, kinds={sorted(self._kinds)!r})"

    @hookimpl
    def ticketsla_sla_warning(self, notification: Notification) -> None:
        self._write("ticketsla_sla_warning", notification)

    @hookimpl
    def ticketsla_sla_breached(self, notification: Notification) -> None:
        self._write("ticketsla_sla_breached", notification)

    @hookimpl
    def ticketsla_sla_fulfilled(self, notification: Notification) -> None:
        self._write("ticketsla_sla_fulfilled", notification)

    @hookimpl
    def ticketsla_outcome_recorded(self, notification: Notification) -> None:
        self._write("ticketsla_outcome_recorded", notification)

    def _write(self, hook: str, notification: Notification) -> None:
        if notification.kind not in self._kinds:
            return
        record = {"hook": hook, **notification.to_dict()}
        line = json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n"
        with self._lock:
            if self._path is not None:
                self._path.parent.mkdir(parents=True, exist_ok=True)
                with self._path.open("a", encoding="utf-8") as handle:
                    handle.write(line)
            else:
                stream = self._stream if self._stream is not None else sys.stdout
                stream.write(line)
                stream.flush()
