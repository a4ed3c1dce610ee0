"""The suite's hypothesis profiles, in one place.

Each property-test module takes its profile by name (``settings.get_profile("ticketsla-clock")``).
CI replays the same examples on every run (a red build then means a change broke something);
developers' runs keep exploring new ones, and ``HYPOTHESIS_PROFILE=thorough`` runs every profile
long (thousands of examples).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"

# name: (examples, thorough examples, health checks that do not apply)
_PROFILES: dict[str, tuple[int, int, tuple[HealthCheck, ...]]] = {
    # each calendar example walks the minute-by-minute reference: few keep the suite fast
    "ticketsla-calendar": (50, 1500, (HealthCheck.too_slow, HealthCheck.data_too_large)),
    "ticketsla-clock": (60, 2000, (HealthCheck.too_slow, HealthCheck.data_too_large)),
    "ticketsla-redaction": (40, 1000, (HealthCheck.too_slow,)),
    "ticketsla-fuzz": (
        200,
        3000,
        (HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture),
    ),
}

for _name, (_examples, _thorough, _checks) in _PROFILES.items():
    settings.register_profile(
        _name,
        derandomize=bool(os.environ.get("CI")),
        max_examples=_thorough if THOROUGH else _examples,
        deadline=None,
        suppress_health_check=list(_checks),
    )
