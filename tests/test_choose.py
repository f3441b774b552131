"""`mncost choose` and `mncost.choose`: picks that meet every budget, ranked by estimated
top-1, with the binding budget; what rules everything out when nothing is feasible.

The property test checks every pick against figures recounted one configuration at a
time (`mncost.cost`, `mncost.memory`, `mncost.latency`: another code path than the
grid choose searches), and the ranking against the whole grid as `mncost.sweep` gives
it. Fixed expectations come from published figures (TF-slim's checkpoint tables, the
paper) and hand arithmetic in comments.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mncost
from mncost.analysis.choose import choose_families, default_axes
from mncost.analysis.explore import ExploreError
from mncost.cli.commands.choose import FAMILIES_HELP
from tests.conftest import run_cli


def _recount(
    model: str, alpha: Fraction, res: int, dtype: str, dw_inplace: bool, device: str | None
) -> dict[str, float]:
    total = mncost.cost(model, alpha, res).total
    memory = mncost.memory(model, alpha, res, dtype=dtype, dw_inplace=dw_inplace)
    figures: dict[str, float] = {
        "mult_adds": total.mult_adds,
        "params": total.params,
        "weight_bytes": memory.weight_bytes,
        "peak_activation_bytes": memory.peak_activation_bytes,
    }
    if device is not None:
        # Measured on the device where the configuration was (pixel1-cpu: the published
        # Pixel-1 latencies, in the dtype asked for), else estimated.
        figures["latency_ms"] = mncost.latency(
            model, alpha, res, device=device, dtype=dtype
        ).best_ms
    return figures


_LIMITS = {
    "max_macs": "mult_adds",
    "max_params": "params",
    "max_weight_bytes": "weight_bytes",
    "max_peak_bytes": "peak_activation_bytes",
    "max_latency_ms": "latency_ms",
}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    family=st.sampled_from(["mobilenet-v1", "mobilenet-v2", "mobilenet-v3", "all"]),
    macs=st.none() | st.integers(10, 700).map(lambda m: m * 10**6),
    params=st.none() | st.integers(400, 7000).map(lambda k: k * 1000),
    weights=st.none() | st.integers(1, 30).map(lambda m: f"{m}MiB"),
    peak=st.none() | st.integers(60, 5000).map(lambda k: f"{k}KB"),
    latency=st.none() | st.floats(3, 150).map(lambda x: round(x, 2)),
    dtype=st.sampled_from(["float32", "int8"]),
    dw_inplace=st.booleans(),
    top=st.integers(1, 15),
    extrapolate=st.booleans(),
)
def test_picks_meet_every_budget_and_none_better_is_left_out(
    family, macs, params, weights, peak, latency, dtype, dw_inplace, top, extrapolate
):
    device = "pixel1-cpu" if latency is not None else None
    budgets = {
        "max_macs": macs,
        "max_params": params,
        "max_weight_bytes": weights,
        "max_peak_bytes": peak,
        "max_latency_ms": latency,
    }
    result = mncost.choose(
        family,
        **budgets,
        dtype=dtype,
        dw_inplace=dw_inplace,
        device=device,
        top=top,
        extrapolate=extrapolate,
    )
    limits = {_LIMITS[k]: v for k, v in budgets.items() if v is not None}
    exact = {
        m: Fraction(str(v).replace("MiB", "")) * 2**20
        if str(v).endswith("MiB")
        else Fraction(str(v).replace("KB", "")) * 1000
        if str(v).endswith("KB")
        else Fraction(str(v))
        for m, v in limits.items()
    }
    # 1. Every pick meets every budget, recounted one configuration at a time.
    for pick in result.candidates:
        figures = _recount(pick.model, pick.alpha, pick.resolution, dtype, dw_inplace, device)
        for metric, limit in exact.items():
            assert figures[metric] <= limit * (1 + 1e-12), (pick, metric)
        if limits:
            assert pick.binding == max(pick.fractions, key=pick.fractions.get)
            assert pick.fractions[pick.binding] <= 1 + 1e-12
    # 2. Ranked best first, and no feasible configuration of the searched grid with a
    #    top-1 value beats the last pick (or is left out when there are fewer than top).
    tops = [p.top1 for p in result.candidates]
    assert tops == sorted(tops, reverse=True)
    v3 = [
        "mobilenet-v3-large",
        "mobilenet-v3-small",
        "mobilenet-v3-large-slim",
        "mobilenet-v3-small-slim",
        "mobilenet-v3-large-minimalistic",
        "mobilenet-v3-small-minimalistic",
    ]
    models = {
        "mobilenet-v1": ["mobilenet-v1"],
        "mobilenet-v2": ["mobilenet-v2"],
        "mobilenet-v3": v3,
        "all": ["mobilenet-v1", "mobilenet-v2", *v3],
    }[family]
    feasible = []
    for model in models:
        alphas, resolutions = default_axes(model)
        frame = mncost.sweep(
            model,
            alphas,
            resolutions,
            dtype=dtype,
            dw_inplace=dw_inplace,
            metrics=["mult_adds", "params", "weight_bytes", "peak_activation_bytes"],
            device=device,
            accuracy=True,
            extrapolate=extrapolate,
        )
        mask = frame.top1.notna()
        for metric, limit in exact.items():
            mask &= frame[metric] <= float(limit)
        feasible += frame[mask].top1.tolist()
    assert result.n_ranked == len(feasible)
    if len(result.candidates) < top:
        assert len(result.candidates) == len(feasible)
    elif result.candidates:
        last = tops[-1]
        # Whatever beats the last pick was picked.
        assert sum(v > last for v in feasible) == sum(t > last for t in tops)
        assert sorted(feasible, reverse=True)[:top] == pytest.approx(tops)


def test_the_published_grid_is_searched_by_default():
    # TF-slim's v1 checkpoints span alpha 0.25 to 1.0 and 128 to 224 pixels; v2's 0.35 to
    # 1.4 and 96 to 224: steps of 0.05 and 16 give 16 x 7 and 22 x 9 configurations.
    a1, r1 = default_axes("mobilenet-v1")
    a2, r2 = default_axes("mobilenet-v2")
    assert (len(a1), len(r1), a1[0], a1[-1], r1) == (
        16,
        7,
        Fraction(1, 4),
        1,
        tuple(range(128, 225, 16)),
    )
    assert (len(a2), len(r2), a2[0], a2[-1], r2[0]) == (22, 9, Fraction(7, 20), Fraction(7, 5), 96)
    # The six V3 models were each released once, at 224: the four of torchvision's layout
    # at 1.0, and TF-slim's Large and Small at 0.75 (the -slim models): those alone are
    # searched.
    for v3 in ("mobilenet-v3-large", "mobilenet-v3-small-minimalistic"):
        assert default_axes(v3) == ((Fraction(1),), (224,))
    for v3 in ("mobilenet-v3-large-slim", "mobilenet-v3-small-slim"):
        assert default_axes(v3) == ((Fraction(3, 4),), (224,))
    result = mncost.choose("all")
    assert result.n_configs == 16 * 7 + 22 * 9 + 6


def test_without_budgets_the_best_is_the_best_published_point():
    # TF-slim: MobileNet_v2_1.4_224 is the most accurate release (75.0%); a surface
    # through 22 points may not exceed it inside their hull by much, but the top pick's
    # estimate is at least that published figure.
    best = mncost.choose("all", top=1).candidates[0]
    assert best.top1 >= 75.0
    assert best.binding is None


def test_a_macs_budget_in_the_v1_grid():
    # Under 150 M mult-adds, v1's released points that fit are 0.5/128..224 (49, 77,
    # 110, 150 M; 150 M is 149.5 M exactly), 0.75/128 (104 M) and 0.25/* (TF-slim
    # mobilenet_v1.md). The best of them is 0.5/224 at 63.3% (still under 150,000,000).
    result = mncost.choose("mobilenet-v1", max_macs="150M", top=50)
    measured = [
        (float(p.alpha), p.resolution, p.top1) for p in result.candidates if p.status == "measured"
    ]
    assert (0.5, 224, 63.3) in measured
    assert all(p.figures["mult_adds"] <= 150_000_000 for p in result.candidates)
    assert (0.75, 160, 65.3) not in measured  # 166 M: over


def test_decimal_and_binary_byte_units_differ():
    # 512KB = 512,000 bytes, 512KiB = 524,288 (mncost.units). v1 0.25/128 int8 peak: the
    # first pointwise conv holds 64x64x8 (dw_1 out) + 64x64x16 = 98,304 bytes by hand;
    # bigger configurations sit on both sides of the two limits.
    kb = mncost.choose("all", max_peak_bytes="512KB", dtype="int8", top=1000)
    kib = mncost.choose("all", max_peak_bytes="512KiB", dtype="int8", top=1000)
    assert kb.checks[0].budget.limit == 512_000 and kib.checks[0].budget.limit == 524_288
    assert kb.n_feasible <= kib.n_feasible
    assert all(p.figures["peak_activation_bytes"] <= 512_000 for p in kb.candidates)
    assert kb.checks[0].cheapest.value == 98_304


def test_nothing_feasible_names_the_budget_and_the_cheapest_config():
    result = run_cli("choose", "--max-macs", "5M", "--max-params", "3M")
    assert result.exit_code == 0
    out = " ".join(result.stdout.split())
    # The smallest configuration searched is v2 0.35/96: TF-slim lists it at 11 M MACs
    # (MobileNet_v2_0.35_96), over 5 M; every other is larger.
    assert "Nothing is feasible. MACs <= 5M rules out every configuration" in out
    assert "mobilenet-v2 0.35/96 at 11,934,128" in out
    assert 11_934_128 // 10**6 == 11  # TF-slim's tables truncate to whole millions
    data = json.loads(run_cli("choose", "--max-macs", "5M", "-f", "json").stdout)
    assert data["ruled_out_by"] == ["mult_adds"] and data["candidates"] == []
    assert data["budgets"][0]["cheapest"] == {
        "model": "mobilenet-v2",
        "alpha": 0.35,
        "resolution": 96,
        "value": 11_934_128,
    }


def test_budgets_met_apart_but_not_together():
    # Each budget alone is met somewhere, never both: 12 M MACs only by v2 0.35/96
    # (TF-slim lists it at 11 M; v2 has at least 1.6 M params), and 600 K params only by
    # v1 at alpha 0.25 (the paper's Table 6: 0.25 MobileNet-224 has 0.5 M params; its
    # fewest MACs, at 128 pixels, are 14 M by TF-slim's table, over 12 M).
    result = mncost.choose("all", max_macs="12M", max_params="600K")
    assert not result.candidates and not result.ruling_out
    assert all(c.meeting > 0 for c in result.checks)
    out = run_cli("choose", "--max-macs", "12M", "--max-params", "600K").stdout
    assert "each budget alone can be met" in " ".join(out.split())


def test_extrapolations_are_counted_and_ranked_only_when_asked():
    # v2 at 1.2..1.4 below 224 is outside its published grid: nothing to rank...
    plain = mncost.choose("mobilenet-v2", alphas="1.2:1.4:0.1", resolutions="96:128:16")
    assert plain.candidates == () and plain.n_withheld == plain.n_feasible == 9
    out = run_cli(
        "choose", "--family", "mobilenet-v2", "--alpha", "1.2:1.4:0.1", "--res", "96:128:16"
    ).stdout
    assert "--extrapolate ranks them" in " ".join(out.split())
    asked = mncost.choose(
        "mobilenet-v2", alphas="1.2:1.4:0.1", resolutions="96:128:16", extrapolate=True
    )
    assert len(asked.candidates) == 9
    assert {p.status for p in asked.candidates} == {"extrapolated"}


def test_every_format_and_the_heatmap_page(tmp_path):
    args = (
        "choose",
        "--max-macs",
        "300M",
        "--max-latency-ms",
        "30",
        "--device",
        "pixel1-cpu",
        "--top",
        "5",
    )
    table = run_cli(*args, env={"COLUMNS": "100"}).stdout
    assert "Picks, best estimated top-1 first" in table and "Binding budget" in table
    assert max(len(line) for line in table.splitlines()) <= 100
    narrow = run_cli(*args, env={"COLUMNS": "60"}).stdout
    assert max(len(line) for line in narrow.splitlines()) <= 60
    rows = run_cli(*args, "-f", "csv").stdout.splitlines()
    assert rows[0].startswith("rank,model,alpha,resolution,") and len(rows) == 6
    data = json.loads(run_cli(*args, "-f", "json").stdout)
    assert len(data["candidates"]) == 5 and data["device"]["name"] == "pixel1-cpu"
    assert all(c["latency_ms"] <= 30 for c in data["candidates"])
    md = run_cli(*args, "-f", "markdown").stdout
    assert "## Picks, best estimated top-1 first" in md
    target = tmp_path / "choose.html"
    written = run_cli(*args, "-o", str(target))
    assert written.exit_code == 0
    page = target.read_text(encoding="utf-8")
    assert page.count('"type":"heatmap"') >= 2 + 2  # top-1 and the greyed region, per model
    assert "picks (rank)" in page and "over a budget" in page


def test_bad_budgets_and_options_are_one_line_exit_2():
    for args, message in [
        (("--max-macs", "300X"), "unknown unit"),
        (("--max-peak-bytes", "512MB2"), "cannot read"),
        (("--max-latency-ms", "30"), "needs --device"),
        (("--family", "resnet"), "unknown family"),
        (("--top", "0"), "top must be"),
        (("--alpha", "0.25:1.4"), "start:stop:step"),
    ]:
        result = run_cli("choose", *args)
        assert result.exit_code == 2, args
        assert message in result.stderr and result.stderr.count("\n") == 1


def test_help_documents_units_and_the_families():
    text = run_cli("choose", "--help").stdout
    assert "powers of 1,000" in text and "1,024" in text
    families = [f.replace("_", "-") for f in choose_families() if f != "all"]
    assert FAMILIES_HELP == ", ".join(families) + " or all"
    assert FAMILIES_HELP in " ".join(text.split())


def test_api_budgets_take_numbers_and_text():
    a = mncost.choose("mobilenet-v1", max_macs=300_000_000, top=3)
    b = mncost.choose("mobilenet-v1", max_macs="300M", top=3)
    assert [(p.alpha, p.resolution) for p in a.candidates] == [
        (p.alpha, p.resolution) for p in b.candidates
    ]
    with pytest.raises(ExploreError, match="unknown family"):
        mncost.choose("resnet")
    with pytest.raises(ExploreError, match="needs a device"):
        mncost.choose("all", max_latency_ms=30)
    frame = b.to_frame()
    assert list(frame["rank"]) == [1, 2, 3]
