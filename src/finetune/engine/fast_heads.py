# skulens fine-tuning engine, the fast path's heads: what the trained logits mean and how they are scored.
# - softmax (the job has no "heads"): one label per photo, one cross-entropy; exactly the single-label path.
# - groups (job["heads"] = {"kind": "groups", "sizes": [...]}): the logits are the groups' segments one after
#   another (the stacked label order of model.json's params.groups); the loss is the sum over groups of each
#   group's cross-entropy on its segment, with class weights per segment. A photo without a value in a group
#   (target -1) contributes nothing for that group. The members, their stacked head and the export are the
#   single-label path's: a softmax per segment of the mean logits is what serving computes.
import torch
import torch.nn.functional as F

from train import class_weights


def group_loss(logits, targets, sizes, weights=None, smoothing=0.0):
    """Sum over groups of the (weighted, smoothed) cross-entropy of each group's segment; targets [N, G], -1 = no value."""
    total = logits.new_zeros(())
    offset = 0
    for g, size in enumerate(sizes):
        t = targets[:, g]
        valued = t >= 0
        if valued.any():
            w = None if weights is None else weights[g]
            total = total + F.cross_entropy(logits[valued, offset:offset + size], t[valued], weight=w, label_smoothing=smoothing)
        offset += size
    return total


def group_accuracy(logits, targets, sizes):
    """Share of photos whose every valued group's argmax is right (evaluate's all-groups accuracy)."""
    if len(targets) == 0:
        return 0.0
    right = torch.ones(len(targets), dtype=torch.bool)
    offset = 0
    for g, size in enumerate(sizes):
        t = targets[:, g]
        right &= (t < 0) | (logits[:, offset:offset + size].argmax(1) == t)
        offset += size
    return right.float().mean().item()


class Softmax:
    """One label per photo (job["labels"]): the single-label fast path, unchanged."""

    def __init__(self, job):
        self.y = torch.tensor(job["labels"], dtype=torch.long)
        self.num_classes = job["numClasses"]

    def train_loss(self, job, train_idx):
        weights = class_weights(self.y[train_idx], self.num_classes, job["balance"])
        smoothing = job["labelSmoothing"]
        return lambda logits, index: F.cross_entropy(logits, self.y[index], weight=weights, label_smoothing=smoothing)

    def score(self, logits, index):
        """(accuracy, loss) of held-out photos."""
        y = self.y[index]
        if not len(index):
            return 0.0, 0.0
        return (logits.argmax(1) == y).float().mean().item(), F.cross_entropy(logits, y).item()


class Groups:
    """A softmax per group (see the header); job["targets"][i] is photo i's value index in each group, -1 for none."""

    def __init__(self, job):
        self.sizes = list(job["heads"]["sizes"])
        self.targets = torch.tensor(job["targets"], dtype=torch.long).view(-1, len(self.sizes))
        if sum(self.sizes) != job["numClasses"]:
            raise RuntimeError(f"groups of {'+'.join(map(str, self.sizes))} values do not make the head's {job['numClasses']} outputs")

    def train_loss(self, job, train_idx):
        t = self.targets[train_idx]
        weights = []
        for g, size in enumerate(self.sizes):
            valued = t[:, g][t[:, g] >= 0]
            weights.append(class_weights(valued, size, job["balance"]) if len(valued) else None)
        smoothing = job["labelSmoothing"]
        return lambda logits, index: group_loss(logits, self.targets[index], self.sizes, weights, smoothing)

    def score(self, logits, index):
        if not len(index):
            return 0.0, 0.0
        t = self.targets[index]
        return group_accuracy(logits, t, self.sizes), group_loss(logits, t, self.sizes).item()


HEADS = {"softmax": Softmax, "groups": Groups}


def make_heads(job):
    """The job's head layout: softmax unless job["heads"] names another."""
    kind = (job.get("heads") or {}).get("kind", "softmax")
    if kind not in HEADS:
        raise RuntimeError(f"unknown head layout {kind!r}; this engine knows {', '.join(HEADS)}")
    return HEADS[kind](job)
