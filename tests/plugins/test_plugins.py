"""The plugin manager, the registries the hooks fill, the decision hooks and ticketsla.testing."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import Any

import pytest

from ticketsla.calendar import Calendar, bundled_calendar_names
from ticketsla.errors import CalendarError, PluginError, PolicyError
from ticketsla.events import TicketEvent
from ticketsla.hookspecs import hookimpl
from ticketsla.notifications import NotificationKind
from ticketsla.plugins import (
    DISABLED_PLUGINS_ENV,
    calendars,
    choose_policy,
    counts_as_response,
    default_plugin_manager,
    get_plugin_manager,
    notify,
    policies,
    register_plugin,
)
from ticketsla.plugins import builtin as builtin_plugin
from ticketsla.registries import CalendarRegistry, PolicyRegistry
from ticketsla.testing import (
    EventBuilder,
    RecordingNotifier,
    make_notification,
    plugin_manager,
    registered,
)

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_disabled_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DISABLED_PLUGINS_ENV, raising=False)


def _dist_with_entry_point(
    root: Path, dist: str, entry_points: str, module: str | None = None, code: str = ""
) -> None:
    """A distribution installed into ``root`` as pip would: a dist-info with entry points."""
    info = root / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points))
    if module:
        (root / f"{module}.py").write_text(textwrap.dedent(code))


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh site directory on ``sys.path`` for distributions made by a test."""
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("tsla_test_")]:
        del sys.modules[name]


# ---- the manager -------------------------------------------------------------------------------


def test_builtins_are_an_ordinary_plugin_named_builtin() -> None:
    """The built-in behaviour is the module ticketsla.plugins.builtin, registered as 'builtin'."""
    pm = get_plugin_manager(load_entry_points=False)
    assert pm.get_plugin("builtin") is builtin_plugin
    assert [name for name, _ in pm.list_name_plugin()] == ["builtin"]


def test_builtin_registers_every_bundled_calendar_lazily() -> None:
    """calendars() holds each bundled calendar by name, loaded into a Calendar on first get."""
    registry = calendars(get_plugin_manager(load_entry_points=False))
    assert registry.names() == bundled_calendar_names()
    cal = registry.get("us-business")
    assert isinstance(cal, Calendar)
    assert cal.timezone == "America/New_York"
    assert registry.get("us-business") is cal


def test_plugins_passed_in_are_registered_after_the_builtins() -> None:
    """get_plugin_manager(plugins=[...]) registers each given plugin object."""
    notifier = RecordingNotifier()
    pm = get_plugin_manager(plugins=[notifier], load_entry_points=False)
    assert pm.is_registered(notifier)


def test_an_unknown_hook_name_fails_at_start_up() -> None:
    """A marked function whose name is no hook is a PluginError naming it, not a silent no-op."""

    class Typo:
        @hookimpl
        def ticketsla_sla_breach(self, notification: Any) -> None: ...

    with pytest.raises(PluginError, match="unknown hook 'ticketsla_sla_breach'"):
        get_plugin_manager(plugins=[Typo()], load_entry_points=False)


def test_a_hook_named_function_without_the_marker_is_refused() -> None:
    """A ticketsla_* function not marked with hookimpl would never run, so it is an error."""

    class Unmarked:
        def ticketsla_sla_breached(self, notification: Any) -> None: ...

    with pytest.raises(PluginError, match=r"not marked with @ticketsla\.hookimpl"):
        get_plugin_manager(plugins=[Unmarked()], load_entry_points=False)


def test_a_plugin_registered_twice_is_a_plugin_error() -> None:
    """Registering the same plugin object twice raises PluginError, not pluggy's ValueError."""
    notifier = RecordingNotifier()
    pm = get_plugin_manager(plugins=[notifier], load_entry_points=False)
    with pytest.raises(PluginError, match="cannot be registered"):
        register_plugin(pm, notifier)


