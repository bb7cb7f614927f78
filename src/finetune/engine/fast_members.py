# skulens fine-tuning engine, the fast path's members: M copies of the blocks above the cut, trained with
# different seeds on the same cached activations, served as one graph. The frozen part below the cut runs
# once; each member's blocks run on its output. The exported embedding is the members' unit embeddings side
# by side over sqrt(M): it has unit length, so serving's L2 normalisation leaves it alone, and the stacked
# head (each member's rows over sqrt(M), the mean bias) gives the members' mean logits. Two members scored
# grocery-store-dev val 0.882 against 0.862-0.868 for either alone (docs/fast-path.md).
import copy
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class Ensemble(nn.Module):
    """The members as one network: the shared frozen part once, then each member's blocks (see the header)."""

    def __init__(self, models):
        super().__init__()
        self.models = nn.ModuleList(models)

    def forward(self, x):
        below = self.models[0].forward_to_cut(x)
        units = [F.normalize(m.forward_from(below), dim=1) for m in self.models]
        return torch.cat(units, 1) / math.sqrt(len(units))


def make_members(classifier, count, cut):
    """The first classifier and count - 1 deep copies, with each one's parameters above the cut."""
    members = [classifier] + [copy.deepcopy(classifier) for _ in range(count - 1)]
    return members, [m.backbone.model.cut_at(cut) for m in members]


def served_network(members):
    """The exported embedding network before any flip averaging: the backbone itself for one member."""
    models = [m.backbone.model for m in members]
    return models[0] if len(models) == 1 else Ensemble(models)


def stacked_head(members):
    """Weights and bias of the head that serving applies to the exported embedding (see the header)."""
    arrays = [m.head_arrays() for m in members]
    if len(arrays) == 1:
        return arrays[0]
    root = math.sqrt(len(arrays))
    return torch.cat([w for w, _ in arrays], 1) / root, torch.stack([b for _, b in arrays]).mean(0)


def flat_uppers(uppers):
    """Every member's trained parameters, in order, as one float32 vector (upper.f32)."""
    return torch.cat([p.detach().flatten() for upper in uppers for p in upper]).numpy().astype("<f4")


def load_start(job, members, uppers):
    """A warm start (job["start"]): an earlier fast version's trained blocks (upper.f32: its members' parameters
    above the cut, in order) and its head, rows mapped onto this run's labels (a new label's row starts at zero).
    Member m starts from the earlier member m mod M_old; its head rows are the earlier head's block for that
    member, scaled back (the stacked head divides each block by sqrt(M_old)), with the earlier mean bias."""
    start = job.get("start")
    if not start:
        return
    flat = torch.from_numpy(np.fromfile(start["upper"], dtype="<f4"))
    total = sum(p.numel() for p in uppers[0])
    if flat.numel() == 0 or flat.numel() % total:
        raise RuntimeError(f"{start['upper']} holds {flat.numel()} weights; the blocks above this cut have {total} a member")
    old_members = flat.numel() // total
    head = np.fromfile(start["head"], dtype="<f4")
    dim = members[0].fc.in_features
    k_old = len(head) // (old_members * dim + 1)
    weights = torch.from_numpy(head[:k_old * old_members * dim].reshape(k_old, old_members * dim))
    bias = torch.from_numpy(head[k_old * old_members * dim:])
    with torch.no_grad():
        for m, (member, upper) in enumerate(zip(members, uppers)):
            source = m % old_members
            offset = source * total
            for p in upper:
                p.copy_(flat[offset:offset + p.numel()].view_as(p))
                offset += p.numel()
            block = weights[:, source * dim:(source + 1) * dim] * math.sqrt(old_members)
            for new, old in enumerate(start["rows"]):
                member.fc.weight[new] = block[old] / member.scale if old >= 0 else 0
                member.fc.bias[new] = bias[old] if old >= 0 else 0
