"""The status rules: how a computed figure compares with the printed one, and why.

Every status comes from a rule run on the numbers, never from a per-cell answer:

- ``match``: the computed value, rounded half up to the printed number of decimals,
  is the printed value.
- ``convention``: it does not match, but it does under one of mncost's stated counting
  conventions (FC bias, batch-norm parameters, channel rounding); the note names it.
- ``erratum``: the printed value is demonstrably wrong: its digits are the computed
  value's with two adjacent digits swapped (for a share, the column's sum is checked
  too), or its row prints fewer mult-adds than parameters, which no conv or FC network
  can have (every weight takes part in at least one multiply-add per image).
- ``close``: within 1% of the printed value, or less than one unit of the printed last
  digit above it when the paper truncated instead of rounding (so 48.65 printed as "48"
  is close, not a 1.3% mystery). The note gives the likely cause found in code:
  truncation, or a different classifier width whose figure rounds to the printed one
  *and* fits the table's other rows in that column; else "cause not identified".
- ``differs``: nothing above explains the gap; the note says what was tried, and any
  framework rule the paper does not state that would fit (as a hypothesis only).
- ``not computable``: the paper does not define the model; the note says what is missing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from mncost.analysis.reproduce.compute import Alternative, Evidence, backbone_reference, unit_scale
from mncost.sources.paper_cells import PublishedCell
from mncost.sources.paper_rows import undefined_reason

__all__ = [
    "CLOSE",
    "CLOSE_TOLERANCE",
    "CONVENTION",
    "DIFFERS",
    "ERRATUM",
    "MATCH",
    "NOT_COMPUTABLE",
    "STATUSES",
    "classify",
    "floor_at",
    "round_at",
    "show",
]

MATCH = "match"
CONVENTION = "convention"
CLOSE = "close"
ERRATUM = "erratum"
DIFFERS = "differs"
NOT_COMPUTABLE = "not computable"
STATUSES: tuple[str, ...] = (MATCH, CONVENTION, CLOSE, ERRATUM, DIFFERS, NOT_COMPUTABLE)
"""Every status, in the order summaries list them."""

CLOSE_TOLERANCE = Fraction(1, 100)
"""``close`` means within 1% of the printed value (or a truncation, see above)."""


def round_at(value: Fraction, places: int) -> Fraction:
    """``value`` rounded half up to ``places`` decimals, exactly."""
    scale = 10**places
    return Fraction(math.floor(value * scale + Fraction(1, 2)), scale)


def floor_at(value: Fraction, places: int) -> Fraction:
    """``value`` truncated to ``places`` decimals (the figures here are positive)."""
    scale = 10**places
    return Fraction(math.floor(value * scale), scale)


def show(value: Fraction, places: int) -> str:
    """A figure with ``places`` decimals (rounded half up) and thousands separators."""
    rounded = round_at(value, places)
    return f"{Decimal(rounded.numerator) / Decimal(rounded.denominator):,.{places}f}"


def _published(cell: PublishedCell) -> Fraction:
    return Fraction(cell.value)


def _in_unit(cell: PublishedCell, value: Fraction, extra: int = 2) -> str:
    """``value`` in the cell's unit, two more decimals than printed: "290.68 M mult-adds"."""
    text = show(value, cell.places + extra)
    if cell.unit.startswith("%"):
        return f"{text}%"
    for word, letter in (("million ", "M"), ("billion ", "B")):
        if cell.unit.startswith(word):
            return f"{text} {letter} {cell.unit.removeprefix(word)}"
    return f"{text} {cell.unit}"


def _matches(cell: PublishedCell, value: Fraction) -> bool:
    return round_at(value, cell.places) == _published(cell)


def _truncates(cell: PublishedCell, value: Fraction) -> bool:
    return floor_at(value, cell.places) == _published(cell)


def _significant_digits(cell: PublishedCell) -> int | None:
    """For a whole number printed with trailing zeros ("15300"), its significant digits
    (3): such a figure may be rounded to them rather than to units. None otherwise."""
    text = cell.text
    if not text.isdigit() or not text.endswith("0"):
        return None
    return len(text.rstrip("0")) or None


def _rounds_to_significant(cell: PublishedCell, value: Fraction) -> int | None:
    """The significant digits at which ``value`` rounds (half up) to the printed figure."""
    digits = _significant_digits(cell)
    if digits is None:
        return None
    scale = 10 ** (len(cell.text) - digits)
    return digits if round_at(value / scale, 0) * scale == _published(cell) else None


def _how_it_fits(cell: PublishedCell, value: Fraction) -> str:
    """How ``value`` gives the printed figure: rounded, truncated, rounded to the printed
    figure's significant digits; "" if none of these."""
    if _matches(cell, value):
        return f"which rounds to {cell.text}"
    if _truncates(cell, value):
        return f"which truncates to {cell.text}"
    digits = _rounds_to_significant(cell, value)
    if digits is not None:
        return (
            f"which rounds to {cell.text} at its {digits} significant "
            f"digit{'s' if digits > 1 else ''}"
        )
    return ""