def test_disabled_plugins_env_blocks_the_builtin(monkeypatch: pytest.MonkeyPatch) -> None:
    """TICKETSLA_DISABLED_PLUGINS=builtin leaves the bundled calendars unregistered."""
    monkeypatch.setenv(DISABLED_PLUGINS_ENV, " other , builtin ")
    pm = get_plugin_manager(load_entry_points=False)
    assert pm.get_plugin("builtin") is None
    assert len(calendars(pm)) == 0


def test_entry_points_of_the_group_are_loaded(site: Path) -> None:
    """An installed distribution's ticketsla entry point is registered under its name."""
    _dist_with_entry_point(
        site,
        "tsla-test-cal",
        "[ticketsla]\ntestcal = tsla_test_cal\n",
        "tsla_test_cal",
        """
        from ticketsla.hookspecs import hookimpl

        @hookimpl
        def ticketsla_register_calendars(registry):
            registry.add("always-open", "24x7")
        """,
    )
    pm = get_plugin_manager()
    assert pm.get_plugin("testcal") is sys.modules["tsla_test_cal"]
    assert calendars(pm).get("always-open").name == "24x7"


def test_disabled_entry_point_is_never_imported(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A blocked entry point is skipped before its module is imported."""
    _dist_with_entry_point(
        site,
        "tsla-test-boom",
        "[ticketsla]\nboom = tsla_test_boom\n",
        "tsla_test_boom",
        "raise RuntimeError('imported although disabled')\n",
    )
    monkeypatch.setenv(DISABLED_PLUGINS_ENV, "boom")
    pm = get_plugin_manager()
    assert pm.get_plugin("boom") is None
    assert "tsla_test_boom" not in sys.modules


def test_an_entry_point_that_fails_to_import_names_itself(site: Path) -> None:
    """An import error in a plugin is a PluginError naming the entry point and distribution."""
    _dist_with_entry_point(
        site, "tsla-test-missing", "[ticketsla]\nmissing = tsla_test_nowhere_to_be_found\n"
    )
    with pytest.raises(PluginError, match=r"plugin 'missing' .*tsla-test-missing.* failed to load"):
        get_plugin_manager()


def test_an_entry_point_with_an_unknown_hook_fails_at_start_up(site: Path) -> None:
    """A third-party module implementing a misspelt hook stops the manager from being made."""
    _dist_with_entry_point(
        site,
        "tsla-test-typo",
        "[ticketsla]\ntypo = tsla_test_typo\n",
        "tsla_test_typo",
        """
        from ticketsla.hookspecs import hookimpl

        @hookimpl
        def ticketsla_register_source(registry):
            pass
        """,
    )
    with pytest.raises(PluginError, match="plugin 'typo' implements unknown hook"):
        get_plugin_manager()


def test_two_distributions_claiming_one_entry_point_name_conflict(site: Path) -> None:
    """Two different targets under one entry-point name are refused, naming both."""
    _dist_with_entry_point(site, "tsla-test-one", "[ticketsla]\ndup = tsla_test_one\n")
    _dist_with_entry_point(site, "tsla-test-two", "[ticketsla]\ndup = tsla_test_two\n")
    with pytest.raises(PluginError, match=r"declared twice: tsla_test_one .* and tsla_test_two"):
        get_plugin_manager()


def test_default_manager_is_cached_per_block_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """default_plugin_manager() reuses one manager until the block list changes."""
    first = default_plugin_manager()
    assert default_plugin_manager() is first
    monkeypatch.setenv(DISABLED_PLUGINS_ENV, "builtin")
    other = default_plugin_manager()
    assert other is not first
    assert other.get_plugin("builtin") is None


def test_a_registration_hook_that_crashes_is_a_plugin_error() -> None:
    """An exception inside a plugin's registration hook surfaces as PluginError."""

    class Broken:
        @hookimpl
        def ticketsla_register_policies(self, registry: PolicyRegistry) -> None:
            raise KeyError("gold")

    with pytest.raises(PluginError, match="failed in ticketsla_register_policies: KeyError"):
        policies(plugin_manager(Broken()))


# ---- registries ------------------------------------------------------------------------------


def test_calendar_registry_resolves_paths_objects_and_loaders(tmp_path: Path) -> None:
    """A calendar entry may be a Calendar, a .toml path or a loader; each resolves to a Calendar."""
    path = tmp_path / "night.toml"
    path.write_text('name = "night"\ntimezone = "UTC"\n[hours]\nmon = ["22:00-06:00"]\n')
    cal = Calendar.load("24x7")
    calls: list[int] = []

    def loader() -> Calendar:
        calls.append(1)
        return cal

    registry = CalendarRegistry()
    registry.add("file", path)
    registry.add("object", cal)
    registry.add("lazy", loader)
    assert registry.get("file").name == "night"
    assert registry.get("object") is cal
    assert registry.get("lazy") is cal
    assert registry.get("lazy") is cal
    assert calls == [1]


def test_calendar_registry_refuses_duplicates_unless_replacing() -> None:
    """A second calendar under one name is a PluginError; replace=True overrides it."""
    registry = CalendarRegistry()
    registry.add("team", "24x7")
    with pytest.raises(PluginError, match="'team' is registered twice"):
        registry.add("team", "uk-business")
    registry.add("team", "uk-business", replace=True)
    assert registry.get("team").name == "uk-business"


def test_unknown_calendar_name_lists_the_registered_ones() -> None:
    """get() of an unknown name is a CalendarError that lists what is registered."""
    registry = CalendarRegistry()
    registry.add("b", "24x7")
    registry.add("a", "24x7")
    with pytest.raises(
        CalendarError, match=r"no calendar named 'c' is registered \(registered: a, b\)"
    ):
        registry.get("c")


def test_calendar_loader_returning_something_else_is_refused() -> None:
    """A loader that returns no Calendar is a CalendarError naming the calendar."""
    registry = CalendarRegistry()
    registry.add("odd", lambda: "not a calendar")
    with pytest.raises(CalendarError, match="calendar 'odd': its loader returned str"):
        registry.get("odd")
    with pytest.raises(PluginError, match="expected a Calendar"):
        registry.add("num", 42)


def test_policy_registry_keeps_paths_and_loads_them_once(tmp_path: Path) -> None:
    """A policy path entry comes back as a Path; load() reads it with the loader once."""
    path = tmp_path / "gold.toml"
    path.write_text("name = 'gold'\n")
    read: list[Path] = []

    def loader(file: Path) -> dict[str, str]:
        read.append(file)
        return {"policy": file.stem}

    registry = PolicyRegistry()
    registry.add("gold", str(path))
    registry.add("silver", {"policy": "silver"})
    assert registry.get("gold") == path
    assert registry.load("gold", loader) == {"policy": "gold"}
    assert registry.load("gold", loader) == {"policy": "gold"}
    assert read == [path]
    assert registry.load("silver", loader) == {"policy": "silver"}


def test_policy_registry_missing_file_and_unknown_name_are_policy_errors(tmp_path: Path) -> None:
    """A policy path that does not exist, or a name never registered, is a PolicyError."""
    registry = PolicyRegistry()
    registry.add("ghost", tmp_path / "ghost.toml")
    with pytest.raises(PolicyError, match=r"policy 'ghost': file .* does not exist"):
        registry.load("ghost", lambda p: p)
    with pytest.raises(PolicyError, match="no policy named 'gold'"):
        registry.get("gold")


def test_policies_hook_fills_the_policy_registry() -> None:
    """ticketsla_register_policies lets a plugin add policies by name."""

    class Policies:
        @hookimpl
        def ticketsla_register_policies(self, registry: PolicyRegistry) -> None:
            registry.add("vip", {"targets": "fast"})

    assert policies(plugin_manager(Policies())).get("vip") == {"targets": "fast"}


# ---- decisions ---------------------------------------------------------------------------------


class PreferVip:
    def __init__(self) -> None:
        self.seen: list[Any] = []

    @hookimpl
    def ticketsla_choose_policy(self, ticket: Any, candidates: Any) -> str | None:
        self.seen.append(ticket)
        return "vip" if "vip" in ticket.get("tags", ()) else None


def test_choose_policy_defaults_to_the_first_candidate() -> None:
    """With no plugin answering, the first matching policy is chosen."""
    pm = plugin_manager(PreferVip())
    assert choose_policy({"tags": ["x"]}, ["standard", "vip"], pm=pm) == "standard"
    assert choose_policy({}, [], pm=pm) is None


def test_choose_policy_takes_a_plugins_choice_among_the_candidates() -> None:
    """A plugin may pick another candidate; it sees the ticket as a read-only mapping."""
    plugin = PreferVip()
    pm = plugin_manager(plugin)
    assert choose_policy({"tags": ["vip"]}, ["standard", "vip"], pm=pm) == "vip"
    ticket = plugin.seen[-1]
    assert isinstance(ticket, MappingProxyType)
    with pytest.raises(TypeError):
        ticket["tags"] = []  # type: ignore[index]


def test_choose_policy_refuses_a_name_that_is_not_a_candidate() -> None:
    """A plugin naming a policy that does not match the ticket is a PluginError."""

    class Rogue:
        @hookimpl
        def ticketsla_choose_policy(self, ticket: Any, candidates: Any) -> str:
            return "platinum"

    with pytest.raises(PluginError, match="'platinum', which is not one of the candidates"):
        choose_policy({}, ["standard"], pm=plugin_manager(Rogue()))


def test_counts_as_response_default_is_a_public_human_reply() -> None:
    """By default a public agent reply counts, an automatic one and other kinds do not."""
    pm = plugin_manager()
    events = EventBuilder()
    assert counts_as_response(events.agent_reply(), pm=pm) is True
    assert counts_as_response(events.agent_reply(auto=True), pm=pm) is False
    assert counts_as_response(events.internal_note(), pm=pm) is False
    assert counts_as_response(events.customer_message(), pm=pm) is False


def test_counts_as_response_plugin_overrides_and_none_defers() -> None:
    """A plugin's True/False decides; None leaves it to the built-in answer."""

    class NoBots:
        @hookimpl
        def ticketsla_counts_as_response(self, event: TicketEvent) -> bool | None:
            return False if event.field("bot") else None

    events = EventBuilder("T-7")
    with registered(NoBots()) as pm:
        assert counts_as_response(events.agent_reply(bot=True), pm=pm) is False
        assert counts_as_response(events.agent_reply(), pm=pm) is True


def test_counts_as_response_can_count_an_automatic_reply() -> None:
    """A plugin answering True makes even an auto reply count (it is asked before builtin)."""

    class CountEverything:
        @hookimpl
        def ticketsla_counts_as_response(self, event: TicketEvent) -> bool:
            return True

    reply = EventBuilder().agent_reply(auto=True)
    assert counts_as_response(reply, pm=plugin_manager(CountEverything())) is True


def test_counts_as_response_refuses_a_non_boolean_answer() -> None:
    """An answer other than True, False or None is a PluginError naming the event."""

    class Sloppy:
        @hookimpl
        def ticketsla_counts_as_response(self, event: TicketEvent) -> str:
            return "yes"

    reply = EventBuilder().agent_reply()
    with pytest.raises(PluginError, match="returned 'yes' for event 'T-1-1'"):
        counts_as_response(reply, pm=plugin_manager(Sloppy()))


# ---- notifications through the hooks -------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "level", "hook"),
    [
        ("warning", "75%", "ticketsla_sla_warning"),
        ("breach", "breach", "ticketsla_sla_breached"),
        ("fulfilled", "met", "ticketsla_sla_fulfilled"),
        ("outcome", "good", "ticketsla_outcome_recorded"),
        ("retraction", "breach", "ticketsla_sla_breached"),
        ("retraction", "30m", "ticketsla_sla_warning"),
    ],
)
def test_notify_hands_each_kind_to_its_hook(kind: str, level: str, hook: str) -> None:
    """notify() calls the hook for the notification's kind; a retraction goes where its level was."""
    recorder = RecordingNotifier()
    notification = make_notification(kind=kind, level=level)
    assert notify(notification, pm=plugin_manager(recorder)) == hook
    assert recorder.calls == [(hook, notification)]


