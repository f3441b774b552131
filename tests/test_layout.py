"""The package layout: no import cycles, layers that only import downwards, and no
counting in the presentation or the command line (issue 9 item 7, ../shared/STYLE.md).

Everything here reads the source with :mod:`ast`, so every ``import`` and ``from ...
import`` statement counts: at module level, inside functions, and under
``if TYPE_CHECKING:``. Nothing is imported to find the edges, so a lazy import cannot
hide one.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "mncost"

LAYERS: tuple[str, ...] = ("arch", "cost", "sources", "analysis", "present", "cli")
"""mncost's layers, lowest first: a module may import its own layer or one below it."""

ANYWHERE: dict[str, str] = {
    "mncost.text": "a leaf (imports nothing from mncost): every layer shows user text "
    "through its quote and escape_controls",
    "mncost.limits": "a leaf (imports nothing from mncost): the input bounds, checked "
    "wherever input is read (spec loader, scaling, CLI options)",
    "mncost.safe_json": "a leaf but for limits and text: strict, bounded JSON for the "
    "files strangers write (spec files in arch, device profiles in analysis)",
    "mncost.units": "a leaf but for limits and text: budgets with units (300M, 4MiB), "
    "read by the command line and the Python API alike",
    "mncost.files": "a leaf but for text: the one atomic writer of output files (reports, "
    "plots, exported models), never over an input, a device or a link's target name",
    "mncost.bounded": "a leaf but for text: the one bounded reader of files strangers "
    "give (spec files, profiles, measurement CSVs, ONNX models)",
    "mncost._lazy": "a leaf (imports nothing from mncost): the lazy exports of the "
    "package and of mncost.cost, so that importing one name does not import them all",
    "mncost.errors": "a leaf (imports nothing from mncost): the exceptions the Python "
    "API raises, importable without the modules (and numpy) that raise them",
}
"""Top-level modules any layer may import, and why."""

FACADES: dict[str, int] = {
    "mncost": LAYERS.index("analysis"),
    "mncost.api": LAYERS.index("analysis"),
}
"""Top-level modules ranked as a layer: the package and its Python API are a facade over
arch, cost and analysis (``mncost.cost(...)``, ``mncost.sweep(...)``, estimates of memory
and latency) and import nothing above analysis; the CLI imports the package for
``__version__``."""

ENTRY_POINTS: dict[str, int] = {"mncost.__main__": LAYERS.index("cli")}
"""``python -m mncost`` runs the CLI: it sits at the top with it."""


# --- reading the package ----------------------------------------------------------------


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE_ROOT.rglob("*.py"))}


@cache
def _tree(module: str) -> ast.Module:
    path = _modules()[module]
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _package_of(module: str) -> str:
    path = _modules()[module]
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = _package_of(module).split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


@dataclass(frozen=True)
class _Edge:
    importer: str
    imported: str
    line: int


@cache
def _edges() -> tuple[_Edge, ...]:
    """Every import of an mncost module by an mncost module, as written.

    ``from P import N`` imports the submodule P.N when there is one, else P itself.
    Parent packages that Python initialises on the way are not edges: every module
    would otherwise "import" ``mncost/__init__``.
    """
    modules = _modules()
    edges = []
    for module in modules:
        for node in ast.walk(_tree(module)):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(module, node)
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.append(sub if sub in modules else base)
            for target in targets:
                if target == "mncost" or target.startswith("mncost."):
                    assert target in modules, (
                        f"{module}:{node.lineno} imports {target}, which is not a module of mncost"
                    )
                    edges.append(_Edge(module, target, node.lineno))
    return tuple(edges)


def _rank(module: str) -> int | None:
    """The layer of ``module`` (None: may be imported anywhere)."""
    if module in ANYWHERE:
        return None
    if module in FACADES:
        return FACADES[module]
    if module in ENTRY_POINTS:
        return ENTRY_POINTS[module]
    layer = module.split(".")[1]
    assert layer in LAYERS, f"{module} is in no layer; add it to LAYERS, ANYWHERE or FACADES"
    return LAYERS.index(layer)


# --- (a) no import cycles ---------------------------------------------------------------


