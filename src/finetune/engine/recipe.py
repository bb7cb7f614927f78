# skulens fine-tuning engine: the parts of the recipe around the training loop, each usable alone (the
# fast path can share them): an exponential moving average of the trained weights, the linear probe that
# starts the head (LP-FT: fit the head on the frozen backbone's embeddings first, so the first steps do
# not tear the pretrained features apart to fit a random head), and layer-wise learning-rate decay.
import math

import torch
import torch.nn.functional as F


class Ema:
    """Exponential moving average of the trainable parameters. The decay warms up (1 + n) / (10 + n), so
    the average does not hold on to the starting weights. `swap()` puts the average into the model (and
    the raw weights aside) and back; MobileNet graphs from ONNX have no batch-norm statistics to follow."""

    def __init__(self, params, decay):
        self.params = [p for p in params if p.requires_grad]
        self.decay = decay
        self.shadow = [p.detach().clone() for p in self.params]
        self.updates = 0
        self.swapped = False

    @torch.no_grad()
    def update(self):
        self.updates += 1
        d = min(self.decay, (1 + self.updates) / (10 + self.updates))
        torch._foreach_mul_(self.shadow, d)
        torch._foreach_add_(self.shadow, [p.detach() for p in self.params], alpha=1 - d)

    @torch.no_grad()
    def swap(self):
        for p, s in zip(self.params, self.shadow):
            tmp = p.detach().clone()
            p.copy_(s)
            s.copy_(tmp)
        self.swapped = not self.swapped


@torch.no_grad()
def embed(model, batches, index, size, device, batch_size=64, should_stop=lambda: False):
    """Raw backbone embeddings of `index` (centre crops at `size`), on the CPU; None when cancelled."""
    model.eval()
    out = []
    for start in range(0, len(index), batch_size):
        if should_stop():
            return None
        out.append(model.backbone(batches.eval_batch(index[start:start + batch_size], size).to(device)).float().cpu())
    return torch.cat(out) if out else torch.zeros(0, model.fc.in_features)


def linear_probe(model, z, y, weights, label_smoothing, weight_decay=1e-4, iterations=100):
    """Fits the classifier's linear layer on fixed inputs `z` (the scaled, normalised embeddings the
    layer sees) by full-batch L-BFGS, and copies it into `model.fc`. Returns the fitted layer's accuracy on z."""
    k, d = model.fc.weight.shape
    w = torch.zeros(k, d, requires_grad=True)
    b = torch.zeros(k, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], lr=1, max_iter=iterations, history_size=20, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(z @ w.t() + b, y, weight=weights, label_smoothing=label_smoothing) + weight_decay * (w * w).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        model.fc.weight.copy_(w.detach().to(model.fc.weight.device))
        model.fc.bias.copy_(b.detach().to(model.fc.bias.device))
        return ((z @ w.t() + b).argmax(1) == y).float().mean().item() if len(y) else 0.0


def block_depths(module):
    """For each trainable parameter of an OnnxModule, its block counted from the top (0 = the last
    block); a block starts at the convolution feeding a grouped convolution, as in trainable_from."""
    convs = [k for k, n in enumerate(module.nodes) if n.op_type in ("Conv", "Gemm")]
    grouped = [k for k in convs if module.attrs[k].get("group", 1) > 1]
    starts = sorted({convs[max(0, convs.index(k) - 1)] for k in grouped}) or convs
    first_use = {}
    for k, node in enumerate(module.nodes):
        for name in node.input:
            key = module.keys.get(name)
            if key in module.params and key not in first_use:
                first_use[key] = k
    depths = {}
    for key, k in first_use.items():
        block = sum(1 for s in starts if s <= k)
        depths[key] = len(starts) - block
    return depths


def lr_groups(model, lr, head_lr, decay):
    """Optimiser groups: the head at head_lr, the backbone at lr times decay ** (blocks from the top).
    decay 1 gives one backbone group (the plain recipe)."""
    backbone = model.backbone
    body = [(key, p) for key, p in backbone.params.items() if p.requires_grad]
    groups = []
    if decay >= 1.0 or not hasattr(backbone, "nodes"):
        groups.append({"params": [p for _, p in body], "lr": lr})
    else:
        depths = block_depths(backbone)
        by_depth = {}
        for key, p in body:
            by_depth.setdefault(depths.get(key, 0), []).append(p)
        for depth in sorted(by_depth):
            groups.append({"params": by_depth[depth], "lr": lr * math.pow(decay, depth)})
    groups.append({"params": list(model.fc.parameters()), "lr": head_lr})
    return groups
