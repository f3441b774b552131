"""The activation-memory report of one configuration (what ``mncost memory`` prints).

Bytes stay exact integers in CSV and JSON; human formats show them in KiB (1,024
bytes) and MiB (1,048,576 bytes), the units MCUNet calls "kB" and "MB", and say so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mncost.cost.memory import MemoryResult, OpMemory, Peak, TensorInfo
from mncost.cost.scaling import input_text, multiplier_text
from mncost.present.model import Column, Report, Table
from mncost.present.numbers import fixed, shape
from mncost.present.views.schedules import search_notes, search_table

if TYPE_CHECKING:
    from mncost.analysis.schedules import ScheduleSearch

__all__ = ["memory_report"]

KIB = 1024
MIB = 1024 * 1024


def _kib(value: Any) -> str:
    # One unit for a whole column, so rows compare at a glance.
    return "" if value is None else fixed(value, KIB, 1)


def _mib(value: Any) -> str:
    return "" if value is None else fixed(value, MIB, 2)


def _sized(value: int) -> str:
    """Bytes in words: "1,404,928 bytes (1,372.0 KiB)", MiB added from 1 MiB up."""
    text = f"{value:,} bytes ({fixed(value, KIB, 1)} KiB"
    return text + (f", {fixed(value, MIB, 2)} MiB)" if value >= MIB else ")")


def _tensor(t: TensorInfo) -> str:
    return f"{t.name} {shape(t.shape)} ({fixed(t.bytes, KIB, 1)} KiB)"


def _note_cell(op: OpMemory, is_peak: bool, split: str | None = None) -> str:
    if not (is_peak or op.in_place or op.accumulates or op.aux or op.name == split):
        return ""  # most ops: a deep spec's table asks 100,000 times
    parts = (
        (["PEAK"] if is_peak else [])
        + (["in place"] if op.in_place else [])
        + (["accumulates"] if op.accumulates else [])
        + (["split: whole buffer"] if op.name == split else [])
        + (["aux, not run"] if op.aux else [])
    )
    return ", ".join(parts)


def _region(op: OpMemory) -> str:
    return "" if op.patch is None else f"{op.patch[0]}x{op.patch[1]}"


def _also_held(result: MemoryResult, op: OpMemory) -> str:
    # What the op neither reads nor writes but must keep: skip inputs, pending branches.
    own = (*op.reads, op.writes)  # a few tensors: a tuple, not a set, for each op
    held = [t for t in op.live if t not in own]
    return ", ".join(result.tensors[t].name for t in held) if held else ""


def _config(result: MemoryResult) -> str:
    classes = f"{result.classes} classes" if result.classes else "no classifier"
    text = (
        f"{result.model}  alpha={multiplier_text(result.alpha)}  "
        f"{input_text(result.resolution)}  {classes}  {result.dtype}"
    )
    stage = result.stage
    if stage is not None:
        text += f"  patch-based {stage.grid[0]}x{stage.grid[1]} up to {stage.split}"
    return text


def _where(peak: Peak) -> str:
    """A peak's op, and under the patch schedule its part and patch."""
    where = peak.layer or "input"
    if peak.part == "patch stage" and peak.patch:
        return f"{where} (stage, patch {peak.patch[0]},{peak.patch[1]})"
    return f"{where} ({peak.part})" if peak.part else where


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def _schedule_table(result: MemoryResult) -> Table | None:
    """The patch schedule's figures: each part's peak, the layer-by-layer peak it
    replaces, the recomputation's MACs; then how each assumption moves the peak."""
    stage, before = result.stage, result.layer_peak
    if stage is None or before is None:
        return None
    peak = result.peak
    cut = f"{before.bytes / peak.bytes:.2f}x lower" if peak.bytes else ""
    rows: list[list[Any]] = [
        ["Peak, patch-based", peak.bytes, _where(peak), cut],
        *([f"Peak of the {p.part}", p.bytes, _where(p), ""] for p in result.parts),
        [
            "Peak, layer by layer",
            before.bytes,
            before.layer or "input",
            "",
        ],
    ]
    for change, p in result.variants:
        delta = p.bytes - peak.bytes
        moved = "same" if delta == 0 else f"{delta:+,}"
        rows.append([f"Peak {change}", p.bytes, _where(p), moved])
    return Table(
        title=f"Patch-based schedule ({stage.grid[0]}x{stage.grid[1]} patches, "
        f"the first {stage.split_op + 1} ops, up to {stage.split})",
        columns=[
            Column("What", csv_header="what"),
            Column("Bytes", "right", csv_header="bytes"),
            Column("KiB", "right", show=_kib, csv_header="kib"),
            Column("Where", csv_header="where"),
            Column("Change", csv_header="change"),
        ],
        rows=[[what, b, b, where, change] for what, b, where, change in rows],
    )