def _cycles(edges: tuple[_Edge, ...]) -> list[list[str]]:
    """The strongly connected components with more than one module, or a self-import."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.importer, set()).add(edge.imported)
        graph.setdefault(edge.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm; the graph is small
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle():
    # The check must be able to fail: a -> b -> c -> a is one cycle; d stands apart.
    edges = (_Edge("a", "b", 1), _Edge("b", "c", 1), _Edge("c", "a", 1), _Edge("c", "d", 1))
    assert _cycles(edges) == [["a", "b", "c"]]
    assert _cycles((_Edge("a", "a", 1),)) == [["a"]]


def test_edges_include_imports_inside_functions_and_type_checking():
    # mncost.present.views.review imports CostResult only under TYPE_CHECKING, and
    # mncost.arch.registry imports mncost.arch.defs inside a function: both are edges.
    pairs = {(e.importer, e.imported) for e in _edges()}
    assert ("mncost.arch.registry", "mncost.arch.defs") in pairs
    assert ("mncost.present.views.review", "mncost.cost.result") in pairs


def test_no_import_cycles():
    cycles = _cycles(_edges())
    assert cycles == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


# --- (b) layers import downwards --------------------------------------------------------


def test_every_module_has_a_layer():
    for module in _modules():
        _rank(module)


def test_leaves_import_nothing_from_mncost():
    for edge in _edges():
        if edge.importer in ANYWHERE:
            # A module any layer may import may itself import only such modules.
            assert edge.imported in ANYWHERE, (
                f"{edge.importer}:{edge.line} imports {edge.imported}; it must stay a leaf"
            )


def test_layers_only_import_downwards():
    upward = []
    for edge in _edges():
        here, there = _rank(edge.importer), _rank(edge.imported)
        if here is not None and there is not None and there > here:
            upward.append(
                f"{edge.importer}:{edge.line} ({LAYERS[here]}) imports "
                f"{edge.imported} ({LAYERS[there]})"
            )
    assert upward == [], "imports against the flow:\n" + "\n".join(upward)


# --- (c) no counting in present/ or cli/ ------------------------------------------------

COUNTING: frozenset[str] = frozenset(
    {
        "mncost.cost.result.count",
        "mncost.cost.count",
        "mncost.cost.geometry.geometry",
        "mncost.cost.geometry",
        "mncost.cost.metric",
        "mncost.analysis.layer.compare_layer",
        "mncost.api.cost",
        "mncost.api.sweep",
        "mncost.api.memory",
        "mncost.api.latency",
        "mncost.api.choose",
        "mncost.api.compare",
        "mncost.cost",
        "mncost.sweep",
        "mncost.memory",
        "mncost.latency",
        "mncost.choose",
        "mncost.compare",
        "mncost.cost.memory.count_memory",
        "mncost.cost.memory.peak_grid",
        "mncost.cost.memory.live_bytes",
        "mncost.analysis.latency.latency_grid",
        "mncost.analysis.latency.estimate.latency_grid",
    }
)
"""Functions that count. Every function of mncost.cost.metrics and mncost.cost.sweep
counts too (see :func:`_counts`)."""

COUNTING_MODULES: tuple[str, ...] = ("mncost.cost.metrics", "mncost.cost.sweep")

CLI_MAY_CALL: dict[str, str] = {
    "mncost.analysis.layer.compare_layer": "the analysis `mncost layer` asks for (parse -> "
    "analysis -> view): it counts through count() on a one-layer spec, as every "
    "analysis does, and a wrapper around it would only rename it. Views never call it",
}
"""Counting functions the command line may call, and why; present/ may call none."""

VIEW_MAY_CALL: dict[str, str] = {
    "mncost.analysis.reproduce.status.show": "formats a Fraction at a cell's printed "
    "decimals with the audit's own half-up rounding, so a shown figure is the one "
    "the status was decided on",
}
"""Functions of mncost.analysis a view may call, and why: they format, never count."""


def _counts(name: str) -> bool:
    return name in COUNTING or any(name.startswith(m + ".") for m in COUNTING_MODULES)


def _bindings(tree: ast.Module, module: str) -> dict[str, str]:
    """Each local name bound by an import in the file, as the dotted name it stands for.

    A name imported in one function is assumed to mean the same in the whole file
    (mncost never rebinds an imported name to something else).
    """
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node)
            for alias in node.names:
                names[alias.asname or alias.name] = f"{base}.{alias.name}"
    return names


def _dotted(node: ast.expr) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id, *reversed(parts)]
    return None


def _calls(module: str) -> list[tuple[int, str]]:
    """Every call in ``module`` whose callee is a name imported from mncost, resolved."""
    tree = _tree(module)
    names = _bindings(tree, module)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        parts = _dotted(node.func)
        if parts is None or parts[0] not in names:
            continue
        target = ".".join([names[parts[0]], *parts[1:]])
        if target == "mncost" or target.startswith("mncost."):
            found.append((node.lineno, target))
    return found


def _is_class(dotted: str) -> bool:
    module, _, attribute = dotted.rpartition(".")
    try:
        return inspect.isclass(getattr(importlib.import_module(module), attribute))
    except (ImportError, AttributeError):
        return False


def _upper(*layers: str) -> list[str]:
    return [m for m in _modules() if m.split(".")[1:2] and m.split(".")[1] in layers]


def test_the_call_finder_resolves_imports():
    tree = ast.parse(
        "from mncost.cost.result import count as c\nimport mncost.cost.geometry as g\n"
        "def f():\n    from mncost.cost import metrics\n    c(a)\n    g.geometry(b)\n"
        "    metrics.evaluate('x')\n    'abc'.count('a')\n"
    )
    names = _bindings(tree, "mncost.cli.x")
    calls = [
        ".".join([names[p[0]], *p[1:]])
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and (p := _dotted(node.func)) and p[0] in names
    ]
    assert sorted(calls) == [
        "mncost.cost.geometry.geometry",
        "mncost.cost.metrics.evaluate",
        "mncost.cost.result.count",
    ]
    assert all(_counts(call) for call in calls)


@pytest.mark.parametrize("module", _upper("present", "cli"))
def test_present_and_cli_never_count(module):
    allowed = CLI_MAY_CALL if module.startswith("mncost.cli") else {}
    counting = [
        f"{module}:{line} calls {target}"
        for line, target in _calls(module)
        if _counts(target) and target not in allowed
    ]
    assert counting == []


@pytest.mark.parametrize("module", _upper("present"))
def test_views_only_arrange_what_analysis_gives_them(module):
    # A view (and every other module of present/) is handed results: it may build and
    # read analysis types, but calls no analysis function (any of them may count) and
    # never fetches an architecture to count it.
    calls = []
    for line, target in _calls(module):
        if target in VIEW_MAY_CALL:
            continue
        if (
            target.startswith("mncost.analysis.")
            and not _is_class(target)
            or target == "mncost.arch.registry.get_model"
        ):
            calls.append(f"{module}:{line} calls {target}")
    assert calls == []