def test_notify_refuses_anything_but_a_notification() -> None:
    """Handing notify() a mapping instead of a Notification is a PluginError."""
    with pytest.raises(PluginError, match="expected a Notification, got dict"):
        notify({"kind": "breach"}, pm=plugin_manager())  # type: ignore[arg-type]


def test_every_notifier_hears_a_notification() -> None:
    """Notification hooks are not firstresult: two notifiers both get the breach."""
    first, second = RecordingNotifier(), RecordingNotifier()
    notify(make_notification(), pm=plugin_manager(first, second))
    assert len(first.calls) == len(second.calls) == 1


# ---- ticketsla.testing -------------------------------------------------------------------------


def test_registered_on_a_shared_manager_removes_the_plugin_afterwards() -> None:
    """registered(plugin, pm=pm) adds the plugin for the block only."""
    pm = plugin_manager()
    recorder = RecordingNotifier()
    with registered(recorder, pm=pm) as same:
        assert same is pm
        assert pm.is_registered(recorder)
        notify(make_notification(), pm=pm)
    assert not pm.is_registered(recorder)
    notify(make_notification(), pm=pm)
    assert len(recorder.calls) == 1


def test_recording_notifier_filters_by_kind() -> None:
    """RecordingNotifier.of_kind returns the notifications of one kind, in order."""
    recorder = RecordingNotifier()
    pm = plugin_manager(recorder)
    for kind, level in [("warning", "50%"), ("breach", "breach"), ("warning", "90%")]:
        notify(make_notification(kind=kind, level=level), pm=pm)
    assert [n.level for n in recorder.of_kind("warning")] == ["50%", "90%"]
    assert recorder.hooks[1] == "ticketsla_sla_breached"
    recorder.clear()
    assert recorder.notifications == []


