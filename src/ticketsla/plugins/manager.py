"""The one place that makes ticketsla's plugin manager, and the calls that go through it.

``get_plugin_manager()`` follows pluggy's eggsample and tox 4: the hook specifications from
``ticketsla.hookspecs``, the built-in behaviour as an ordinary plugin (``builtin``), then every
entry point of the group ``ticketsla`` (how adapter distributions such as ``ticketsla-zendesk``
arrive), then the plugins passed in. Names listed in ``TICKETSLA_DISABLED_PLUGINS``
(comma-separated entry-point or plugin names) are blocked before anything loads. A function
named ``ticketsla_*`` that is not a known hook, or that is not marked with
``ticketsla.hookimpl``, fails at start-up with a ``PluginError`` instead of being ignored.

``parse_payload`` and ``verify_signature`` are the edges a helpdesk backend calls with a
request body; ``choose_policy``, ``counts_as_response`` and ``notify`` are what the engine
calls.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from importlib.metadata import EntryPoint, entry_points
from types import MappingProxyType, ModuleType
from typing import Any

import pluggy

from .._instants import require_aware
from ..clock import Chooser, ResponseRule
from ..errors import AdapterError, PayloadError, PluginError, SignatureError, TicketSLAError
from ..events import EventKind, TicketEvent
from ..notifications import Notification, NotificationKind
from ..policy import SLAPolicy
from . import builtin, hookspecs
from .registries import CalendarRegistry, PolicyRegistry
from .signing import Headers, Secret, secret_bytes
from .sources import Payload, PayloadLimits, SourceAdapter, SourceRegistry, payload_bytes

__all__ = [
    "DISABLED_PLUGINS_ENV",
    "ENTRY_POINT_GROUP",
    "calendars",
    "choose_policy",
    "counts_as_response",
    "default_plugin_manager",
    "disabled_plugin_names",
    "get_plugin_manager",
    "has_listener",
    "hook_for",
    "notify",
    "parse_payload",
    "policies",
    "register_plugin",
    "sources",
    "verify_signature",
]

ENTRY_POINT_GROUP = hookspecs.PROJECT_NAME
DISABLED_PLUGINS_ENV = "TICKETSLA_DISABLED_PLUGINS"
_HOOK_PREFIX = "ticketsla_"
_IMPL_MARK = f"{hookspecs.PROJECT_NAME}_impl"


# ---- making the manager ------------------------------------------------------------------------


def get_plugin_manager(
    *, plugins: Iterable[object] = (), load_entry_points: bool = True
) -> pluggy.PluginManager:
    """A plugin manager with the hooks, the built-ins, installed entry points and ``plugins``.

    Raises ``PluginError`` when a plugin fails to load, implements a hook that does not exist,
    or is registered twice.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    for name in disabled_plugin_names():
        pm.set_blocked(name)
    register_plugin(pm, builtin, name=builtin.NAME)
    if load_entry_points:
        _load_entry_points(pm)
    for plugin in plugins:
        register_plugin(pm, plugin)
    _check_pending(pm)
    return pm


def default_plugin_manager() -> pluggy.PluginManager:
    """The manager ``parse_payload`` and ``verify_signature`` use when given none (cached)."""
    return _cached_manager(os.environ.get(DISABLED_PLUGINS_ENV, ""))


@functools.lru_cache(maxsize=8)
def _cached_manager(disabled: str) -> pluggy.PluginManager:
    del disabled  # the cache key: a changed block list gets a manager of its own
    return get_plugin_manager()


def disabled_plugin_names() -> list[str]:
    """The plugin names blocked by ``TICKETSLA_DISABLED_PLUGINS``."""
    raw = os.environ.get(DISABLED_PLUGINS_ENV, "")
    return [name.strip() for name in raw.split(",") if name.strip()]


def register_plugin(pm: pluggy.PluginManager, plugin: object, *, name: str | None = None) -> str:
    """Register ``plugin`` after checking its ``ticketsla_*`` names; returns its name.

    A blocked name is skipped (the returned name is still the one asked for).
    """
    label = name or _label(plugin)
    _check_unmarked(plugin, label)
    try:
        registered = pm.register(plugin, name=name)
    except ValueError as exc:
        raise PluginError(f"plugin {label!r} cannot be registered: {exc}", subject=label) from None
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {label!r} is not valid: {exc}", subject=label) from None
    return registered or label


def _label(plugin: object) -> str:
    if isinstance(plugin, ModuleType):
        return plugin.__name__
    return type(plugin).__qualname__


