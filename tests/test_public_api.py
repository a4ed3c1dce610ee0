"""The public namespace: one flat, sorted ``__all__`` whose names all exist."""

from __future__ import annotations

import inspect

import ticketsla


def test_all_is_sorted() -> None:
    """``ticketsla.__all__`` is in plain sorted order, so additions land in one obvious place."""
    assert ticketsla.__all__ == sorted(ticketsla.__all__)


def test_all_names_exist_and_are_unique() -> None:
    """Every name in ``__all__`` is importable from ``ticketsla`` and listed once."""
    assert len(set(ticketsla.__all__)) == len(ticketsla.__all__)
    for name in ticketsla.__all__:
        assert hasattr(ticketsla, name), name


def test_public_functions_are_fully_annotated() -> None:
    """Every public function and method of the exported classes has parameter and return hints."""
    missing: list[str] = []
    for name in ticketsla.__all__:
        value = getattr(ticketsla, name)
        members = [(name, value)] if inspect.isfunction(value) else []
        if inspect.isclass(value):
            members += [
                (f"{name}.{attr}", member)
                for attr, member in vars(value).items()
                if inspect.isfunction(member) and not attr.startswith("_")
            ]
        for label, function in members:
            signature = inspect.signature(function)
            if signature.return_annotation is inspect.Signature.empty:
                missing.append(f"{label} -> ?")
            for parameter in signature.parameters.values():
                if parameter.name in ("self", "cls"):
                    continue
                if parameter.annotation is inspect.Parameter.empty:
                    missing.append(f"{label}({parameter.name})")
    assert missing == []


def test_errors_subclass_the_matching_builtins() -> None:
    """Configuration and input errors are ValueErrors too, lookups LookupErrors."""
    assert issubclass(ticketsla.CalendarError, ValueError)
    assert issubclass(ticketsla.NaiveDatetimeError, ValueError)
    assert issubclass(ticketsla.PayloadError, ValueError)
    assert issubclass(ticketsla.SourceNotFoundError, LookupError)
    assert issubclass(ticketsla.UnknownTicketError, LookupError)
    for name in ticketsla.__all__:
        value = getattr(ticketsla, name)
        if inspect.isclass(value) and issubclass(value, Exception):
            assert issubclass(value, ticketsla.TicketSLAError), name
