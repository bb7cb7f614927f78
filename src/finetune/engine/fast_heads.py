# skulens fine-tuning engine, the fast path's heads: what the trained logits mean and how they are scored.
# - softmax (the job has no "heads"): one label per photo, one cross-entropy; exactly the single-label path.
# - groups (job["heads"] = {"kind": "groups", "sizes": [...]}): the logits are the groups' segments one after
#   another (the stacked label order of model.json's params.groups); the loss is the sum over groups of each
#   group's cross-entropy on its segment, with class weights per segment. A photo without a value in a group
#   (target -1) contributes nothing for that group. The members, their stacked head and the export are the
#   single-label path's: a softmax per segment of the mean logits is what serving computes.
# - multi (job["heads"] = {"kind": "multi"}): a sigmoid per label; job["targets"][i] lists photo i's label
#   indexes. The loss is binary cross-entropy with logits summed over labels (mean over photos), targets
#   smoothed toward 1/2 by label smoothing, positives weighted per label by `balance` (neg/pos, its square
#   root, or 1).
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


def multi_loss(logits, targets, pos_weight=None, smoothing=0.0):
    """Binary cross-entropy with logits of each label, summed over labels and averaged over photos; targets [N, K] in {0, 1}."""
    if len(targets) == 0:
        return logits.new_zeros(())
    soft = targets * (1 - smoothing) + smoothing / 2
    per = F.binary_cross_entropy_with_logits(logits, soft, pos_weight=pos_weight, reduction="none")
    return per.sum(1).mean()


def positive_weights(targets, mode):
    """Per label, the weight of its positives: negatives over positives (balanced), its square root (sqrt), or none."""
    if mode == "none":
        return None
    pos = targets.sum(0).clamp(min=1)
    ratio = (len(targets) - targets.sum(0)).clamp(min=1) / pos
    return ratio.sqrt() if mode == "sqrt" else ratio


class Multi:
    """A sigmoid per label (see the header)."""

    def __init__(self, job):
        k = job["numClasses"]
        self.targets = torch.zeros(len(job["targets"]), k)
        for i, labels in enumerate(job["targets"]):
            self.targets[i, labels] = 1.0

    def train_loss(self, job, train_idx):
        pos_weight = positive_weights(self.targets[train_idx], job["balance"])
        smoothing = job["labelSmoothing"]
        return lambda logits, index: multi_loss(logits, self.targets[index], pos_weight, smoothing)

    def score(self, logits, index):
        """(exact match at probability 1/2, loss) of held-out photos."""
        if not len(index):
            return 0.0, 0.0
        t = self.targets[index]
        exact = ((logits > 0).float() == t).all(1).float().mean().item()
        return exact, multi_loss(logits, t).item()


HEADS = {"softmax": Softmax, "groups": Groups, "multi": Multi}


def make_heads(job):
    """The job's head layout: softmax unless job["heads"] names another."""
    kind = (job.get("heads") or {}).get("kind", "softmax")
    if kind not in HEADS:
        raise RuntimeError(f"unknown head layout {kind!r}; this engine knows {', '.join(HEADS)}")
    return HEADS[kind](job)
