"""Nesting an imported graph into the spec language: ``mncost import model.onnx``.

An imported ONNX graph is counted as a program (:mod:`mncost.cost.onnx_import`): a flat
dataflow graph of primitive ops. :func:`nest` finds in it the spec's composites, so that
the graph can be written as an editable spec file (:func:`mncost.arch.dump.spec_yaml`):

- a **chain** of primitive ops is a list of layers;
- where a tensor feeds several ops, the first tensor every path from it runs through
  (its immediate post-dominator) is where they join. The op that writes it must be an
  **Add** (a ``residual``: a body, and a shortcut or the identity), a **Concat** (a
  ``concat`` of the branches in the order it joins them) or a **Mul** of the map by a
  gate computed from it (an ``se`` block: global average pool, 1x1 conv, 1x1 conv);
- each branch is nested the same way, between the fork and its input of the join.

A graph nests when every op lies on exactly one branch of each join around it and reads
nothing from outside its branch. Where it does not, :class:`~mncost.errors.NestError`
names the node that breaks the nesting and why (a connection that skips across a
join, several outputs, a channel slice, a resize by a fraction).

One rewrite keeps the values and makes DenseNet nest: a Concat whose first inputs are
exactly those of an earlier Concat reads that Concat's output instead (torchvision's
DenseNet concatenates all earlier features again in every layer; the values are the
same). The rewrite moves the point where the earlier features may be freed, so the spec
can count another activation peak: :func:`nest` recounts both and says so.

The result is checked by counting it (:func:`check`): the spec's mult-adds and params,
layer by layer and in total, must equal the graph's at width 1, or nothing is written.
Counting an imported graph never goes through this package; only writing it as a spec
does.

**The modules.** Each imports only those listed before it:

- :mod:`~mncost.cost.nest.dataflow`: the program's dataflow, and the tree's nodes;
- :mod:`~mncost.cost.nest.joins`: where branches join, and the composites they form;
- :mod:`~mncost.cost.nest.writer`: the tree written as spec layers, with their names;
- :mod:`~mncost.cost.nest.spec`: :func:`nest`, the spec as data (:class:`Nested`);
- :mod:`~mncost.cost.nest.recount`: :func:`check`, the spec counted against the graph.

This module only re-exports their names: those of ``__all__``, and (as ``X as X``)
:class:`~mncost.cost.nest.recount.Check`, which :mod:`mncost.analysis.onnx_spec` imports
from here.
"""

from __future__ import annotations

from mncost.cost.nest.recount import Check as Check
from mncost.cost.nest.recount import check
from mncost.cost.nest.spec import Nested, nest
from mncost.errors import NestError

__all__ = ["Nested", "NestError", "check", "nest"]