def _check_unmarked(plugin: object, label: str) -> None:
    for attr in dir(plugin):
        if not attr.startswith(_HOOK_PREFIX) or attr == _IMPL_MARK:
            continue
        value = getattr(plugin, attr, None)
        if callable(value) and not hasattr(value, _IMPL_MARK):
            raise PluginError(
                f"plugin {label!r}: {attr} looks like a hook but is not marked with "
                "@ticketsla.hookimpl, so it would never be called",
                subject=attr,
            )


def _load_entry_points(pm: pluggy.PluginManager) -> None:
    found = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: (ep.name, ep.value))
    unique: dict[str, EntryPoint] = {}
    for ep in found:  # every conflict is reported before any plugin is imported
        first = unique.setdefault(ep.name, ep)
        if first.value != ep.value:
            raise PluginError(
                f"entry point {ep.name!r} of group {ENTRY_POINT_GROUP!r} is declared twice: "
                f"{first.value} ({_dist(first)}) and {ep.value} ({_dist(ep)})",
                subject=ep.name,
            )
    for ep in unique.values():
        if pm.is_blocked(ep.name) or pm.get_plugin(ep.name) is not None:
            continue
        try:
            plugin = ep.load()
        except Exception as exc:
            raise PluginError(
                f"plugin {ep.name!r} ({ep.value}, from {_dist(ep)}) failed to load: "
                f"{type(exc).__name__}: {exc}",
                subject=ep.name,
            ) from exc
        register_plugin(pm, plugin, name=ep.name)


def _dist(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    return f"{dist.name} {dist.version}" if dist is not None else "unknown distribution"


def _check_pending(pm: pluggy.PluginManager) -> None:
    known = {name for name, caller in vars(pm.hook).items() if getattr(caller, "spec", None)}
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        for attr in dir(plugin):
            opts = getattr(getattr(plugin, attr, None), _IMPL_MARK, None)
            if (
                opts is None
                or attr in known
                or (isinstance(opts, dict) and opts.get("optionalhook"))
            ):
                continue
            hooks = ", ".join(sorted(known))
            raise PluginError(
                f"plugin {name!r} implements unknown hook {attr!r} (known hooks: {hooks})",
                subject=attr,
            )
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"a plugin implements an unknown hook: {exc}") from None


# ---- registries from the hooks -----------------------------------------------------------------


def sources(pm: pluggy.PluginManager | None = None) -> SourceRegistry:
    """The source adapters every plugin registers."""
    registry = SourceRegistry()
    _call_registration(pm, "ticketsla_register_sources", registry)
    return registry


def calendars(pm: pluggy.PluginManager | None = None) -> CalendarRegistry:
    """The calendars every plugin registers (the bundled ones come from ``builtin``)."""
    registry = CalendarRegistry()
    _call_registration(pm, "ticketsla_register_calendars", registry)
    return registry


def policies(pm: pluggy.PluginManager | None = None) -> PolicyRegistry:
    """The policies every plugin registers."""
    registry = PolicyRegistry()
    _call_registration(pm, "ticketsla_register_policies", registry)
    return registry


def _call_registration(pm: pluggy.PluginManager | None, hook: str, registry: object) -> None:
    pm = pm or default_plugin_manager()
    try:
        getattr(pm.hook, hook)(registry=registry)
    except TicketSLAError:
        raise
    except Exception as exc:
        raise PluginError(f"a plugin failed in {hook}: {type(exc).__name__}: {exc}") from exc


# ---- the two calls at the edge ------------------------------------------------------------------


def parse_payload(
    source: str,
    payload: Payload,
    *,
    headers: Mapping[str, str] | None = None,
    limits: PayloadLimits | None = None,
    pm: pluggy.PluginManager | None = None,
) -> list[TicketEvent]:
    """Turn one payload of ``source`` (bytes, text, or decoded JSON) into ticket events.

    The adapter recognises which of its documented shapes the payload is. A payload over the
    size limit, too deep, unparseable or of an unknown shape is a ``PayloadError``; an unknown
    source is a ``SourceNotFoundError`` listing the installed ones.
    """
    limits = limits or PayloadLimits()
    adapter = sources(pm).get(source)
    if not isinstance(payload, bytes | bytearray | memoryview | str | Mapping | list):
        raise PayloadError(
            f"{source}: payload must be bytes, text or decoded JSON, got {type(payload).__name__}",
            subject=source,
        )
    payload_bytes(payload, source=source, limits=_raw_limits(adapter, payload, limits))
    try:
        request_headers = Headers(headers)
    except SignatureError as exc:
        raise PayloadError(f"{source}: {exc.message}", subject=source) from None
    try:
        events = adapter.parse(payload, headers=request_headers, limits=limits)
    except TicketSLAError:
        raise
    except RecursionError:
        raise PayloadError(f"{source}: payload nests too deeply to read", subject=source) from None
    except Exception as exc:
        raise AdapterError(
            f"{source}: adapter {_where(adapter)} failed on a payload: "
            f"{type(exc).__name__}: {str(exc)[:200]}",
            subject=source,
        ) from exc
    return _checked_events(adapter, events)


