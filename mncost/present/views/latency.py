"""The latency reports: an estimate per op and in total (``mncost latency``), and a
device profile's fit with its errors (``--fit-report``, ``mncost calibrate``).

Every figure here comes from :mod:`mncost.analysis.latency`; these views only lay it
out. Each report says, in its title and its notes, that its times are estimates from a
fitted model, what the model was fitted on and how large its leave-one-out error is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mncost.analysis.latency import (
    BASELINE,
    CrossCheck,
    HeldOut,
    LatencyEstimate,
    LatencyProfile,
)
from mncost.analysis.latency.features import Term
from mncost.cost.scaling import input_text, multiplier_text
from mncost.present.model import Column, Report, Table
from mncost.present.numbers import millions

__all__ = ["calibration_report", "fit_report", "latency_report", "profile_summary"]


def _ms(value: Any) -> str:
    return "" if value is None else f"{value:,.3f}"


def _pct(value: Any) -> str:
    return "" if value is None else f"{value:.1f}%"


def _signed_pct(value: Any) -> str:
    return "" if value is None else f"{value:+.1f}%"


def _coefficient(profile: LatencyProfile, term: Term) -> str:
    return f"{profile.coefficient(term.name) * term.scale:.4g} {term.label}"


def _rate(value: float, term: Term) -> str:
    # A coefficient read the other way round: units the device gets through per second.
    if not term.rate or value <= 0:
        return ""
    per_second = 1000 / value
    if term.rate == "MACs":
        return f"{per_second / 1e9:.3g} G MACs/s"
    return f"{per_second / 1e9:.3g} GB/s"


def profile_summary(profile: LatencyProfile) -> str:
    """One paragraph: what the profile is, what it was fitted on, and its error."""
    document = f", from {profile.source_document}" if profile.source_document else ""
    return (
        f"{profile.name} is {profile.method}, with bytes in {profile.dtype}. Fitted on "
        f"{profile.fitted_on()}; measurements: {profile.source}{document}. "
        f"Leave-one-out error: mean {profile.loo_mape_percent:.2f}%, max "
        f"{profile.loo_max_percent:.2f}% (mult-adds alone: mean "
        f"{profile.baseline_loo_mape_percent:.2f}%, max "
        f"{profile.baseline_loo_max_percent:.2f}%)."
    )


def _terms_line(profile: LatencyProfile) -> str:
    return (
        "Terms: "
        + "; ".join(f"{_coefficient(profile, t)} ({t.meaning})" for t in profile.model.terms)
        + "."
    )


def latency_report(estimate: LatencyEstimate) -> Report:
    """Per-op estimated ms with its share, the total, the profile's provenance and error,
    and every caution that applies."""
    e, profile = estimate, estimate.profile
    total = e.total_ms
    _, activations, weights, _ = names = e.feature_names
    index = {name: i for i, name in enumerate(names)}
    conv = profile.traffic == "conv"
    columns = [
        Column("Layer", csv_header="name"),
        Column("Type", csv_header="type", hide_rank=2),
        Column(
            "Mult-Adds (MACs)", "right", short_header="MACs", csv_header="mult_adds", hide_rank=3
        ),
        Column(
            "Conv/FC act. bytes" if conv else "Act. bytes",
            "right",
            short_header="Act. bytes",
            csv_header=activations,
            hide_rank=1,
        ),
        Column(
            "Conv weight bytes" if conv else "Weight bytes",
            "right",
            csv_header=weights,
            data_only=True,
        ),
        Column(
            "MACs/byte",
            "right",
            show=lambda v: "" if v is None else f"{v:,.1f}",
            csv_header="intensity_macs_per_byte",
            hide_rank=5,
            data_only=profile.estimator != "roofline",
        ),
        Column(
            "Bound",
            csv_header="bound",
            hide_rank=6,
            data_only=profile.estimator != "roofline",
        ),
        Column("Est. ms", "right", show=_ms, csv_header="ms"),
        Column(
            "% of total", "right", show=_pct, short_header="%", csv_header="percent", hide_rank=4
        ),
    ]
    rows = [
        [
            op.name,
            op.type,
            op.features[index["mult_adds"]],
            op.features[index[activations]],
            op.features[index[weights]],
            op.intensity,
            op.bound,
            op.ms,
            op.ms / total * 100 if total else None,
        ]
        for op in e.layers
    ]
    table = Table(
        title="Estimated time per op (not measured)",
        columns=columns,
        rows=rows,
        footer=[
            [
                "Total (estimate)",
                "",
                e.mult_adds,
                sum(op.features[index[activations]] for op in e.layers),
                sum(op.features[index[weights]] for op in e.layers),
                None,
                "",
                total,
                100.0 if total else None,
            ]
        ],
        caption=(
            f"Estimated total: {total:.2f} ms on {profile.name} "
            f"({millions(e.mult_adds)} MACs). Leave-one-out error of this profile: "
            f"mean {profile.loo_mape_percent:.1f}%, max {profile.loo_max_percent:.1f}%."
        ),
    )
    notes = ["The per-op times are an estimate from a fitted model, not a measurement."]
    notes += [f"Caution: {text}." for text in e.cautions]
    notes += [profile_summary(profile), _terms_line(profile)]
    if e.measured is not None:
        measured = e.measured.measurement.latency_ms
        notes.append(
            f"This configuration is one of the profile's measured points "
            f"({e.measured.measurement.label}): measured {measured:.3f} ms, "
            f"estimated {total:.3f} ms ({(total - measured) / measured * 100:+.1f}%); "
            f"a fit without it estimates {e.measured.loo_ms:.3f} ms "
            f"({e.measured.loo_error_percent:+.1f}%)."
        )
    m = e.measurement
    if m is not None and e.measured is None:
        notes.append(
            f"Measured: this configuration was timed on the device ({m.label}; {m.source}): "
            f"{m.latency_ms:.2f} ms in {m.dtype}, against the estimate's {total:.2f} ms "
            f"({(total - m.latency_ms) / m.latency_ms * 100:+.1f}%). The measurement is "
            "what sweep, choose and compare test budgets on."
        )
    device = profile.name if profile.builtin else (profile.origin or "FILE.json")
    notes.append(f"`mncost latency --device {device} --fit-report` shows the fit point by point.")
    shown = (
        f"measured {m.latency_ms:.2f} ms, estimated {total:.2f} ms"
        if m is not None
        else "an estimate"
    )
    title = (
        f"Latency: {e.model}  alpha={multiplier_text(e.alpha)}  "
        f"{input_text(e.resolution)}  on {profile.name}  ({shown})"
    )
    return Report(title=title, tables=[table], notes=notes, data=e.to_dict)


def _terms_table(profile: LatencyProfile) -> Table:
    rows = []
    for term in profile.model.terms:
        value = profile.coefficient(term.name)
        rows.append(
            [term.name, value * term.scale, term.label, _rate(value, term), term.meaning, value]
        )
    return Table(
        title="Terms (fitted coefficients, all >= 0)",
        columns=[
            Column("Feature", csv_header="feature"),
            Column("Coefficient", "right", show=lambda v: f"{v:.4g}", csv_header="coefficient"),
            Column("Unit", csv_header="unit"),
            Column("As a rate", "right", csv_header="rate", hide_rank=2),
            Column("What it weighs", csv_header="meaning", hide_rank=1),
            Column("ms per unit", csv_header="ms_per_unit", data_only=True),
        ],
        rows=rows,
    )


def _error_table(profile: LatencyProfile) -> Table:
    return Table(
        title="Leave-one-out error (each point predicted by a fit on all the others)",
        columns=[
            Column("Model", csv_header="model"),
            Column("Terms", csv_header="terms", hide_rank=1),
            Column(
                "Mean abs. error",
                "right",
                show=_pct,
                short_header="Mean",
                csv_header="loo_mape_percent",
            ),
            Column(
                "Max abs. error",
                "right",
                show=_pct,
                short_header="Max",
                csv_header="loo_max_percent",
            ),
        ],
        rows=[
            [
                f"{profile.name} ({profile.estimator}, {len(profile.features)} terms)",
                ", ".join(profile.features),
                profile.loo_mape_percent,
                profile.loo_max_percent,
            ],
            [
                "Baseline: latency proportional to MACs",
                ", ".join(BASELINE),
                profile.baseline_loo_mape_percent,
                profile.baseline_loo_max_percent,
            ],
        ],
    )


def _points_table(profile: LatencyProfile) -> Table:
    rows = [
        [
            p.measurement.label,
            p.measurement.model,
            multiplier_text(p.measurement.alpha),
            p.measurement.resolution,
            p.measurement.latency_ms,
            p.loo_ms,
            p.loo_error_percent,
            p.fitted_ms,
        ]
        for p in profile.points
    ]
    return Table(
        title=f"The {profile.n_points} measured points",
        columns=[
            Column("Point", csv_header="label", hide_rank=2),
            Column("Model", csv_header="model", hide_rank=1),
            Column("Alpha", "right", csv_header="alpha"),
            Column("Res", "right", csv_header="resolution"),
            Column(
                "Measured ms", "right", show=_ms, short_header="Measured", csv_header="measured_ms"
            ),
            Column(
                "LOO estimate ms", "right", show=_ms, short_header="LOO est.", csv_header="loo_ms"
            ),
            Column(
                "LOO error",
                "right",
                show=_signed_pct,
                short_header="Error",
                csv_header="loo_error_percent",
            ),
            Column("Fitted ms", "right", show=_ms, csv_header="fitted_ms", hide_rank=3),
        ],
        rows=rows,
    )


def _check_table(checks: Sequence[CrossCheck]) -> tuple[Table, list[str]]:
    notes: dict[str, int] = {}
    rows = []
    for c in checks:
        mark = ""
        if c.note:
            mark = f"[{notes.setdefault(c.note, len(notes) + 1)}]"
        rows.append(
            [
                c.label,
                c.model,
                multiplier_text(c.alpha),
                c.resolution,
                str(c.published_mult_adds_m) if c.published_mult_adds_m is not None else "",
                f"{c.mult_adds / 1e6:.1f}",
                c.measured_ms,
                c.predicted_ms,
                c.error_percent,
                mark,
                c.note,
            ]
        )
    table = Table(
        title="Across families: MobileNet V3 float checkpoints the fit never saw (Pixel 1)",
        columns=[
            Column("Checkpoint", csv_header="label"),
            Column("Model", csv_header="model", hide_rank=1),
            Column("Alpha", "right", csv_header="alpha", hide_rank=3),
            Column("Res", "right", csv_header="resolution", data_only=True),
            Column(
                "Published M MACs",
                "right",
                short_header="Pub. M",
                csv_header="published_million_mult_adds",
                hide_rank=2,
            ),
            Column(
                "mncost M MACs",
                "right",
                short_header="mncost M",
                csv_header="million_mult_adds",
                hide_rank=2,
            ),
            Column(
                "Measured ms", "right", show=_ms, short_header="Measured", csv_header="measured_ms"
            ),
            Column(
                "Estimate ms", "right", show=_ms, short_header="Est.", csv_header="predicted_ms"
            ),
            Column("Error", "right", show=_signed_pct, csv_header="error_percent"),
            Column("Layout", csv_header="note_ref", hide_rank=4),
            Column("Layout note", csv_header="note", data_only=True),
        ],
        rows=rows,
    )
    return table, [f"[{n}] {text}." for text, n in notes.items()]


def _fit_data(profile: LatencyProfile, checks: Sequence[CrossCheck]) -> dict[str, Any]:
    return {
        "estimate": True,
        "device": {
            **profile.provenance(),
            "description": profile.description,
            "fitted_on_text": profile.fitted_on(),
        },
        "points": [
            {
                "label": p.measurement.label,
                "model": p.measurement.model,
                "alpha": float(p.measurement.alpha),
                "resolution": p.measurement.resolution,
                "measured_ms": p.measurement.latency_ms,
                "loo_ms": p.loo_ms,
                "loo_error_percent": p.loo_error_percent,
                "fitted_ms": p.fitted_ms,
            }
            for p in profile.points
        ],
        "cross_family_check": [
            {
                "label": c.label,
                "model": c.model,
                "alpha": float(c.alpha),
                "resolution": c.resolution,
                "measured_ms": c.measured_ms,
                "predicted_ms": c.predicted_ms,
                "error_percent": c.error_percent,
                "published_million_mult_adds": float(c.published_mult_adds_m)
                if c.published_mult_adds_m is not None
                else None,
                "mult_adds": c.mult_adds,
                "note": c.note,
                "source": c.source,
            }
            for c in checks
        ],
    }


def fit_report(
    profile: LatencyProfile,
    checks: Sequence[CrossCheck] = (),
    rank: int | None = None,
    title: str | None = None,
) -> Report:
    """A profile's fit: its terms with units, its LOO error beside the MACs-only
    baseline's, every fitted point, and (pixel1-cpu) the check across families."""
    tables = [_terms_table(profile), _error_table(profile), _points_table(profile)]
    notes = [profile_summary(profile)]
    if profile.poor_fit_caution:
        notes.insert(0, f"Caution: {profile.poor_fit_caution}.")
    if profile.description:
        notes.append(f"Device: {profile.description}.")
    if rank is not None and rank < len(profile.features):
        notes.append(
            f"Caution: the measured configurations tell only {rank} of the "
            f"{len(profile.features)} features apart, so some terms are not determined by "
            "the data; time more varied alphas and resolutions."
        )
    if checks:
        table, layout_notes = _check_table(checks)
        tables.append(table)
        worst = max(abs(c.error_percent) for c in checks)
        notes.append(
            f"The check across families predicts checkpoints of another family (MobileNet "
            f"V3: squeeze-and-excite and h-swish, but for the minimalistic models) from a "
            f"fit on "
            f"{', '.join(profile.families)} only; its largest error is {worst:.1f}%. "
            "Each checkpoint is counted in the layout TF-slim built it with (below width "
            "1 the -slim models); where its published mult-adds still differ from the "
            "count, a note says so, and the two stand side by side "
            "(`mncost published --family mobilenet_v3` gives the details)."
        )
        notes += layout_notes
    notes.append(
        "Error = (estimate - measured) / measured. LOO estimate: the prediction "
        "of a fit on every other point; fitted: of the fit on all points (the "
        "profile)."
    )
    return Report(
        title=title or f"Device profile {profile.name}: its fit and its error",
        tables=tables,
        notes=notes,
        data=_fit_data(profile, checks),
        csv_table=2,
    )


