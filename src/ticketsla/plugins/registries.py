"""Named calendars and policies that plugins contribute.

The ``ticketsla_register_calendars(registry)`` and ``ticketsla_register_policies(registry)``
hooks hand a plugin one of these registries to add to (the tox 4 way: a registry, not a
returned list). An entry is registered under a name and resolved on first use, so a plugin may
register many calendars without loading any of them:

- a ``CalendarRegistry`` entry is a ``Calendar``, a path to a calendar ``.toml`` file, a bundled
  calendar's name, or a function of no arguments returning a ``Calendar``;
- a ``PolicyRegistry`` entry is a path to a policy ``.toml`` file or any policy object, or a
  function of no arguments returning one. What a policy object is belongs to
  ``ticketsla.policy``; this registry only keeps them by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

from ..calendar import Calendar
from ..errors import CalendarError, ConfigurationError, PluginError, PolicyError

__all__ = ["CalendarRegistry", "PolicyRegistry", "Registry"]

T = TypeVar("T")

_NAME_MAX = 128


class Registry(Generic[T]):
    """Entries by name; each is resolved once, on first ``get``, and then kept."""

    kind = "entry"
    error: type[ConfigurationError] = ConfigurationError

    def __init__(self) -> None:
        self._entries: dict[str, Any] = {}
        self._resolved: dict[str, T] = {}

    def add(self, name: str, entry: Any, *, replace: bool = False) -> None:
        """Register ``entry`` under ``name``; a second entry for a name needs ``replace=True``."""
        if not isinstance(name, str) or not name.strip() or len(name) > _NAME_MAX:
            raise PluginError(
                f"{self.kind} name: expected a non-empty text of at most {_NAME_MAX} "
                f"characters, got {name!r:.60}",
                subject=name,
            )
        if name in self._entries and not replace:
            raise PluginError(
                f"{self.kind} {name!r} is registered twice; pass replace=True to override it",
                subject=name,
            )
        self._check_entry(name, entry)
        self._entries[name] = entry
        self._resolved.pop(name, None)

    def get(self, name: str) -> T:
        """The resolved entry for ``name``; an unknown name lists the registered ones."""
        if name in self._resolved:
            return self._resolved[name]
        try:
            entry = self._entries[name]
        except KeyError:
            known = ", ".join(self.names()) or "none"
            raise self.error(
                f"no {self.kind} named {name!r} is registered (registered: {known})",
                subject=name,
            ) from None
        value = self._resolve(name, entry)
        self._resolved[name] = value
        return value

    def entry(self, name: str) -> Any:
        """What was registered under ``name``, unresolved (a path, a loader, an object)."""
        if name not in self._entries:
            self.get(name)  # raises the lookup error that lists the registered names
        return self._entries[name]

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.names()!r})"

    # ---- for subclasses ------------------------------------------------------------------------

    def _check_entry(self, name: str, entry: Any) -> None:
        """Refuse an entry that can never resolve, at registration rather than at first use."""

    def _resolve(self, name: str, entry: Any) -> T:
        if callable(entry) and not isinstance(entry, type):
            value = entry()
            if value is None:
                raise self.error(f"{self.kind} {name!r}: its loader returned nothing", subject=name)
            return value  # type: ignore[no-any-return]
        return entry  # type: ignore[no-any-return]


class CalendarRegistry(Registry[Calendar]):
    """Calendars by name: ``registry.add("support-emea", Path("emea.toml"))``."""

    kind = "calendar"
    error = CalendarError

    def _check_entry(self, name: str, entry: Any) -> None:
        if not isinstance(entry, Calendar | str | Path) and not callable(entry):
            raise PluginError(
                f"calendar {name!r}: expected a Calendar, a path, a bundled name or a loader, "
                f"got {type(entry).__name__}",
                subject=name,
            )

    def _resolve(self, name: str, entry: Any) -> Calendar:
        if isinstance(entry, str | Path):
            value: Any = Calendar.load(entry)
        elif isinstance(entry, Calendar):
            value = entry
        else:
            value = entry()
        if not isinstance(value, Calendar):
            raise CalendarError(
                f"calendar {name!r}: its loader returned {type(value).__name__}, not a Calendar",
                subject=name,
            )
        return value


class PolicyRegistry(Registry[Any]):
    """Policies by name: a path to a ``.toml`` file, a policy object, or a loader.

    ``get(name)`` returns the object, the loader's result, or the ``Path`` as registered (a text
    path is returned as a ``Path``); ``load(name, loader)`` turns a path entry into a policy
    with ``loader`` (for example ``SLAPolicy.from_toml``) and keeps the result.
    """

    kind = "policy"
    error = PolicyError

    def _resolve(self, name: str, entry: Any) -> Any:
        if isinstance(entry, str):
            return Path(entry)
        return super()._resolve(name, entry)

    def load(self, name: str, loader: Callable[[Path], Any]) -> Any:
        """The policy for ``name``, reading a path entry with ``loader`` once."""
        value = self.get(name)
        if isinstance(value, Path):
            if not value.is_file():
                raise PolicyError(
                    f"policy {name!r}: file {str(value)!r} does not exist", subject=name
                )
            value = loader(value)
            self._resolved[name] = value
        return value
