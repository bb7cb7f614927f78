# skulens fine-tuning engine: where the fast path cuts a backbone. Found from the graph's structure,
# not from node names (converted graphs name their nodes differently): the output of the last block
# whose output has the wanted number of channels, i.e. the last Conv or Add result with that many
# channels that no activation reads (a linear bottleneck, as MobileNetV2 blocks end) and that no layer
# above it bypasses.
import onnx

from onnx_torch import UnsupportedGraph, ancestors

# Ops after which a tensor is not a block output.
_ACTIVATIONS = {"Clip", "Relu", "Sigmoid", "HardSigmoid", "HardSwish", "Mul"}
# Ops whose output has the channels of their first input.
_SAME_CHANNELS = {"Clip", "Relu", "Sigmoid", "HardSigmoid", "HardSwish", "Add", "Mul", "Identity", "Pad", "BatchNormalization"}


def channels_of(graph):
    """Channels of each tensor that a Conv produces, or that keeps the channels of one (NCHW graphs)."""
    inits = {t.name: list(t.dims) for t in graph.initializer}
    inputs = {i.name: i for i in graph.input}
    channels = {}
    for name, value in inputs.items():
        dims = value.type.tensor_type.shape.dim
        if len(dims) == 4 and dims[1].dim_value:
            channels[name] = dims[1].dim_value
    for node in graph.node:
        if node.op_type == "Conv" and node.input[1] in inits:
            channels[node.output[0]] = inits[node.input[1]][0]
        elif node.op_type in _SAME_CHANNELS and node.input[0] in channels:
            channels[node.output[0]] = channels[node.input[0]]
    return channels


def block_outputs(graph, output):
    """(tensor, channels) of every block output below `output`, in graph order."""
    channels = channels_of(graph)
    all_nodes = list(graph.node)  # ids are only stable while the node objects live
    needed = ancestors(all_nodes, output)
    nodes = [n for n in all_nodes if id(n) in needed]
    readers = {}
    for n in nodes:
        for i in n.input:
            readers.setdefault(i, []).append(n)
    found = []
    for k, node in enumerate(nodes):
        name = node.output[0]
        if node.op_type not in ("Conv", "Add") or name not in channels or name == output:
            continue
        users = readers.get(name, [])
        if not users or any(u.op_type in _ACTIVATIONS for u in users):
            continue
        below = ancestors(nodes, name)
        produced_below = {o for n in nodes if id(n) in below for o in n.output} - {name}
        if any(i in produced_below for n in nodes if id(n) not in below for i in n.input):
            continue  # a skip connection crosses it
        found.append((name, channels[name]))
    return found


def find_cut(model_path, output, wanted):
    """The tensor to cut `output`'s graph at: the last block output with `wanted` channels."""
    graph = onnx.load(model_path).graph
    blocks = block_outputs(graph, output)
    matches = [name for name, c in blocks if c == wanted]
    if not matches:
        have = sorted({c for _, c in blocks})
        raise UnsupportedGraph(f"no block output with {wanted} channels to cut at (block outputs have {', '.join(map(str, have)) or 'none'})")
    return matches[-1]


def write_lower(model_path, input_name, cut, out_path, size=None):
    """Writes the graph below `cut` for onnxruntime: output `skulens_cut` = [Flatten(cut), 1] for a batch of 1.

    skulens' embedding runtime L2-normalises every output; the trailing constant 1 lets the driver undo
    that exactly (activations = output[:-1] / output[-1]).
    """
    from onnx import TensorProto, helper

    model = onnx.load(model_path)
    lower = onnx.utils.Extractor(model).extract_model([input_name], [cut])
    graph = lower.graph
    if size is not None:
        # The fast path may train and serve at another input side than the graph declares (its layers are
        # convolutions): declare that side, and drop the inner shapes inferred for the old one.
        dims = next(i for i in graph.input if i.name == input_name).type.tensor_type.shape.dim
        dims[2].dim_value, dims[3].dim_value = size, size
        del graph.value_info[:]
    graph.initializer.append(helper.make_tensor("skulens_one", TensorProto.FLOAT, [1, 1], [1.0]))
    graph.node.append(helper.make_node("Flatten", [cut], ["skulens_flat"], axis=1))
    graph.node.append(helper.make_node("Concat", ["skulens_flat", "skulens_one"], ["skulens_cut"], axis=1))
    del graph.output[:]
    graph.output.append(helper.make_tensor_value_info("skulens_cut", TensorProto.FLOAT, [1, None]))
    tmp = f"{out_path}.tmp"
    onnx.save(lower, tmp)
    import os
    os.replace(tmp, out_path)
