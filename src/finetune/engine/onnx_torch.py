# skulens fine-tuning engine: the ONNX-to-PyTorch bridge. An interpreter over an ONNX graph's nodes
# whose weights (initializers) become trainable torch parameters, so a backbone that skulens serves
# with onnxruntime can be fine-tuned by PyTorch and exported back with torch.onnx.export.
# Supported ops are those of CNN backbones like MobileNetV2 (Conv incl. grouped, Clip, Add,
# GlobalAveragePool, Flatten, Gemm) plus a few close relatives; anything else is refused by name.
# A module can also be run from an inner tensor (`forward_from`), which the fast path trains on.
import onnx
import onnx.numpy_helper
import torch
import torch.nn.functional as F
from torch import nn


class UnsupportedGraph(Exception):
    """The graph uses an op or attribute this interpreter does not implement."""


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _conv(x, w, b, a):
    if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        raise UnsupportedGraph(f"Conv auto_pad={a['auto_pad']!r}; export the graph with explicit pads")
    pads = list(a.get("pads", [0, 0, 0, 0]))
    if len(pads) != 4:
        raise UnsupportedGraph("only 2-D Conv is supported")
    top, left, bottom, right = pads
    if top == bottom and left == right:
        padding = (top, left)
    else:
        # TFLite SAME padding puts the extra row/column at the bottom/right; torch pads symmetrically.
        x = F.pad(x, (left, right, top, bottom))
        padding = (0, 0)
    return F.conv2d(x, w, b, stride=tuple(a.get("strides", [1, 1])), padding=padding,
                    dilation=tuple(a.get("dilations", [1, 1])), groups=int(a.get("group", 1)))


def _clip(x, lo, hi):
    # Clip(lo, hi) such as ReLU6: hardtanh exports back to ONNX as a Clip and its backward is one fused
    # kernel (clamp's backward costs three masks and a where, a quarter of a MobileNetV2 step on CPU).
    if lo is not None and hi is not None:
        return F.hardtanh(x, float(lo), float(hi))
    return torch.clamp(x, None if lo is None else float(lo), None if hi is None else float(hi))


def _gemm(a_, b_, c_, a):
    if a.get("transA", 0):
        a_ = a_.t()
    if a.get("transB", 0):
        b_ = b_.t()
    y = float(a.get("alpha", 1.0)) * (a_ @ b_)
    return y if c_ is None else y + float(a.get("beta", 1.0)) * c_


def _flatten(x, a):
    axis = int(a.get("axis", 1))
    return x.flatten(1) if axis == 1 else x.reshape(1 if axis == 0 else -1, *([] if axis == 0 else [int(torch.tensor(x.shape[axis:]).prod())]))


def _batchnorm(x, scale, bias, mean, var, a):
    return F.batch_norm(x, mean, var, scale, bias, training=False, eps=float(a.get("epsilon", 1e-5)))


def _pool(kind, x, a):
    pads = list(a.get("pads", [0, 0, 0, 0]))
    if pads[0] != pads[2] or pads[1] != pads[3]:
        raise UnsupportedGraph(f"{kind} with asymmetric pads {pads}")
    args = dict(kernel_size=tuple(a["kernel_shape"]), stride=tuple(a.get("strides", a["kernel_shape"])), padding=(pads[0], pads[1]))
    return F.max_pool2d(x, **args) if kind == "MaxPool" else F.avg_pool2d(x, count_include_pad=bool(a.get("count_include_pad", 0)), **args)


def _pad(x, pads, value, a):
    if a.get("mode", b"constant") not in (b"constant", "constant"):
        raise UnsupportedGraph(f"Pad mode={a['mode']!r}; only constant padding is supported")
    pads = [int(p) for p in (pads.tolist() if torch.is_tensor(pads) else a.get("pads", pads))]
    if len(pads) != 8 or any(pads[k] or pads[k + 4] for k in (0, 1)):
        raise UnsupportedGraph(f"Pad {pads}: only the two spatial axes of an NCHW tensor may be padded")
    fill = 0.0 if value is None else float(value)
    return F.pad(x, (pads[3], pads[7], pads[2], pads[6]), value=fill)


_DTYPES = {1: torch.float32, 6: torch.int32, 7: torch.int64, 9: torch.bool, 10: torch.float16, 11: torch.float64}


