# skulens fine-tuning engine, the fast path: cut the backbone at an inner block output, compute the frozen
# part below the cut once per image and view (cached as float16 files the driver names), then train only
# the blocks above the cut plus the head on those cached activations, and export the whole backbone
# (frozen part + trained blocks) as one ONNX graph that skulens serves like any fine-tuned version.
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from augment import Batches
from cut import find_cut, write_lower
from fast_cache import compute_cache, load_cache
from fast_heads import make_heads
from fast_members import flat_uppers, load_start, make_members, served_network, stacked_head
from onnx_torch import OnnxModule
from recipe import Ema
from train import Classifier, ThreadTuner


class Upper(nn.Module):
    """The backbone from the cut tensor up: what the fast path trains."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model.forward_from(x)


class FlipAveraged(nn.Module):
    """The exported network with flip test-time augmentation: the embedding of each image averaged with that
    of its left-right mirror, in one batch (the flip is a constant-index gather, which ONNX exports)."""

    def __init__(self, model, size):
        super().__init__()
        self.model = model
        self.register_buffer("reverse", torch.arange(size - 1, -1, -1))

    def forward(self, x):
        n = x.shape[0]
        e = self.model(torch.cat([x, torch.index_select(x, 3, self.reverse)], 0))
        return (e[:n] + e[n:]) / 2


def train_batch(feats, index, gen, flip):
    """Each image in one of its views, chosen at random, and flipped left-right with probability `flip`."""
    views = torch.randint(0, feats.shape[1], (len(index),), generator=gen)
    x = feats[index, views].float()
    flips = torch.rand(len(index), generator=gen) < flip
    if flips.any():
        x[flips] = x[flips].flip(3)
    return x.contiguous(memory_format=torch.channels_last)


@torch.no_grad()
def embed_features(model, feats, index, bs=128, flip_average=False):
    """Logits and embeddings of the centre views; with `flip_average`, of each view averaged with its
    mirrored activation map (what the flip-averaged export does to a mirrored image, approximately)."""
    model.eval()
    logits, embeddings = [], []
    for start in range(0, len(index), bs):
        x = feats[index[start:start + bs], 0].float().contiguous(memory_format=torch.channels_last)
        out, e = model(x)
        if flip_average:
            _, mirrored = model(x.flip(3).contiguous(memory_format=torch.channels_last))
            e = (e + mirrored) / 2
            out = model.fc(F.normalize(e, dim=1) * model.scale)
        logits.append(out)
        embeddings.append(e)
    if not logits:
        return torch.zeros(0, model.fc.out_features), torch.zeros(0, model.fc.in_features)
    return torch.cat(logits), torch.cat(embeddings)


def schedule(step, total, warmup):
    if step < warmup:
        return (step + 1) / warmup
    return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / max(1, total - warmup))))


def fit_fast(job, model, feats, heads, train_idx, val_idx, emit, should_stop, member=0, members=1):
    """Trains one member's blocks above the cut and its head (seeded by the job's seed plus the member's
    index) on the loss of `heads` (fast_heads.py); epochs are reported counted over all members. Returns the
    summary, or None when cancelled."""
    gen = torch.Generator().manual_seed(job["seed"] + member)
    body = [p for p in model.backbone.parameters() if p.requires_grad]
    opt = torch.optim.AdamW([{"params": body, "lr": job["lr"]}, {"params": list(model.fc.parameters()), "lr": job["headLr"]}],
                            weight_decay=job["weightDecay"])
    base_lrs = [job["lr"], job["headLr"]]
    head_loss = heads.train_loss(job, train_idx)
    bs = job["batchSize"]
    steps = max(1, math.ceil(len(train_idx) / bs))
    epochs = job["epochs"]
    total = epochs * steps
    warmup = max(1, min(100, total // 20))
    deadline = job.get("deadline")
    started = time.time()
    history, step, stopped_by, last_emit = [], 0, "epochs", 0.0
    tuner = ThreadTuner(job["threads"])  # 1 or 2 threads, by measuring: on a busy machine 2 can be 3x slower
    # The exported weights: an exponential moving average of the trained ones, when asked for.
    average = Ema(model.parameters(), job["ema"]) if job.get("ema", 0) > 0 else None
    for epoch in range(1, epochs + 1):
        model.train()
        order = train_idx[torch.randperm(len(train_idx), generator=gen)]
        running, seen, t_epoch = 0.0, 0, time.time()
        for b in range(steps):
            if should_stop():
                return None
            threads = tuner.threads_for(step)
            torch.set_num_threads(threads)
            t0 = time.time()
            index = order[b * bs:(b + 1) * bs]
            logits, _ = model(train_batch(feats, index, gen, job["flip"]))
            loss = head_loss(logits, index)
            for group, base in zip(opt.param_groups, base_lrs):
                group["lr"] = base * schedule(step, total, warmup)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if average is not None:
                average.update()
            tuner.record(step, threads, time.time() - t0)
            running += loss.item() * len(index)
            seen += len(index)
            step += 1
            if time.time() - last_emit >= 1.0 or b == steps - 1:
                last_emit = time.time()
                emit({"type": "progress", "epoch": member * epochs + epoch, "epochs": members * epochs, "step": b + 1, "steps": steps, "loss": running / seen,
                      "lr": opt.param_groups[0]["lr"], "imagesPerSecond": len(index) / max(1e-6, time.time() - t0),
                      "threads": threads, "elapsed": time.time() - started})
        torch.set_num_threads(tuner.best)
        logits, _ = embed_features(model, feats, val_idx)
        val_acc, val_loss = heads.score(logits, val_idx)
        record = {"epoch": member * epochs + epoch, "trainLoss": running / max(1, seen), "valAccuracy": val_acc, "valLoss": val_loss,
                  "seconds": time.time() - t_epoch, "best": epoch == epochs}
        history.append(record)
        emit({"type": "epoch", "epochs": members * epochs, **record})
        epoch_seconds = time.time() - t_epoch
        if deadline is not None and epoch < epochs and time.time() + epoch_seconds > deadline:
            stopped_by = "budget"
            history[-1]["best"] = True
            break
    if average is not None:
        average.swap()  # the average into the model, for the last validation score and the export
    if average is not None and len(val_idx):
        logits, _ = embed_features(model, feats, val_idx)
        history[-1]["valAccuracy"], history[-1]["valLoss"] = heads.score(logits, val_idx)
    last = history[-1]
    return {"epochsRun": len(history), "stoppedBy": stopped_by, "threads": tuner.best, "history": history, "valAccuracy": last["valAccuracy"],
            "valLoss": last["valLoss"], "trainSeconds": time.time() - started}


def run_fast(job, cancel, emit):
    """The fast-path job: cache, train, export. Returns the process exit code."""
    timings = {}
    t = time.time()
    torch.manual_seed(job["seed"])
    torch.set_num_threads(job["threads"])
    model = OnnxModule(job["model"], job["output"], job["pool"])
    cut = find_cut(job["model"], job["output"], job["cutChannels"])
    above = {id(p) for p in model.cut_at(cut)}
    for p in model.parameters():
        p.requires_grad_(id(p) in above)
    model = model.to(memory_format=torch.channels_last)
    n, s = job["count"], job["canvas"]
    # Copy-on-write mapping: pages are read as batches need them, and torch may wrap it.
    images = np.memmap(job["images"], dtype=np.uint8, mode="c", shape=(n, s, s, 3)) if n else np.zeros((0, s, s, 3), np.uint8)
    batches = Batches(torch.from_numpy(images), job["size"], job["mean"], job["std"])
    probe = model.forward_to_cut(torch.zeros(1, 3, job["size"], job["size"]).contiguous(memory_format=torch.channels_last))
    shape = list(probe.shape[1:])
    classifier = Classifier(Upper(model), job["dim"], job["numClasses"], job["dropout"]).to(memory_format=torch.channels_last)
    members, uppers = make_members(classifier, job.get("members", 1), cut)
    load_start(job, members, uppers)
    emit({"type": "ready", "torch": torch.__version__, "parameters": sum(p.numel() for p in model.parameters()),
          "trainable": sum(p.numel() for p in classifier.parameters() if p.requires_grad), "train": len(job["train"]), "val": len(job["val"])})
    emit({"type": "cut", "tensor": cut, "shape": shape})
    timings["load"] = time.time() - t

    t = time.time()
    emit({"type": "phase", "phase": "cache"})
    if not compute_cache(job, model, batches, emit, cancel.is_set):
        emit({"type": "cancelled"})
        return 3
    feats = load_cache(job, shape)
    timings["cache"] = time.time() - t

    t = time.time()
    heads = make_heads(job)
    # Member m trains on its own split (it holds out fold m), so two members see every photo between them.
    splits = job.get("splits") or [{"train": job["train"], "val": job["val"]}]
    split_idx = [(torch.tensor(sp["train"], dtype=torch.long), torch.tensor(sp["val"], dtype=torch.long)) for sp in splits]
    summaries = []
    for m, member in enumerate(members):
        train_idx, val_idx = split_idx[m % len(split_idx)]
        # A budget that would not hold another member's training ends the run with the members trained so far.
        last = summaries[-1] if summaries else None
        if last and (last["stoppedBy"] == "budget" or (job.get("deadline") is not None and time.time() + last["trainSeconds"] > job["deadline"])):
            last["stoppedBy"] = "budget"
            break
        summary = fit_fast(job, member, feats, heads, train_idx, val_idx, emit, cancel.is_set, m, len(members))
        if summary is None:
            emit({"type": "cancelled"})
            return 3
        summaries.append(summary)
    members, uppers = members[:len(summaries)], uppers[:len(summaries)]
    summary = {**summaries[-1], "members": len(members),
               "history": [h for s in summaries for h in s["history"]], "trainSeconds": time.time() - t}
    timings["train"] = time.time() - t

    t = time.time()
    emit({"type": "phase", "phase": "export"})
    out = job["out"]
    for member in members:
        member.eval()
    weights, bias = stacked_head(members)
    np.concatenate([weights.numpy().ravel(), bias.numpy().ravel()]).astype("<f4").tofile(os.path.join(out, "head.f32"))
    flat_uppers(uppers).tofile(os.path.join(out, "upper.f32"))
    flip_test = job.get("flipTest", False)
    # Out-of-fold logits for thresholds: each member's on the photos it held out, members in order.
    held_out = [(member, split_idx[m % len(split_idx)][1]) for m, member in enumerate(members)]
    val_logits = torch.cat([embed_features(member, feats, idx, flip_average=flip_test)[0] for member, idx in held_out])
    summary["valAccuracy"] = heads.score(val_logits, torch.cat([idx for _, idx in held_out]))[0]
    val_logits.numpy().astype("<f4").tofile(os.path.join(out, "val-logits.f32"))
    # The export check: full-precision forward passes of the whole network on a few decoded images.
    with torch.no_grad():
        check = torch.tensor(job["check"], dtype=torch.long)
        network = served_network(members)
        served = FlipAveraged(network, job["size"]) if flip_test else network
        x = batches.eval_batch(check) if len(check) else torch.zeros(0, 3, job["size"], job["size"])
        e = served(x) if len(check) else torch.zeros(0, job["dim"] * len(members))
        logits = F.linear(F.normalize(e, dim=1), weights, bias) if len(check) else torch.zeros(0, job["numClasses"])
    e.numpy().astype("<f4").tofile(os.path.join(out, "check-embeddings.f32"))
    logits.numpy().astype("<f4").tofile(os.path.join(out, "check-logits.f32"))
    dummy = torch.zeros(1, 3, job["size"], job["size"])
    with torch.no_grad():
        torch.onnx.export(served, dummy, os.path.join(out, "model.onnx"), input_names=[job["inputName"]], output_names=[job["output"]],
                          dynamic_axes={job["inputName"]: {0: "batch"}, job["output"]: {0: "batch"}}, opset_version=13, do_constant_folding=True)
    timings["export"] = time.time() - t
    if cancel.is_set():
        emit({"type": "cancelled"})
        return 3
    emit({"type": "fast-done", **summary, "cut": cut, "shape": shape, "computed": len(job["compute"]),
          "timings": timings, "files": {"model": "model.onnx", "head": "head.f32", "upper": "upper.f32", "valLogits": "val-logits.f32",
                                        "checkEmbeddings": "check-embeddings.f32", "checkLogits": "check-logits.f32"}})
    return 0


def run_cut(job, emit):
    """The cut job: finds the cut, reports the activations' shape and writes the graph below it."""
    torch.set_num_threads(1)
    cut = find_cut(job["model"], job["output"], job["cutChannels"])
    model = OnnxModule(job["model"], job["output"], job["pool"])
    model.cut_at(cut)
    with torch.no_grad():
        shape = list(model.forward_to_cut(torch.zeros(1, 3, job["size"], job["size"])).shape[1:])
    if job.get("lowerModel"):
        write_lower(job["model"], model.input_name, cut, job["lowerModel"], job["size"])
    emit({"type": "cut", "tensor": cut, "shape": shape})
    return 0
