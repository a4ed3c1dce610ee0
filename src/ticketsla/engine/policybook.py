"""The engine's policies and what it keeps beside them: fingerprints and calendars by name.

``fingerprint`` is a short digest of a policy's or calendar's content; every stored clock carries
the fingerprints it was computed with, so a changed policy or calendar file shows. ``PolicyBook``
is also the one place a policy is looked up by name, the way ``PolicySet.get`` does: the first
policy of that name wins, as the first matching policy does (docs/engine.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from ..calendar import Calendar
from ..errors import ConfigurationError, PolicyError
from ..fold_snapshot import canonical, version_of
from ..outcomes import FCRDefinition
from ..policy import PolicySet, SLAPolicy

__all__ = ["LIBRARY_VERSION", "Policies", "PolicyBook", "fingerprint"]

Policies = SLAPolicy | PolicySet | Iterable[SLAPolicy]


def fingerprint(value: object) -> str:
    """A short, stable digest of a policy or calendar's content (not its name or file path)."""
    text = json.dumps(canonical(value), sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


LIBRARY_VERSION = version_of("ticketsla")


@dataclass(frozen=True, slots=True)
class PolicyBook:
    """A policy set with what the engine needs beside it: fingerprints and calendars by name."""

    policies: PolicySet
    policy_versions: dict[str, str]
    calendars: dict[str, Calendar]
    calendar_versions: dict[str, str]

    @classmethod
    def of(cls, policies: Policies | None) -> PolicyBook:
        chosen = _policy_set(policies)
        calendars: dict[str, Calendar] = {}
        versions: dict[str, str] = {}
        for policy in chosen.all():
            versions.setdefault(policy.name, fingerprint(policy))  # the first of a name counts
            calendars.setdefault(policy.calendar.name, policy.calendar)
            for metric in policy.metric_names:
                cal = policy.calendar_for(metric)
                calendars.setdefault(cal.name, cal)
        return cls(
            policies=chosen,
            policy_versions=versions,
            calendars=calendars,
            calendar_versions={name: fingerprint(cal) for name, cal in calendars.items()},
        )

    @property
    def empty(self) -> bool:
        return not self.policies.all()

    def policy(self, name: str | None) -> SLAPolicy | None:
        """The policy called ``name`` (the first of that name), or None when there is none."""
        if not name:
            return None
        try:
            return self.policies.get(name)
        except PolicyError:
            return None

    def fcr(self, name: str | None) -> FCRDefinition | None:
        """The FCR definition of the policy called ``name``, None without such a policy."""
        policy = self.policy(name)
        return None if policy is None else policy.fcr


def _policy_set(policies: Policies | None) -> PolicySet:
    if policies is None:
        return PolicySet(())
    if isinstance(policies, SLAPolicy | PolicySet):
        return PolicySet.of(policies)
    items = tuple(policies)
    for item in items:
        if not isinstance(item, SLAPolicy):
            raise ConfigurationError(
                f"policies: expected SLAPolicy values, got {type(item).__name__}",
                subject="policies",
            )
    return PolicySet(items)