def _swapped_digits(printed: str, computed: str) -> bool:
    """True if ``printed`` is ``computed`` with exactly one pair of adjacent digits swapped."""
    a, b = printed.replace(".", ""), computed.replace(".", "")
    if len(a) != len(b) or printed.find(".") != computed.find("."):
        return False
    diffs = [i for i in range(len(a)) if a[i] != b[i]]
    return (
        len(diffs) == 2
        and diffs[1] == diffs[0] + 1
        and a[diffs[0]] == b[diffs[1]]
        and a[diffs[1]] == b[diffs[0]]
    )


def _column_sum_note(cell: PublishedCell, corrected: Fraction, table: Sequence[Evidence]) -> str:
    """For a share column: what the printed column sums to, and with the correction."""
    if not cell.unit.startswith("% of "):
        return ""
    column = [
        e.cell for e in table if e.cell.column == cell.column and e.cell.quantity == cell.quantity
    ]
    printed = sum((_published(c) for c in column), Fraction(0))
    fixed = printed - _published(cell) + corrected
    return (
        f"; the printed column sums to {show(printed, cell.places)}%, with "
        f"{show(corrected, cell.places)}% it sums to {show(fixed, cell.places)}% "
        "(100% up to rounding)"
    )


def _impossible_pair(cell: PublishedCell, table: Sequence[Evidence]) -> str:
    """A reason if the cell's row prints fewer mult-adds than parameters; "" otherwise."""
    row = {e.cell.quantity: e.cell for e in table if e.cell.row == cell.row}
    macs, params = row.get("mult_adds"), row.get("params")
    if macs is None or params is None or cell not in (macs, params):
        return ""
    macs_count = _published(macs) * unit_scale(macs.unit)
    params_count = _published(params) * unit_scale(params.unit)
    if macs_count >= params_count:
        return ""
    why = (
        f"{macs.text} mult-adds is fewer than the {params.text} parameters printed beside "
        "it, which no conv or FC network can have: every weight takes part in at least "
        "one multiply-add per image"
    )
    if cell is params:
        return f"the mult-adds beside it are impossible ({why})"
    if macs.text.endswith("M"):
        # The likeliest slip is M for B; check it against a 1.0 MobileNet-224 backbone
        # plus one multiply-add per remaining weight (the classifier).
        body = backbone_reference(Fraction(1), 224).total
        head = params_count - body.params
        estimate = Fraction(body.mult_adds) + head
        why += (
            f"; read as {macs.text[:-1]}B ({show(_published(macs) * 1000, 0)} M) it fits "
            f"a 1.0 MobileNet-224: backbone {show(Fraction(body.mult_adds, 10**6), 2)} M "
            f"plus a classifier of {show(params_count / 10**6, 0)} M - "
            f"{show(Fraction(body.params, 10**6), 2)} M = {show(head / 10**6, 2)} M weights "
            f"(one mult-add each) = {show(estimate / 10**6, 2)} M"
        )
    return why


_LABEL = re.compile(r"^(?P<alpha>\d+(?:\.\d+)?) MobileNet-(?P<res>\d+)(?: \(.*\))?$")


def _undefined_note(cell: PublishedCell) -> str:
    """Why a cell cannot be computed, with a reference figure where one helps."""
    note = undefined_reason(cell.table, cell.row) or "the paper does not define this model"
    label = _LABEL.match(cell.row)
    if label is not None and cell.quantity in ("mult_adds", "params"):
        body = backbone_reference(Fraction(label["alpha"]), int(label["res"])).total
        exact = body.mult_adds if cell.quantity == "mult_adds" else body.params
        reference = Fraction(exact, unit_scale(cell.unit))
        note += (
            f"; for reference, the {label['alpha']} MobileNet-{label['res']} backbone "
            f"alone has {_in_unit(cell, reference)}"
        )
        if round_at(reference, cell.places) > _published(cell):
            note += f", more than the whole model's printed {cell.text}"
    elif cell.row == "PlaNet MobileNet" and cell.quantity == "params":
        body = backbone_reference(Fraction(1), 224).total
        head = _published(cell) * unit_scale(cell.unit) - body.params
        note += (
            f"; {show(_published(cell), 0)} M less the 1.0 backbone's "
            f"{show(Fraction(body.params, 10**6), 2)} M leaves {show(head / 10**6, 2)} M "
            f"for the classifier: about {show(head / 1025, 0)} classes "
            "(1024 weights and a bias each)"
        )
    return note


def _fits_column(label: str, evidence: Evidence, table: Sequence[Evidence]) -> bool:
    """True if the alternative ``label`` also matches every other computable cell in the
    same column (and there is at least one): a reading must fit the table, not one cell."""
    others = [
        e
        for e in table
        if e.cell.column == evidence.cell.column and e is not evidence and e.computed is not None
    ]
    if not others:
        return False
    for other in others:
        alt = next((a for a in other.alternatives if a.label == label), None)
        if alt is None or not _matches(other.cell, alt.value):
            return False
    return True


