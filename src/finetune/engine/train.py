# skulens fine-tuning engine: the model and its parts shared by both job kinds: the classifier on the
# L2-normalised embedding, the thread tuner, class weights and evaluation. The fine-tune loop itself is
# in fit.py.
import contextlib
import math

import torch
import torch.nn.functional as F
from torch import nn


class Classifier(nn.Module):
    """Backbone -> embedding e -> sqrt(dim) * e / |e| -> dropout -> linear.

    The L2 normalisation is the one skulens' serving runtime applies to every embedding, so the trained
    linear layer becomes an ordinary logistic head: weights sqrt(dim) * W, bias b.
    """

    def __init__(self, backbone, dim, num_classes, dropout):
        super().__init__()
        self.backbone = backbone
        self.scale = math.sqrt(dim)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(dim, num_classes)
        nn.init.normal_(self.fc.weight, std=0.01)
        nn.init.zeros_(self.fc.bias)

    def forward(self, x):
        e = self.backbone(x)
        z = F.normalize(e, dim=1) * self.scale
        return self.fc(self.dropout(z)), e

    def head_arrays(self):
        return (self.fc.weight.detach() * self.scale).contiguous(), self.fc.bias.detach().clone()


class ThreadTuner:
    """Picks 1 or all intra-op threads by measuring: on a shared 2-core machine one thread can be
    several times faster than two (the second thread waits on a busy core), on an idle one slower.
    Each probe runs two steps per setting; a probe that changes nothing doubles the wait before the next,
    since a losing probe on a busy machine can cost tens of seconds."""

    def __init__(self, threads):
        # One thread first: it is never pathological, while two threads on a busy machine can be.
        self.options = [1] if threads <= 1 else [1, threads]
        self.best = 1
        self.seconds = {}
        self.probe_at = 1
        self.period = 40

    def threads_for(self, step):
        offset = step - self.probe_at
        if len(self.options) > 1 and 0 <= offset < 4:
            return self.options[offset // 2]
        return self.best

    def record(self, step, threads, seconds):
        offset = step - self.probe_at
        if len(self.options) < 2 or offset not in (1, 2, 3):
            return
        if offset == 2 and seconds > 2 * self.seconds[self.options[0]]:
            # Already twice as slow on its first step: no need to pay for a second one.
            self._conclude(step, self.options[0])
            return
        if offset != 2:  # the second step after a switch, warm
            self.seconds[threads] = seconds
        if offset == 3:
            self._conclude(step, min(self.seconds, key=self.seconds.get))

    def _conclude(self, step, best):
        self.period = 40 if best != self.best else min(self.period * 2, 640)
        self.best = best
        self.probe_at = step + 1 + self.period


def _nothing():
    return contextlib.nullcontext()


def class_weights(y, num_classes, mode):
    counts = torch.bincount(y, minlength=num_classes).float().clamp(min=1)
    if mode == "none":
        return None
    w = len(y) / (num_classes * counts)
    return w.sqrt() if mode == "sqrt" else w


@torch.no_grad()
def evaluate(model, batches, index, y, batch_size, should_stop, size=None, device="cpu", autocast=None):
    """Logits and raw embeddings (float32, on the CPU) of centre crops at `size`; None when cancelled."""
    model.eval()
    logits, embeddings = [], []
    for start in range(0, len(index), batch_size):
        if should_stop():
            return None
        with autocast() if autocast else _nothing():
            out, e = model(batches.eval_batch(index[start:start + batch_size], size).to(device))
        logits.append(out.float().cpu())
        embeddings.append(e.float().cpu())
    if not logits:
        return {"accuracy": 0.0, "loss": 0.0, "logits": torch.zeros(0, model.fc.out_features), "embeddings": torch.zeros(0, model.fc.in_features)}
    logits, embeddings = torch.cat(logits), torch.cat(embeddings)
    acc = (logits.argmax(1) == y).float().mean().item() if len(y) else 0.0
    loss = F.cross_entropy(logits, y).item() if len(y) else 0.0
    return {"accuracy": acc, "loss": loss, "logits": logits, "embeddings": embeddings}


