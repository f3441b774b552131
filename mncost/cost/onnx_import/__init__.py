"""Reading an ONNX model as a program the engine counts: your own network, from any
framework that exports ONNX (``torch.onnx.export``, tf2onnx, ...).

:func:`load_onnx` reads the file with the ``onnx`` package (the ``mncost[onnx]`` extra)
and lowers its graph to a :class:`~mncost.cost.graph.Program` wrapped in a
:class:`~mncost.cost.model.GraphModel`, which every command counts like a built-in
model. Only the graph is read: weights are never turned into arrays (their dims are in
the file's tensor headers), and external data files are never opened.

**Shapes** come from the graph itself: each weight's dims and each node's attributes
(kernel, strides, pads, auto_pad, dilations, group, ceil_mode); the engine derives every
feature map from the input's size, so ``--res`` gives every shape anew.
``onnx.shape_inference`` is used only for ops mncost does not know, to check that their
output has their input's shape.

**What is counted**, under the built-ins' conventions:

- Conv (groups, dilation, pads, auto_pad SAME_UPPER / SAME_LOWER / VALID), Gemm, and
  MatMul by a 2-D weight (an Add of a 1-D constant after it is its bias): their MACs, and
  their weights and biases as params (a batch norm that the exporter folded into a conv
  is that conv's bias);
- BatchNormalization: 0 MACs; folded into the op before it when nothing else reads that
  op's output, and its params counted under ``--bn``;
- activations (Relu, Clip, LeakyRelu, PRelu, Sigmoid, HardSigmoid, HardSwish, Tanh,
  Gelu, Elu, Selu, Softplus, Mish, ...), and Mul by a Sigmoid or HardSigmoid of the same
  tensor (swish): 0 MACs, fused into the op before them where they can be;
- MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, ReduceMean/ReduceMax over the
  spatial axes (squeeze-and-excite's squeeze): 0 MACs;
- Add, Sum, Sub, Mul, Div of two maps (a residual), or of a map and a 1x1 map
  (squeeze-and-excite's rescale), Concat and Split or Slice on the channel axis: 0 MACs;
- Mul of a map by a constant holding one value per channel (dims [1, C, 1, 1] or
  [C, 1, 1], C > 1: torchvision's L2Norm weight, Caffe's Scale): a learned per-channel
  scale, a ``scale`` layer, 0 MACs and C params (a constant whose channel count is not
  the map's is refused); a Mul or another element-wise op by a scalar or a constant of
  another shape is an element-wise op with a constant, 0 MACs and 0 params;
- Pad (folded into the conv or pool it feeds), Resize and Upsample (0 MACs, as
  PyTorch's FlopCounterMode counts interpolation), Softmax;
- the shape plumbing: Flatten, Reshape, Squeeze, Unsqueeze, Transpose, Identity,
  Dropout, Cast, and the Shape / Gather / Constant subgraphs that compute shapes, which
  are evaluated and folded away.

An op mncost does not know is counted as nothing and listed, by type and count, in
:attr:`~mncost.cost.model.GraphModel.not_counted`; ``strict=True`` refuses it instead.

**Names and blocks.** A layer is named after its node: PyTorch's legacy exporter writes
``/features/features.3/conv/conv.0/conv.0.0/Conv``, shown as the module path
``features.3.conv.0.0``; the newer exporter's module scopes are read the same way; a
node with no name is its op type and an index. A layer's block is the module path up to
its first index (``features.3``, ``layer1.0``).

**Width.** ``--alpha`` scales every conv and fc width but the image's channels and the
classifier's outputs, under the graph's width rule (round by default), keeping the
graph's ties: a depthwise conv follows its input; the inputs of an Add or a Mul stay
equal (the later one takes the earlier one's width); a Concat is the sum of its inputs.
A graph that slices channels cannot be scaled so (its parts are fixed numbers), and says
so.

**Bounded.** The file is a regular file of at most :data:`MAX_ONNX_BYTES`; a graph has at
most :data:`MAX_ONNX_NODES` nodes; control flow (If, Loop, Scan) is refused, as is an
external-data location outside the model's folder (it is never read either way). Every
refusal is an :class:`OnnxImportError` with a one-line message.

**The modules.** Each imports only those listed before it:

- :mod:`~mncost.cost.onnx_import.bounds`: the bounds on what is read, and the ``onnx``
  package, imported only when a model is read;
- :mod:`~mncost.cost.onnx_import.op_types`: the op types known by kind (activations, shape
  plumbing, element-wise, pools, reductions, gates, control flow);
- :mod:`~mncost.cost.onnx_import.values`: constants, feature maps and the program being
  built, and the readers of attributes, initializers and dims;
- :mod:`~mncost.cost.onnx_import.folding`: constant folding of the shape computations
  (numpy);
- :mod:`~mncost.cost.onnx_import.names`: each layer's name and block;
- :mod:`~mncost.cost.onnx_import.lowering`: the lowering's state and the steps every
  handler takes;
- :mod:`~mncost.cost.onnx_import.plumbing`: constants folded, shape plumbing followed;
- :mod:`~mncost.cost.onnx_import.weighted`: Conv, Pad, Gemm and MatMul;
- :mod:`~mncost.cost.onnx_import.maps`: batch norm, Softmax, element-wise ops, Concat,
  Split and Slice;
- :mod:`~mncost.cost.onnx_import.pools`: pools, spatial reductions, Resize;
- :mod:`~mncost.cost.onnx_import.finish`: the program finished: its classifier, its
  width ties, its fc checks;
- :mod:`~mncost.cost.onnx_import.walk`: :func:`lower_onnx`, the graph walk and the
  handlers table (each node to the handler of its op type or kind);
- :mod:`~mncost.cost.onnx_import.reading`: :func:`load_onnx`, the file read within its
  bounds.

This module only re-exports their names, those of ``__all__``.
"""

from __future__ import annotations

from mncost.cost.onnx_import.bounds import MAX_ONNX_BYTES, MAX_ONNX_NODES, onnx_available
from mncost.cost.onnx_import.reading import load_onnx
from mncost.cost.onnx_import.walk import lower_onnx
from mncost.errors import OnnxImportError

__all__ = [
    "MAX_ONNX_BYTES",
    "MAX_ONNX_NODES",
    "OnnxImportError",
    "load_onnx",
    "lower_onnx",
    "onnx_available",
]
