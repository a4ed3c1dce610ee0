"""The clock fold: a ticket's events, its policies and an instant in; every SLA clock's state out.

Pure and deterministic. The fold walks the ticket's events in history order, keeping for each
metric a list of cycles; a cycle's running time is a list of *segments* (stretches during which it
ran, each measured on the calendar in force then). Due instants, breaches and warnings are worked
out at the end from those segments against the target in force last, which is how a priority or
policy change re-targets a clock from its original start while keeping its elapsed time.

A breach is real time passing the due instant while the clock runs: a reply exactly at the due
instant meets the target, a reply at 20:00 after a 17:00 deadline does not, even though no business
time passed in between.

This module is the one to import; the work is done in small modules beside it:
``clock_state`` (the result values), ``clock_fold`` (the walk over the events), ``clock_plan``
(what each trigger does under a policy), ``clock_cycle`` (a cycle and its segments) and
``clock_reading`` (what a cycle shows at an instant).
"""

from __future__ import annotations

from .clock_cycle import Segment as Segment
from .clock_cycle import _breach_instants as _breach_instants
from .clock_cycle import _Cycle as _Cycle
from .clock_cycle import _new_cycle as _new_cycle
from .clock_cycle import _reach as _reach
from .clock_fold import Chooser as Chooser
from .clock_fold import ResponseRule as ResponseRule
from .clock_fold import _Fold as _Fold
from .clock_fold import fold
from .clock_plan import _Move as _Move
from .clock_plan import _Plan as _Plan
from .clock_plan import _plan as _plan
from .clock_state import ClockState, ClockStatus, TicketSLA, with_trail
from .clock_state import _at_instant as _at_instant

__all__ = ["ClockState", "ClockStatus", "TicketSLA", "fold", "with_trail"]
