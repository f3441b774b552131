"""The patch-schedule search as a table (what ``mncost memory --split auto`` prints
before the chosen schedule's report).

Bytes stay exact integers in CSV and JSON; human formats show KiB (1,024 bytes).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from mncost.analysis.schedules import ScheduleSearch
from mncost.cost.memory import PatchTrial
from mncost.present.model import Column, Table
from mncost.present.numbers import fixed

__all__ = ["search_notes", "search_table"]

KIB = 1024


def _kib(value: Any) -> str:
    return "" if value is None else fixed(value, KIB, 1)


def _pct(value: Any) -> str:
    return "" if value is None else f"{float(value * 100):.1f}%"


def _cap(search: ScheduleSearch) -> str:
    cap = search.search.max_overhead
    return "" if cap is None else f"{float(cap * 100):g}%"


def shown_trials(search: ScheduleSearch) -> list[PatchTrial]:
    """The rows the table shows: the frontier (no schedule beats them on both the peak
    and the extra MACs) and the pick, by peak."""
    rows = list(search.frontier)
    if search.best not in rows:
        rows.append(search.best)
    return sorted(rows, key=lambda t: (t.peak.bytes, t.extra_macs))


def search_table(search: ScheduleSearch) -> Table:
    """The trade-off between the peak and the extra MACs of recomputation."""
    cap = _cap(search)

    def note(t: PatchTrial) -> str:
        words = ["CHOSEN"] if t is search.best else []
        if not search.eligible(t):
            words.append(f"over {cap}")
        return ", ".join(words)

    rows = [
        [
            t.block,
            f"{t.grid[0]}x{t.grid[1]}",
            t.peak.bytes,
            t.stage_peak.bytes,
            t.rest_peak.bytes,
            t.extra_macs,
            t.overhead,
            f"{search.layer_peak / t.peak.bytes:.2f}x" if t.peak.bytes else "",
            note(t),
        ]
        for t in shown_trials(search)
    ]
    tried = len(search.trials)
    return Table(
        title=f"Patch schedules: peak against extra MACs ({tried} tried, "
        f"{len(search.frontier)} on the frontier)",
        columns=[
            Column("Split", csv_header="split"),
            Column("Patches", csv_header="patches"),
            Column("Peak KiB", "right", show=_kib, csv_header="peak_bytes"),
            Column("Stage KiB", "right", show=_kib, csv_header="stage_peak_bytes", hide_rank=2),
            Column("Rest KiB", "right", show=_kib, csv_header="rest_peak_bytes", hide_rank=2),
            Column("Extra MACs", "right", csv_header="extra_macs", hide_rank=1),
            Column("Extra", "right", show=_pct, csv_header="extra_share_of_network"),
            Column("Cut", "right", csv_header="reduction", hide_rank=3),
            Column("Note", csv_header="note"),
        ],
        rows=rows,
    )


def search_notes(search: ScheduleSearch) -> list[str]:
    """What was searched, what was picked and why."""
    s, best = search.search, search.best
    splits = f"split {s.split}" if s.split else "every block's end as the split"
    grids = f"the {s.patches[0]}x{s.patches[1]} grid" if s.patches else "square grids 2x2 to 8x8"
    cap = _cap(search)
    notes = [
        f"Searched: {splits}, {grids} ({len(search.trials)} schedules), input "
        f"{'streamed' if s.stream_input else 'held whole'}. Picked: the lowest peak"
        + (f" among schedules whose extra MACs are within {cap} of the network's" if cap else "")
        + ", then the fewest extra MACs: "
        f"--split {best.block} --patches {best.grid[0]}x{best.grid[1]} "
        f"({_kib(best.peak.bytes)} KiB, {_pct(best.overhead)} extra MACs). The table lists "
        "the frontier (no other schedule has both a lower peak and fewer extra MACs) and "
        "the pick; JSON lists every schedule tried. Extra: recomputed MACs as a share of "
        "the network's; Cut: the layer-by-layer peak over this one.",
    ]
    if cap == "" and best.overhead > Fraction(1, 5):
        notes.append(
            f"The pick recomputes {_pct(best.overhead)} more MACs than the network runs "
            "layer by layer; --max-overhead PCT takes the lowest peak within a cap on "
            "them (the table shows what each cap gives up)."
        )
    if search.tried.skipped:
        notes.append(
            "Not split points: "
            + "; ".join(f"{name} ({why})" for name, why in search.tried.skipped[:4])
            + (
                f"; and {len(search.tried.skipped) - 4} more"
                if len(search.tried.skipped) > 4
                else ""
            )
            + "."
        )
    return notes
