"""Budgets and objectives: the kinds of figure a budget bounds (:data:`BUDGETS`), a
:class:`Budget` read exactly from ``{option: value}`` (:func:`parse_budgets`), the flash
and SRAM reserves kept back from them (:func:`apply_reserves`), the latency margin
(:func:`parse_margin`) and what the picks are ranked by (:data:`OBJECTIVES`)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from mncost.analysis.explore import ACCURACY, LATENCY, ExploreError
from mncost.cost.memory import PEAK_ACTIVATION
from mncost.text import quote
from mncost.units import Quantity, UnitError, parse_budget


@dataclass(frozen=True)
class BudgetKind:
    """A figure a budget can bound."""

    metric: str
    """The explorer's column (mult_adds, params, weight_bytes, peak_activation_bytes,
    latency_ms)."""
    option: str
    """The command line's option and the Python keyword (max_macs, ...)."""
    quantity: Quantity
    """How its limit is read: a count, bytes or ms."""
    label: str
    """Its name in a table: "MACs", "Peak activation bytes"."""
    short: str
    """A short name, for a narrow column: "MACs", "peak"."""


BUDGETS: tuple[BudgetKind, ...] = (
    BudgetKind("mult_adds", "max_macs", "count", "MACs", "MACs"),
    BudgetKind("params", "max_params", "count", "Params", "params"),
    BudgetKind("weight_bytes", "max_weight_bytes", "bytes", "Weight bytes", "weights"),
    BudgetKind(PEAK_ACTIVATION, "max_peak_bytes", "bytes", "Peak activation bytes", "peak"),
    BudgetKind(LATENCY, "max_latency_ms", "ms", "Latency ms", "latency"),
)
"""Every kind of budget, in the order they are shown."""
_BY_OPTION = {kind.option: kind for kind in BUDGETS}


@dataclass(frozen=True)
class Budget:
    """One limit: a figure must be at most ``limit``."""

    kind: BudgetKind
    limit: Fraction
    """Exact, in counts, bytes or ms."""
    text: str
    """As given ("300M", "4MiB")."""
    reserved: Fraction = Fraction(0)
    """Kept back from the given limit (flash for the runtime and the rest of the
    firmware; SRAM for the runtime's own arena): ``limit`` is what is left."""
    reserved_text: str = ""

    @property
    def metric(self) -> str:
        return self.kind.metric

    @property
    def with_unit(self) -> str:
        """The limit as given, a bare number of milliseconds with its unit: "30 ms",
        "300M", "4MiB"."""
        bare = self.kind.quantity == "ms" and self.text[-1:].isdigit()
        return f"{self.text} ms" if bare else self.text

    @property
    def shown(self) -> str:
        """The limit as given, and what was kept back from it: "2MB less 512KiB"."""
        return f"{self.text} less {self.reserved_text}" if self.reserved else self.text


RESERVES = {"reserve_bytes": "max_weight_bytes", "reserve_sram_bytes": "max_peak_bytes"}
"""A reserve's option -> the budget it is kept back from."""


def apply_reserves(
    budgets: Sequence[Budget],
    reserves: Mapping[str, Any],
    spelled: Literal["option", "argument"] = "option",
) -> tuple[Budget, ...]:
    """``budgets`` with ``reserves`` (:data:`RESERVES`: ``reserve_bytes`` of flash for
    the runtime and the rest of the firmware, ``reserve_sram_bytes`` for the runtime's
    own arena; None skipped) kept back from the budgets they belong to; ExploreError for
    a reserve without its budget, or one that leaves nothing."""
    from dataclasses import replace

    out = list(budgets)
    for option, target in RESERVES.items():
        value = reserves.get(option)
        if value is None:
            continue

        def named(o: str) -> str:
            return "--" + o.replace("_", "-") if spelled == "option" else o

        if isinstance(value, bool) or not isinstance(value, (str, numbers.Number)):
            raise TypeError(f"{option} must be a number or text such as '512KiB'")
        text = str(value).strip()
        try:
            amount = parse_budget(text, "bytes", named(option))
        except UnitError as exc:
            raise ExploreError(str(exc)) from None
        k = next((n for n, b in enumerate(out) if b.kind.option == target), None)
        if k is None:
            raise ExploreError(
                f"{named(option)} is kept back from {named(target)}: give {named(target)} too"
            )
        b = out[k]
        if amount >= b.limit:
            raise ExploreError(
                f"{named(option)} {quote(text)} leaves nothing of {named(target)} {quote(b.text)}"
            )
        out[k] = replace(b, limit=b.limit - amount, reserved=amount, reserved_text=text)
    return tuple(out)