def _tensor_attr(value):
    """A TensorProto attribute (Constant's value) as a torch tensor."""
    return value if torch.is_tensor(value) else torch.from_numpy(onnx.numpy_helper.to_array(value).copy())


def _slice(x, starts, ends, axes, steps):
    starts, ends = starts.tolist(), ends.tolist()
    axes = list(range(len(starts))) if axes is None else axes.tolist()
    steps = [1] * len(starts) if steps is None else steps.tolist()
    if not x.is_floating_point():
        # Shape arithmetic (what torch.onnx.export writes around a Pad): numpy slices any way, backwards too.
        index = [slice(None)] * x.dim()
        for a, b, e, st in zip(axes, starts, ends, steps):
            index[a] = slice(b, e, st)
        return torch.from_numpy(x.numpy()[tuple(index)].copy())
    if any(st < 0 for st in steps):
        raise UnsupportedGraph("Slice with a negative step on image tensors")
    index = [slice(None)] * x.dim()
    for a, b, e, st in zip(axes, starts, ends, steps):
        index[a] = slice(b, e, st)
    return x[tuple(index)]


def _reshape(x, shape):
    dims = [x.shape[k] if d == 0 else d for k, d in enumerate(shape.tolist())]
    return x.reshape(dims)


def _unsqueeze(x, axes):
    for a in sorted(axes.tolist()):
        x = x.unsqueeze(a if a >= 0 else a + x.dim() + 1)
    return x


# op -> function(inputs, attributes); inputs are tensors (or None for an omitted optional input).
OPS = {
    "Conv": lambda i, a: _conv(i[0], i[1], i[2] if len(i) > 2 else None, a),
    "Clip": lambda i, a: _clip(i[0], i[1] if len(i) > 1 else a.get("min"), i[2] if len(i) > 2 else a.get("max")),
    "Relu": lambda i, a: F.relu(i[0]),
    "Sigmoid": lambda i, a: torch.sigmoid(i[0]),
    "HardSigmoid": lambda i, a: torch.clamp(float(a.get("alpha", 0.2)) * i[0] + float(a.get("beta", 0.5)), 0, 1),
    "Add": lambda i, a: i[0] + i[1],
    "Mul": lambda i, a: i[0] * i[1],
    "Identity": lambda i, a: i[0],
    "GlobalAveragePool": lambda i, a: i[0].mean(dim=(2, 3), keepdim=True),
    "Flatten": lambda i, a: _flatten(i[0], a),
    "Gemm": lambda i, a: _gemm(i[0], i[1], i[2] if len(i) > 2 else None, a),
    "BatchNormalization": lambda i, a: _batchnorm(i[0], i[1], i[2], i[3], i[4], a),
    "MaxPool": lambda i, a: _pool("MaxPool", i[0], a),
    "AveragePool": lambda i, a: _pool("AveragePool", i[0], a),
    "Concat": lambda i, a: torch.cat(i, dim=int(a["axis"])),
    "Pad": lambda i, a: _pad(i[0], i[1] if len(i) > 1 else a.get("pads"), i[2] if len(i) > 2 else a.get("value"), a),
    # What torch.onnx.export itself writes (so a fine-tuned version's graph can be trained again): GAP as
    # ReduceMean, flatten as Reshape, and the shape arithmetic around an asymmetric Pad.
    "ReduceMean": lambda i, a: i[0].mean(dim=tuple(a["axes"]), keepdim=bool(a.get("keepdims", 1))),
    "Reshape": lambda i, a: _reshape(i[0], i[1]),
    "Transpose": lambda i, a: i[0].permute(*a["perm"]) if "perm" in a else i[0].permute(*reversed(range(i[0].dim()))),
    "Constant": lambda i, a: _tensor_attr(a["value"]),
    "ConstantOfShape": lambda i, a: torch.full(i[0].tolist(), _tensor_attr(a["value"]).item() if "value" in a else 0.0,
                                               dtype=_tensor_attr(a["value"]).dtype if "value" in a else torch.float32),
    "Cast": lambda i, a: i[0].to(_DTYPES[int(a["to"])]),
    "Slice": lambda i, a: _slice(i[0], i[1], i[2], i[3] if len(i) > 3 else None, i[4] if len(i) > 4 else None),
    "Shape": lambda i, a: torch.tensor(list(i[0].shape), dtype=torch.int64),
    "Gather": lambda i, a: torch.index_select(i[0], int(a.get("axis", 0)), i[1].reshape(-1)).reshape(
        *i[0].shape[:int(a.get("axis", 0))], *i[1].shape, *i[0].shape[int(a.get("axis", 0)) + 1:]),
    "Unsqueeze": lambda i, a: _unsqueeze(i[0], i[1]),
}