def _held_out_table(held: Sequence[HeldOut], names: Sequence[str]) -> Table:
    rows = [
        [
            h.measurement.label,
            h.measurement.model,
            multiplier_text(h.measurement.alpha),
            h.measurement.resolution,
            h.measurement.latency_ms,
            h.predicted_ms,
            h.error_percent,
        ]
        for h in held
    ]
    return Table(
        title=f"Held out ({', '.join(names)}): {len(held)} measured configurations the fit "
        "never saw",
        columns=[
            Column("Point", csv_header="label"),
            Column("Model", csv_header="model"),
            Column("Alpha", "right", csv_header="alpha"),
            Column("Res", "right", csv_header="resolution"),
            Column("Measured ms", "right", show=_ms, csv_header="measured_ms"),
            Column("Estimate ms", "right", show=_ms, csv_header="estimate_ms"),
            Column("Error", "right", show=_signed_pct, csv_header="error_percent"),
        ],
        rows=rows,
    )


def calibration_report(
    profile: LatencyProfile,
    rank: int,
    written: str | None,
    held: Sequence[HeldOut] = (),
    holdout: Sequence[str] = (),
) -> Report:
    """What ``mncost calibrate`` prints: the new profile's fit (as :func:`fit_report`),
    its predictions for the configurations held out of it, and where it was written."""
    report = fit_report(
        profile, (), rank, title=f"Calibrated device profile {profile.name} (from measurements)"
    )
    if held:
        report.tables.append(_held_out_table(held, holdout))
        errors = [h.error_percent for h in held]
        report.notes.append(
            f"Held out: {', '.join(holdout)}, fitted without and predicted after: mean "
            f"absolute error {sum(abs(e) for e in errors) / len(errors):.1f}%, from "
            f"{min(errors):+.1f}% to {max(errors):+.1f}% (estimate - measured, over "
            "measured). This is the error to expect on a model of a kind the profile "
            "never saw."
        )
    if written is not None:
        report.notes.append(
            f"Written to {written}; use it with `mncost latency MODEL --device {written}`."
        )
    return report