def _macs_table(result: MemoryResult) -> Table | None:
    stage = result.stage
    if stage is None:
        return None
    extra = stage.extra_macs
    return Table(
        title="Recomputation (MACs = multiply-accumulates)",
        columns=[
            Column("What", csv_header="what"),
            Column("MACs", "right", csv_header="macs"),
            Column("Share", "right", csv_header="share"),
        ],
        rows=[
            [
                "Patch stage, layer by layer",
                stage.stage_macs,
                _share(stage.stage_macs, stage.network_macs) + " of the network",
            ],
            ["Patch stage, patch by patch", stage.patched_macs, ""],
            [
                "Extra (halos recomputed)",
                extra,
                f"{_share(extra, stage.stage_macs)} of the stage, "
                f"{_share(extra, stage.network_macs)} of the network",
            ],
            [
                "Network, patch-based",
                stage.network_macs + extra,
                f"+{_share(extra, stage.network_macs)}",
            ],
        ],
    )


def _mode(dw_inplace: bool) -> str:
    return "depthwise convs in place" if dw_inplace else "depthwise convs not in place"


def _peak_sentence(result: MemoryResult, peak: Peak) -> str:
    """Where a peak occurs and which tensors make it up."""
    held = result.held_at(peak)
    if peak.layer is None:
        return f"{_sized(peak.bytes)}: no op runs, the network's input alone"
    op = result.layer(peak.layer)
    text = f"{_sized(peak.bytes)} at {_where(peak)}, holding " + " + ".join(
        _tensor(t) for t in held
    )
    if peak.dw_inplace and op.in_place_capable:
        text += "; it runs in place, so only the larger of its input and output counts"
    elif not peak.dw_inplace and op.in_place_capable:
        text += (
            "; it is a depthwise conv holding both its input and its output "
            "(run in place, only the larger would count)"
        )
    return text


def _notes(result: MemoryResult) -> list[str]:
    peak, other = result.peak, result.other
    size = result.bytes_per_value
    switch = f"{'With' if other.dw_inplace else 'Without'} --dw-inplace ({_mode(other.dw_inplace)})"
    if (other.bytes, other.layer) == (peak.bytes, peak.layer):
        second = f"{switch} the peak is the same, at the same op."
    else:
        second = f"{switch} the peak is {_peak_sentence(result, other)}."
    notes = [
        f"Peak ({_mode(peak.dw_inplace)}): {_peak_sentence(result, peak)}.",
        second,
        "Live = the bytes held while the op runs, one op at a time: its inputs, its output "
        "and every earlier tensor a later op still reads (a residual's skip input, a "
        "branch's pending outputs: 'Also held'). The network's input counts. Batch norm "
        "and activations are fused into the op before them and run in place: they add "
        "nothing. An auxiliary (training-only) head does not run at inference.",
    ]
    notes += _patch_notes(result)
    capable = [op for op in result.layers if op.in_place_capable]
    if result.dw_inplace:
        notes.append(
            f"--dw-inplace: a depthwise conv runs in place, as MCU runtimes run them (e.g. "
            f"MCUNet's TinyEngine): its output overwrites its input, so only the larger "
            f"of the two counts ({len(capable)} such convs here). A depthwise conv whose "
            f"input a later op still reads (a residual's skip) keeps both."
        )
    else:
        notes.append(
            "Every op, depthwise convs included, holds its input and its output "
            "at once; --dw-inplace runs depthwise convs in place, as MCU runtimes "
            f"do ({len(capable)} here could)."
        )
    if result.dtype == "int8":
        weights = (
            "Weights: int8, 1 byte per value; batch norm is folded into the conv "
            "before it (its values are not stored; each such conv gains a bias of "
            "one value per output channel)."
        )
    else:
        bn = {
            "none": "not stored (as when folded into the conv)",
            "affine": "gamma and beta stored (--bn affine)",
            "all": "gamma, beta, mean and variance stored (--bn all)",
        }[result.conventions.bn]
        weights = (
            f"Weights: {result.dtype}, {size} bytes per value; conv and FC weights "
            f"and biases; batch norm values {bn}."
        )
    notes += [
        f"Activations: {result.dtype}, {size} byte{'s' if size > 1 else ''} per value "
        f"(height x width x channels x {size}). " + weights,
        "Units: KiB = 1,024 bytes, MiB = 1,048,576 bytes (what MCUNet calls kB and MB); "
        "CSV and JSON give exact bytes.",
    ]
    return notes


