# skulens fine-tuning engine: the training loop. AdamW with a warm-up then cosine learning rate fitted
# to the time budget, label smoothing, class-weighted loss, early stopping on the grouped validation
# split the driver chose (the test split is only ever scored at the end, never used to choose).
import copy
import math
import time

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


def class_weights(y, num_classes, mode):
    counts = torch.bincount(y, minlength=num_classes).float().clamp(min=1)
    if mode == "none":
        return None
    w = len(y) / (num_classes * counts)
    return w.sqrt() if mode == "sqrt" else w


@torch.no_grad()
def evaluate(model, batches, index, y, batch_size, should_stop):
    model.eval()
    logits, embeddings = [], []
    for start in range(0, len(index), batch_size):
        if should_stop():
            return None
        out, e = model(batches.eval_batch(index[start:start + batch_size]))
        logits.append(out)
        embeddings.append(e)
    logits, embeddings = torch.cat(logits), torch.cat(embeddings)
    acc = (logits.argmax(1) == y).float().mean().item() if len(y) else 0.0
    loss = F.cross_entropy(logits, y).item() if len(y) else 0.0
    return {"accuracy": acc, "loss": loss, "logits": logits, "embeddings": embeddings}


def fit(job, model, batches, split, emit, should_stop):
    """Trains in place and loads the best epoch's weights. Returns a summary, or None when cancelled."""
    train_idx, val_idx = split["train"], split["val"]
    y_train, y_val = split["y"][train_idx], split["y"][val_idx]
    gen = torch.Generator().manual_seed(job["seed"])
    head_params = list(model.fc.parameters())
    body = [p for p in model.backbone.parameters() if p.requires_grad]
    opt = torch.optim.AdamW([{"params": body, "lr": job["lr"]}, {"params": head_params, "lr": job["headLr"]}],
                            weight_decay=job["weightDecay"], foreach=True)
    base_lrs = [job["lr"], job["headLr"]]
    weights = class_weights(y_train, job["numClasses"], job["balance"])
    bs = job["batchSize"]
    steps_per_epoch = max(1, math.ceil(len(train_idx) / bs))
    epochs = job["epochs"]
    total_steps = epochs * steps_per_epoch
    warmup = max(1, min(100, total_steps // 20))
    tuner = ThreadTuner(job["threads"])
    deadline = job.get("deadline")
    started = time.time()
    step_seconds, val_seconds = None, 0.0
    best = {"epoch": 0, "accuracy": -1.0, "loss": math.inf, "state": None}
    history, stopped_by, step = [], "epochs", 0
    last_emit = 0.0

    def reserve():
        # Time still needed after training: scoring the test split and exporting, with a margin for a
        # busy machine. Before the first validation pass, a forward is taken as half a training step.
        per_image = val_seconds / max(1, len(val_idx)) if val_seconds else (step_seconds or 0.0) / (2 * bs)
        return 1.5 * job["testCount"] * per_image + 30.0

    for epoch in range(1, epochs + 1):
        model.train()
        order = train_idx[torch.randperm(len(train_idx), generator=gen)]
        running, seen, epoch_start = 0.0, 0, time.time()
        for b in range(steps_per_epoch):
            if should_stop():
                return None
            if deadline is not None and step_seconds is not None and time.time() + step_seconds + reserve() > deadline:
                stopped_by = "budget"
                break
            threads = tuner.threads_for(step)
            torch.set_num_threads(threads)
            t0 = time.time()
            index = order[b * bs:(b + 1) * bs]
            x = batches.train_batch(index, gen, job["augment"])
            logits, _ = model(x)
            loss = F.cross_entropy(logits, split["y"][index], weight=weights, label_smoothing=job["labelSmoothing"])
            progress = step / max(1, total_steps)
            factor = (step + 1) / warmup if step < warmup else 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
            for group, base in zip(opt.param_groups, base_lrs):
                group["lr"] = base * factor
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            dt = time.time() - t0
            tuner.record(step, threads, dt)
            if threads == tuner.best or step_seconds is None:  # probe steps of the other setting say nothing of the pace
                step_seconds = dt if step_seconds is None else 0.9 * step_seconds + 0.1 * dt
            running += loss.item() * len(index)
            seen += len(index)
            step += 1
            if step == 20 or (b == steps_per_epoch - 1):
                total_steps = fit_schedule(deadline, step, epochs * steps_per_epoch, steps_per_epoch, step_seconds, val_seconds, reserve())
            if time.time() - last_emit >= 1.0 or b == steps_per_epoch - 1:
                last_emit = time.time()
                emit({"type": "progress", "epoch": epoch, "epochs": math.ceil(total_steps / steps_per_epoch), "step": b + 1,
                      "steps": steps_per_epoch, "loss": running / seen, "lr": opt.param_groups[0]["lr"],
                      "imagesPerSecond": len(index) / dt, "threads": threads, "elapsed": time.time() - started})
        if seen == 0:
            break
        v0 = time.time()
        torch.set_num_threads(tuner.best)
        val = evaluate(model, batches, val_idx, y_val, 64, should_stop)
        if val is None:
            return None
        val_seconds = time.time() - v0
        improved = val["accuracy"] > best["accuracy"] or (val["accuracy"] == best["accuracy"] and val["loss"] < best["loss"])
        if improved:
            best = {"epoch": epoch, "accuracy": val["accuracy"], "loss": val["loss"], "state": copy.deepcopy(model.state_dict())}
        record = {"epoch": epoch, "trainLoss": running / seen, "valAccuracy": val["accuracy"], "valLoss": val["loss"],
                  "seconds": time.time() - epoch_start, "best": improved}
        history.append(record)
        emit({"type": "epoch", "epochs": math.ceil(total_steps / steps_per_epoch), **record})
        if stopped_by == "budget":
            break
        # Validation dips while the learning rate is high; only the second half of the schedule may stop early.
        if epoch - best["epoch"] >= job["patience"] and epoch * steps_per_epoch >= total_steps / 2:
            stopped_by = "patience"
            break
        if step >= total_steps:
            stopped_by = "epochs" if total_steps == epochs * steps_per_epoch else "budget"
            break
    if best["state"] is None:
        raise RuntimeError("the time budget ended before one epoch could be scored; give a larger budget")
    model.load_state_dict(best["state"])
    return {"bestEpoch": best["epoch"], "valAccuracy": best["accuracy"], "valLoss": best["loss"], "epochsRun": len(history),
            "stoppedBy": stopped_by, "history": history, "threads": tuner.best, "trainSeconds": time.time() - started}


def fit_schedule(deadline, step, total_steps, steps_per_epoch, step_seconds, val_seconds, reserve):
    """Shrinks the planned number of epochs (and so the cosine schedule) to what fits before the deadline."""
    if deadline is None:
        return total_steps
    left = deadline - time.time() - reserve
    epoch_seconds = steps_per_epoch * step_seconds + val_seconds
    done_epochs = step / steps_per_epoch
    affordable = done_epochs + max(0.0, left) / max(1e-6, epoch_seconds)
    fit_epochs = max(math.ceil(done_epochs), math.floor(affordable))
    return max(step, min(total_steps, max(1, fit_epochs) * steps_per_epoch))
