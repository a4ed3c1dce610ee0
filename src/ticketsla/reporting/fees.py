"""Fee tables: what each customer pays per period, the base of every service credit (docs/contracts.md).

Read from a ``.csv`` or ``.toml`` file; amounts are ``Decimal`` and nothing here reads a clock.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from .._config import check_toml_depth
from ..contract_terms import CENT
from ..errors import ConfigurationError

__all__ = ["Fee", "FeeTable"]

# ---- fees ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Fee:
    """What one customer pays for one SLO period (a month when the policy's period is a month)."""

    customer: str
    fee: Decimal
    currency: str = ""

    def of(self, share: Fraction) -> Decimal:
        """``share`` of the fee, rounded half up to the cent."""
        exact = self.fee * share.numerator / share.denominator
        return exact.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class FeeTable:
    """Fees by customer (the ticket's organization), from CSV or TOML.

    CSV: a header with ``customer`` and ``fee`` (``currency`` optional), a row per customer.
    TOML: ``[customers.NAME]`` tables with ``fee`` and optional ``currency``.
    """

    fees: tuple[Fee, ...] = ()

    def get(self, customer: str) -> Fee | None:
        for fee in self.fees:
            if fee.customer == customer:
                return fee
        return None

    @classmethod
    def load(cls, path: str | Path) -> FeeTable:
        """Read a ``.csv`` or ``.toml`` fee table."""
        file = Path(path)
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise ConfigurationError(
                f"fee table {str(file)!r}: cannot be read: {exc}", subject=str(file)
            ) from exc
        if file.suffix.lower() == ".toml":
            try:
                text = raw.decode("utf-8")
                check_toml_depth(text, f"fee table {str(file)!r}", ConfigurationError)
                data = tomllib.loads(text)
            except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise ConfigurationError(
                    f"fee table {str(file)!r}: not valid TOML: {exc}", subject=str(file)
                ) from exc
            except RecursionError:
                raise ConfigurationError(
                    f"fee table {str(file)!r}: nests arrays or tables too deeply to read",
                    subject=str(file),
                ) from None
            return cls.from_mapping(data, source=str(file))
        if file.suffix.lower() == ".csv":
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise ConfigurationError(
                    f"fee table {str(file)!r}: not UTF-8 text", subject=str(file)
                ) from exc
            return cls.from_csv(text, source=str(file))
        raise ConfigurationError(
            f"fee table {str(file)!r}: expected a .csv or .toml file", subject=str(file)
        )

    @classmethod
    def from_csv(cls, text: str, *, source: str = "fees.csv") -> FeeTable:
        reader = csv.DictReader(text.splitlines())
        header = reader.fieldnames or []
        for needed in ("customer", "fee"):
            if needed not in header:
                raise ConfigurationError(
                    f"fee table {source!r}: the header needs a {needed!r} column "
                    f"(found: {', '.join(header) or 'none'})"
                )
        rows = [
            (row.get("customer") or "", row.get("fee") or "", row.get("currency") or "", n)
            for n, row in enumerate(reader, start=2)
        ]
        return cls._build(
            ((c, f, cur, f"{source}: line {n}") for c, f, cur, n in rows), source=source
        )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "fees.toml") -> FeeTable:
        customers = data.get("customers")
        if not isinstance(customers, Mapping) or set(data) - {"customers"}:
            raise ConfigurationError(
                f"fee table {source!r}: expected [customers.NAME] tables with fee and currency"
            )
        rows = []
        for name, table in customers.items():
            here = f"{source}: customers.{name}"
            if not isinstance(table, Mapping) or set(table) - {"fee", "currency"}:
                raise ConfigurationError(f"{here}: expected fee and optional currency")
            rows.append((name, table.get("fee"), table.get("currency", ""), here))
        return cls._build(rows, source=source)

    @classmethod
    def _build(cls, rows: Iterable[tuple[Any, Any, Any, str]], *, source: str) -> FeeTable:
        fees: list[Fee] = []
        seen: set[str] = set()
        for customer, amount, currency, where in rows:
            if not isinstance(customer, str) or not customer.strip():
                raise ConfigurationError(f"{where}: customer is empty")
            name = customer.strip()
            if name in seen:
                raise ConfigurationError(f"{where}: customer {name!r} appears twice")
            seen.add(name)
            if isinstance(amount, bool) or not isinstance(amount, str | int | float):
                raise ConfigurationError(f"{where}: fee: expected an amount, got {amount!r}")
            try:
                value = Decimal(str(amount).strip())
            except InvalidOperation:
                raise ConfigurationError(f"{where}: fee: {amount!r} is not an amount") from None
            if not value.is_finite() or value < 0:
                raise ConfigurationError(f"{where}: fee: {amount!r} must be zero or more")
            if not isinstance(currency, str):
                raise ConfigurationError(f"{where}: currency: expected a text")
            fees.append(Fee(customer=name, fee=value, currency=currency.strip()))
        if not fees:
            raise ConfigurationError(f"fee table {source!r}: no customers in it")
        return cls(tuple(fees))