def test_event_builder_moves_the_clock_and_numbers_the_events() -> None:
    """EventBuilder gives ids <ticket>-<n> and advances time by each call's after."""
    events = EventBuilder("T-9", start=AT)
    created = events.created(priority="urgent")
    reply = events.agent_reply(after="1h30m")
    solved = events.status("solved", after=timedelta(minutes=5))
    assert [e.event_id for e in events.events] == ["T-9-1", "T-9-2", "T-9-3"]
    assert (created.at, reply.at, solved.at) == (
        AT,
        AT + timedelta(hours=1, minutes=30),
        AT + timedelta(hours=1, minutes=35),
    )
    assert created.priority == "urgent"
    assert solved.status == "solved"
    assert EventBuilder("T-9", start=AT).created(priority="urgent") == created


def test_make_notification_overrides_fields() -> None:
    """make_notification() builds a valid breach; keywords replace its fields."""
    notification = make_notification(ticket_id="T-5", kind="warning", level="30m")
    assert notification.ticket_id == "T-5"
    assert notification.kind is NotificationKind.WARNING


def test_plugin_module_objects_can_be_registered() -> None:
    """A plain module with hook functions is a plugin, as in pluggy's eggsample."""
    module = ModuleType("tsla_inline_plugin")

    @hookimpl
    def ticketsla_register_calendars(registry: CalendarRegistry) -> None:
        registry.add("inline", "24x7")

    module.ticketsla_register_calendars = ticketsla_register_calendars  # type: ignore[attr-defined]
    assert "inline" in calendars(plugin_manager(module))