def _close_note(evidence: Evidence, table: Sequence[Evidence]) -> str:
    cell, computed = evidence.cell, evidence.computed
    assert computed is not None
    causes, doubts = [], []
    if _truncates(cell, computed.value):
        causes.append(
            f"the paper truncated {_in_unit(cell, computed.value)} to {cell.text} instead of "
            f"rounding it (to {show(computed.value, cell.places)})"
        )
    # Rounding to the printed figure's significant digits is a cause only where a plain
    # truncation does not already account for the figure.
    digits = None if causes else _rounds_to_significant(cell, computed.value)
    if digits is not None:
        causes.append(
            f"{_in_unit(cell, computed.value)} rounded to {digits} significant "
            f"digit{'s' if digits > 1 else ''} is the printed {cell.text}"
        )
    for alt in evidence.alternatives:
        if alt.kind != "model" or not _matches(cell, alt.value):
            continue
        reading = f"with {alt.label} it is {_in_unit(cell, alt.value)}, which rounds to {cell.text}"
        if _fits_column(alt.label, evidence, table):
            causes.append(
                f"{reading}, as do the column's other rows: the printed figure is that model's"
            )
        elif not causes:
            doubts.append(f"{reading}, but the column's other rows do not fit that reading")
    note = "; ".join(causes) if causes else "cause not identified"
    if doubts:
        note += " (" + "; ".join(doubts) + ")"
    return note + (f"; read as {computed.remark}" if computed.remark else "")


_FLOPS = "FLOPs (2 x MACs)"


def _tried(alternatives: Sequence[Alternative]) -> str:
    """The alternatives tried, in brief: each reading once, the FLOPs of each said once."""
    labels = [
        a.label
        for a in alternatives
        if a.kind != "hypothesis" and not a.label.endswith(f", as {_FLOPS}")
    ]
    if any(a.label.endswith(f", as {_FLOPS}") for a in alternatives):
        labels.append("each of those readings as FLOPs")
    return ", ".join(labels)


def _alt_in_unit(cell: PublishedCell, alt: Alternative) -> str:
    """An alternative's value in the cell's unit; a FLOPs reading is said in FLOPs."""
    text = _in_unit(cell, alt.value)
    return text.replace("mult-adds", "FLOPs") if _FLOPS in alt.label else text


def _differs_note(evidence: Evidence) -> str:
    cell, computed = evidence.cell, evidence.computed
    assert computed is not None
    gap = (computed.value - _published(cell)) / _published(cell) * 100
    note = (
        f"{_in_unit(cell, computed.value)} is {show(abs(gap), 1)}% "
        f"{'above' if gap > 0 else 'below'} the printed {cell.text}"
        + (f" (read as {computed.remark})" if computed.remark else "")
        + "; no stated convention or classifier width explains it (tried: "
        + _tried(evidence.alternatives)
        + ")"
    )
    readings = []
    for alt in evidence.alternatives:
        if alt.kind == "hypothesis" or alt.value == computed.value:
            continue
        how = _how_it_fits(cell, alt.value)
        if how:
            readings.append(f"with {alt.label} it is {_alt_in_unit(cell, alt)}, {how}")
    if readings:
        note += ". The printed figure fits another reading: " + "; ".join(readings)
    for alt in evidence.alternatives:
        if alt.kind != "hypothesis" or alt.value == computed.value:
            continue
        how = _how_it_fits(cell, alt.value)
        if how:
            note += (
                f". A hypothesis the paper does not state: with {alt.label} it is "
                f"{_alt_in_unit(cell, alt)}, {how}"
            )
    return note


def classify(evidence: Evidence, table: Sequence[Evidence]) -> tuple[str, str]:
    """The status of one cell and a note saying why (see the module docstring).

    ``table`` is the evidence for every cost cell of the same table (the rules look
    across a row for impossible pairs and down a column for sums and consistency).
    """
    cell, computed = evidence.cell, evidence.computed
    impossible = _impossible_pair(cell, table)
    if computed is None:
        if impossible and cell.quantity == "mult_adds":
            return ERRATUM, impossible
        return NOT_COMPUTABLE, _undefined_note(cell)
    value, published = computed.value, _published(cell)
    remark = f"; read as {computed.remark}" if computed.remark else ""
    if _matches(cell, value):
        return MATCH, f"{_in_unit(cell, value)} rounds to {cell.text}{remark}"
    for alt in evidence.alternatives:
        if alt.kind == "convention" and _matches(cell, alt.value):
            return CONVENTION, (
                f"with {alt.label} it is {_in_unit(cell, alt.value)}, as printed; mncost's "
                f"default count gives {_in_unit(cell, value)}{remark}"
            )
    rounded = show(value, cell.places)
    if _swapped_digits(str(cell.value), rounded):
        return ERRATUM, (
            f"digits swapped: printed {cell.text}, computed {_in_unit(cell, value)} "
            f"({rounded})" + _column_sum_note(cell, round_at(value, cell.places), table)
        )
    if impossible:
        return ERRATUM, impossible
    if (
        published
        and abs(value - published) <= CLOSE_TOLERANCE * published
        or _truncates(cell, value)
    ):
        return CLOSE, _close_note(evidence, table)
    return DIFFERS, _differs_note(evidence)