def _raw_limits(adapter: SourceAdapter, payload: Payload, limits: PayloadLimits) -> PayloadLimits:
    """The limits for a raw payload: an adapter's own ``max_raw_bytes`` (mail) replaces the
    JSON payload limit; decoded JSON keeps it."""
    own = getattr(adapter, "max_raw_bytes", None)
    if isinstance(payload, Mapping | list) or isinstance(own, bool) or not isinstance(own, int):
        return limits
    return PayloadLimits(max_bytes=own, max_depth=limits.max_depth)


def _checked_events(adapter: SourceAdapter, events: Any) -> list[TicketEvent]:
    if not isinstance(events, list | tuple):
        raise AdapterError(
            f"{adapter.name}: adapter {_where(adapter)} returned {type(events).__name__}, "
            "not a list of TicketEvent",
            subject=adapter.name,
        )
    for event in events:
        if not isinstance(event, TicketEvent):
            raise AdapterError(
                f"{adapter.name}: adapter {_where(adapter)} returned a "
                f"{type(event).__name__} among its events",
                subject=adapter.name,
            )
        if event.source != adapter.name:
            raise AdapterError(
                f"{adapter.name}: event {event.event_id!r} has source {event.source!r}; an "
                f"adapter's events carry its own name ({adapter.name!r}) so their ids cannot "
                "collide with another source's",
                subject=adapter.name,
            )
    return list(events)


def verify_signature(
    source: str,
    body: bytes,
    headers: Mapping[str, str],
    secret: str | bytes | Secret,
    *,
    now: datetime | None = None,
    pm: pluggy.PluginManager | None = None,
) -> None:
    """Check that ``body`` (the raw request bytes) was signed by ``source`` with ``secret``.

    Returns ``None`` when the signature holds; otherwise raises ``SignatureError`` (wrong,
    missing, malformed, stale or future-dated). ``now=None`` reads the clock. The check fails
    closed: any unexpected error inside an adapter is a ``SignatureError`` too. Neither the
    secret nor the signatures ever appear in an error message.
    """
    adapter = sources(pm).get(source)
    if not isinstance(body, bytes | bytearray | memoryview):
        raise SignatureError(
            f"{source}: body must be the raw request bytes, got {type(body).__name__}",
            subject="body",
        )
    key = secret_bytes(secret)
    at = datetime.now(UTC) if now is None else require_aware(now, "now")
    request_headers = Headers(headers)
    try:
        adapter.verify_signature(bytes(body), request_headers, key, now=at)
    except SignatureError:
        raise
    except TicketSLAError as exc:
        raise SignatureError(f"{source}: signature not verified: {exc.message}") from None
    except Exception as exc:
        raise SignatureError(
            f"{source}: signature not verified: adapter {_where(adapter)} failed "
            f"({type(exc).__name__})",
            subject=source,
        ) from None


def _where(adapter: SourceAdapter) -> str:
    return f"{type(adapter).__module__}.{type(adapter).__qualname__}"


# ---- what the engine asks ----------------------------------------------------------------------


def choose_policy(
    ticket: Mapping[str, Any], candidates: Sequence[str], *, pm: pluggy.PluginManager | None = None
) -> str | None:
    """The policy for a ticket: a plugin's choice among ``candidates``, else the first one.

    ``None`` when there are no candidates. A plugin naming a policy that is not a candidate is
    a ``PluginError``.
    """
    names = tuple(candidates)
    if not names:
        return None
    pm = pm or default_plugin_manager()
    view = MappingProxyType(dict(ticket))
    answer = pm.hook.ticketsla_choose_policy(ticket=view, candidates=names)
    if answer is None:
        return names[0]
    if not isinstance(answer, str) or answer not in names:
        raise PluginError(
            f"ticketsla_choose_policy returned {answer!r}, which is not one of the candidates "
            f"{list(names)!r}",
            subject=answer,
        )
    return answer