_BUDGET_EXAMPLE = {"count": "'300M'", "bytes": "'512KiB'", "ms": "30"}


def parse_budgets(
    values: Mapping[str, Any], spelled: Literal["option", "argument"] = "option"
) -> tuple[Budget, ...]:
    """Budgets from ``{option: value}`` (``max_macs="300M"``, ``max_params=3e6``; None
    skipped), in :data:`BUDGETS` order; ExploreError for an unknown option or a value
    that cannot be read, naming it as the command line does (``spelled="option"``:
    max-peak-bytes) or as the Python API does (``"argument"``: max_peak_bytes).
    A value that is no number nor text is a TypeError."""
    unknown = [k for k in values if k not in _BY_OPTION]
    if unknown:
        raise ExploreError(f"unknown budget {quote(unknown[0])}; budgets: {', '.join(_BY_OPTION)}")
    budgets = []
    for kind in BUDGETS:
        value = values.get(kind.option)
        if value is None:
            continue
        name = kind.option.replace("_", "-") if spelled == "option" else kind.option
        if isinstance(value, bool) or not isinstance(value, (str, numbers.Number)):
            raise TypeError(
                f"{kind.option} must be a number or text such as "
                f"{_BUDGET_EXAMPLE[kind.quantity]}, got a {type(value).__name__}"
            )
        if isinstance(value, numbers.Real) and not math.isfinite(float(value)):
            raise ExploreError(f"{name} must be a finite number, got {float(value)!r}")
        text = (
            value
            if isinstance(value, str)
            else float.__repr__(value)  # numpy.float64 too: its digits, not its repr
            if isinstance(value, float)
            else str(int(value))
            if isinstance(value, numbers.Integral)
            else str(value)
        )
        try:
            limit = parse_budget(text, kind.quantity, name)
        except UnitError as exc:
            raise ExploreError(str(exc)) from None
        budgets.append(Budget(kind, limit, text.strip()))
    return tuple(budgets)


MAX_MARGIN = Fraction(9, 10)
"""--margin is a share below 90%: a larger one would leave no estimate under a budget."""


def parse_margin(value: object, what: str = "margin") -> Fraction:
    """A margin in percent ("10", "10%", 10, 2.5; None: 0) as an exact share of the
    limit, from 0 to below :data:`MAX_MARGIN`; ExploreError otherwise."""
    if value is None:
        return Fraction(0)
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Fraction)):
        raise ExploreError(f"{what} must be a percentage such as 10 or '10%'")
    text = str(value).strip().removesuffix("%").strip()
    try:
        if len(text) > 32 or not text.isascii() or "_" in text:
            raise ValueError
        number = Decimal(text) if "/" not in text else Decimal(0)
        if not number.is_finite():
            raise ValueError
        # 1e999999999 is a finite Decimal whose exact Fraction would take ages to build
        share = Fraction(text) / 100 if abs(number.adjusted()) <= 6 else Fraction(100)
    except (ValueError, ArithmeticError):
        raise ExploreError(
            f"{what}: cannot read {quote(str(value))} as a percentage (e.g. 10 or 10%)"
        ) from None
    if not 0 <= share < MAX_MARGIN:
        raise ExploreError(
            f"{what} must be from 0 to below {float(MAX_MARGIN) * 100:.0f} percent, "
            f"got {quote(str(value))}"
        )
    return share


# --- objectives ------------------------------------------------------------------------


@dataclass(frozen=True)
class Objective:
    """What the picks are ranked by."""

    name: str
    """As --objective takes it: top1, macs, latency, params, peak, weights."""
    metric: str
    """The explorer's column it reads."""
    best: Literal["max", "min"]
    words: str
    """How a title says it: "Picks, {words} first"."""


OBJECTIVES: dict[str, Objective] = {
    o.name: o
    for o in (
        Objective("top1", ACCURACY, "max", "best estimated top-1"),
        Objective("macs", "mult_adds", "max", "most MACs"),
        Objective("latency", LATENCY, "min", "lowest latency"),
        Objective("params", "params", "min", "fewest params"),
        Objective("peak", PEAK_ACTIVATION, "min", "lowest peak activation memory"),
        Objective("weights", "weight_bytes", "min", "fewest weight bytes"),
    )
}
"""Every --objective: top-1 (the default), or a figure to maximise or minimise when a
model has no top-1 (the most MACs within the budgets is the usual stand-in for accuracy
within one family)."""