# Inputs that are numeric settings rather than weights: kept as constants, never trained.
_CONSTANT_INPUTS = {"Clip": {1, 2}, "BatchNormalization": {3, 4}, "Pad": {1, 2}}


def ancestors(nodes, output, stop=()):
    """Ids of the nodes (in the list `nodes`) that `output` depends on, not looking past `stop`."""
    producers = {out: n for n in nodes for out in n.output}
    needed, stack = set(), [output]
    while stack:
        name = stack.pop()
        node = producers.get(name)
        if node is None or id(node) in needed or name in stop:
            continue
        needed.add(id(node))
        stack.extend(i for i in node.input if i)
    return needed


class OnnxModule(nn.Module):
    """
    A PyTorch module computing `output` of an ONNX graph from its single image input.
    Float initializers that feed weight inputs become nn.Parameters (trainable); numeric settings such
    as Clip bounds stay constants. Only nodes the output depends on are kept.
    """

    def __init__(self, model_path, output, pool="none"):
        super().__init__()
        graph = onnx.load(model_path).graph
        inits = {t.name: torch.from_numpy(onnx.numpy_helper.to_array(t).copy()) for t in graph.initializer}
        # One list of the node objects: ids are only stable while the objects live.
        all_nodes = list(graph.node)
        if output not in {out for n in all_nodes for out in n.output}:
            raise UnsupportedGraph(f"the graph has no output named {output!r}")
        needed = ancestors(all_nodes, output)
        self.nodes = [n for n in all_nodes if id(n) in needed]
        unsupported = sorted({n.op_type for n in self.nodes if n.op_type not in OPS})
        if unsupported:
            raise UnsupportedGraph(f"ops {', '.join(unsupported)} are not supported (supported: {', '.join(sorted(OPS))})")
        self.output = output
        self.pool = pool
        graph_inputs = [i.name for i in graph.input if i.name not in inits]
        if len(graph_inputs) != 1:
            raise UnsupportedGraph(f"expected one image input, found {graph_inputs}")
        self.input_name = graph_inputs[0]
        self.params = nn.ParameterDict()
        self.constants = {}
        self.keys = {}
        for node in self.nodes:
            for k, name in enumerate(node.input):
                if name not in inits or name in self.keys:
                    continue
                key = f"p{len(self.keys)}"
                self.keys[name] = key
                value = inits[name]
                if k in _CONSTANT_INPUTS.get(node.op_type, ()) or not value.is_floating_point():
                    self.constants[key] = value
                else:
                    self.params[key] = nn.Parameter(value.float())
        self.attrs = [_attrs(n) for n in self.nodes]
        for attrs in self.attrs:  # Constant values: converted once, not at every forward
            if isinstance(attrs.get("value"), onnx.TensorProto):
                attrs["value"] = _tensor_attr(attrs["value"])

    def _apply(self, fn):
        # Module.to()/.cuda() reach parameters and buffers; the constants (Clip bounds, batch-norm
        # statistics) must follow them to the training device too.
        super()._apply(fn)
        self.constants = {k: fn(v) for k, v in self.constants.items()}
        return self

    def _value(self, env, name):
        if not name:
            return None
        key = self.keys.get(name)
        if key is None:
            return env[name]
        return self.params[key] if key in self.params else self.constants[key]

    def forward(self, x):
        env = {self.input_name: x}
        for node, attrs in zip(self.nodes, self.attrs):
            result = OPS[node.op_type]([self._value(env, i) for i in node.input], attrs)
            env[node.output[0]] = result
        return self._finish(env[self.output])

    def _finish(self, out):
        # As skulens' runtime does: 'mean-hw' pools a spatial tap (N, C, H, W), anything else is flattened.
        if self.pool == "mean-hw" and out.dim() == 4:
            return out.mean(dim=(2, 3))
        return out.flatten(1)