def counts_as_response(event: TicketEvent, *, pm: pluggy.PluginManager | None = None) -> bool:
    """Whether ``event`` fulfils a response target: only agent replies are asked about."""
    if event.kind is not EventKind.AGENT_REPLY:
        return False
    pm = pm or default_plugin_manager()
    answer = pm.hook.ticketsla_counts_as_response(event=event)
    if answer is None:
        return event.is_public_response
    if not isinstance(answer, bool):
        raise PluginError(
            f"ticketsla_counts_as_response returned {answer!r} for event {event.event_id!r}; "
            "expected True, False or None",
            subject=event.event_id,
        )
    return answer


_VERDICTS = frozenset({"met", "missed"})
_HOOK_FOR_KIND = {
    NotificationKind.WARNING: "ticketsla_sla_warning",
    NotificationKind.BREACH: "ticketsla_sla_breached",
    NotificationKind.FULFILLED: "ticketsla_sla_fulfilled",
    NotificationKind.OUTCOME: "ticketsla_outcome_recorded",
}


def notify(notification: Notification, *, pm: pluggy.PluginManager | None = None) -> str:
    """Hand ``notification`` to the hook for its kind; returns the hook's name.

    An escalation level goes to ``ticketsla_sla_warning`` while its target can still be met (a
    share or a lead) and to ``ticketsla_sla_breached`` at or after the breach; so does its
    retraction. A retraction goes to the hook of what it retracts: ``ticketsla_outcome_recorded`` for an
    outcome (cycle 0: outcomes belong to the ticket, not to a clock cycle),
    ``ticketsla_sla_breached`` when its level is ``"breach"``, ``ticketsla_sla_fulfilled`` when
    it is a verdict (``"met"`` or ``"missed"``), else ``ticketsla_sla_warning``.
    An exception in a notifier propagates, so the caller can keep the notification and try again.
    """
    if not isinstance(notification, Notification):
        raise PluginError(
            f"notify: expected a Notification, got {type(notification).__name__}",
            subject=notification,
        )
    pm = pm or default_plugin_manager()
    hook = hook_for(notification)
    getattr(pm.hook, hook)(notification=notification)
    return hook


def hook_for(notification: Notification) -> str:
    """The name of the hook that hears ``notification`` (see ``notify``)."""
    if notification.escalation is not None:
        # An escalation level (or its retraction) goes where a warning or breach of its stage goes.
        before = notification.escalation.before_breach
        return "ticketsla_sla_warning" if before else "ticketsla_sla_breached"
    if notification.kind is NotificationKind.RETRACTION:
        if notification.cycle == 0:
            return "ticketsla_outcome_recorded"
        if notification.level == "breach":
            return "ticketsla_sla_breached"
        if notification.level in _VERDICTS:
            return "ticketsla_sla_fulfilled"
        return "ticketsla_sla_warning"
    return _HOOK_FOR_KIND[notification.kind]


def has_listener(hook: str, pm: pluggy.PluginManager) -> bool:
    """Whether any plugin implements ``hook``."""
    return bool(getattr(pm.hook, hook).get_hookimpls())


# ---- what the fold asks of the plugins -----------------------------------------------------------


def _answered_by_plugins(pm: pluggy.PluginManager, hook: str) -> bool:
    """Whether a plugin other than the built-in one implements ``hook``."""
    caller = getattr(pm.hook, hook)
    return any(impl.plugin_name != builtin.NAME for impl in caller.get_hookimpls())


def policy_chooser(pm: pluggy.PluginManager) -> Chooser | None:
    """A policy chooser for the fold that asks ``ticketsla_choose_policy`` among the matching
    policies, or None when no plugin implements it (the first match then wins, at no cost)."""
    if not _answered_by_plugins(pm, "ticketsla_choose_policy"):
        return None

    def choose(fields: Mapping[str, Any], every: tuple[SLAPolicy, ...]) -> str | None:
        return choose_policy(fields, [p.name for p in every if p.matches(fields)[0]], pm=pm)

    return choose


def response_rule(pm: pluggy.PluginManager) -> ResponseRule | None:
    """A response rule for the fold that asks ``ticketsla_counts_as_response``, or None when
    only the built-in rule answers (the fold applies the same rule itself)."""
    if not _answered_by_plugins(pm, "ticketsla_counts_as_response"):
        return None
    return functools.partial(counts_as_response, pm=pm)