def _patch_notes(result: MemoryResult) -> list[str]:
    stage, before = result.stage, result.layer_peak
    if stage is None or before is None:
        return []
    split = result.tensors[stage.split_tensor]
    rows, cols = stage.grid
    image = result.tensors[0]
    notes = [
        f"Patch-based (MCUNetV2, Lin et al. 2021, arXiv:2110.15352): the first "
        f"{stage.split_op + 1} ops, up to {stage.split}, run patch by patch. Its output "
        f"{shape(split.shape)} is cut into {rows}x{cols} patches; each patch's region is "
        "traced back through every op (kernel, stride, padding and dilation, clipped at "
        "the borders; a tensor two ops read needs the bounding box of both regions), and "
        "the patch runs layer by layer over those regions, recomputing the halos it shares "
        f"with its neighbours. {stage.split}'s output is one whole buffer "
        f"({fixed(split.bytes, KIB, 1)} KiB) that the patches fill; the rest of the "
        "network then runs layer by layer. In the patch stage, Live is an op's most over "
        "the patches and Patch its largest output region (rows x columns). Change: bytes "
        "more than the patch-based peak.",
        f"The peak is {_sized(result.peak.bytes)}, {before.bytes / result.peak.bytes:.2f}x "
        f"below the {_sized(before.bytes)} of the same choices layer by layer "
        f"(at {before.layer or 'the input'}).",
        "How each assumption moves the peak (the last rows of 'Patch-based schedule'): "
        f"--stream-input reads each patch's region of the image as it is needed; held "
        f"whole, the image ({fixed(image.bytes, KIB, 1)} KiB) is live through the whole "
        "patch stage, which rises by about that much. --add-inplace lets a residual's body "
        "write its last output into the skip's buffer, so the skip and the sum share one "
        "buffer; held apart, both are live at the add, and the peak of a part with "
        "residuals rises. --dw-inplace: a depthwise conv's output overwrites its input.",
    ]
    return notes


def memory_report(result: MemoryResult, search: ScheduleSearch | None = None) -> Report:
    """Per-op input, output and live bytes with the peak marked, a summary (the peak and
    where, the weights, the peak under the other --dw-inplace setting) and notes; under
    the patch schedule its parts, the recomputation and how each assumption moves the
    peak; after a search (``search``), first the schedules tried."""
    peak_name = result.peak.layer
    split = None if result.stage is None else result.stage.split
    columns = [
        Column("Layer", csv_header="name"),
        Column("Kind", csv_header="kind", hide_rank=2),
        Column("Output", csv_header="output", hide_rank=3),
        Column("Input KiB", "right", show=_kib, csv_header="input_bytes", short_header="In KiB"),
        Column("Output KiB", "right", show=_kib, csv_header="output_bytes", short_header="Out KiB"),
        Column("Live KiB", "right", show=_kib, csv_header="live_bytes", short_header="Live KiB"),
        Column("Also held", csv_header="also_held", short_header="Held", hide_rank=1),
        *(
            [Column("Patch", csv_header="patch_region", hide_rank=4)]
            if result.stage is not None
            else []
        ),
        Column("Note", csv_header="note"),
        Column("Peak", csv_header="is_peak", data_only=True),
        Column("In place", csv_header="in_place", data_only=True),
        Column("Block", csv_header="block", data_only=True),
    ]
    rows = [
        [
            op.name,
            op.kind,
            shape(op.output),
            op.input_bytes,
            op.output_bytes,
            op.live_bytes,
            _also_held(result, op),
            *([_region(op)] if result.stage is not None else []),
            _note_cell(op, op.name == peak_name, split),
            op.name == peak_name,
            op.in_place,
            op.block,
        ]
        for op in result.layers
    ]
    layers = Table(
        title="Layers (bytes held while each op runs)",
        columns=columns,
        rows=rows,
        footer=[
            [
                "Peak",
                "",
                "",
                None,
                None,
                result.peak.bytes,
                "",
                *([""] if result.stage is not None else []),
                _where(result.peak),
                None,
                None,
                "",
            ]
        ],
    )
    other = result.other
    summary = Table(
        title="Memory",
        columns=[
            Column("What", csv_header="what"),
            Column("Bytes", "right", csv_header="bytes"),
            Column("KiB", "right", show=_kib, csv_header="kib"),
            Column("MiB", "right", show=_mib, csv_header="mib", hide_rank=1),
            Column("Where", csv_header="where"),
        ],
        rows=[
            [
                "Peak activation memory",
                result.peak.bytes,
                result.peak.bytes,
                result.peak.bytes,
                f"{_where(result.peak)} ({_mode(result.dw_inplace)})",
            ],
            [
                f"Weights ({result.dtype})",
                result.weight_bytes,
                result.weight_bytes,
                result.weight_bytes,
                "all layers",
            ],
            [
                f"Peak {'with' if other.dw_inplace else 'without'} --dw-inplace",
                other.bytes,
                other.bytes,
                other.bytes,
                f"{_where(other)} ({_mode(other.dw_inplace)})",
            ],
        ],
    )
    extra = [t for t in (_schedule_table(result), _macs_table(result)) if t is not None]
    if search is None:
        return Report(
            title=_config(result),
            tables=[layers, summary, *extra],
            notes=_notes(result),
            data=result.to_dict,
        )

    def data() -> dict[str, Any]:
        return {**result.to_dict(), "schedule_search": search.to_dict()}

    return Report(
        title=_config(result),
        tables=[search_table(search), layers, summary, *extra],
        notes=search_notes(search) + _notes(result),
        data=data,
        csv_table=1,
    )
