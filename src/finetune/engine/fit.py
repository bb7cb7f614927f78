# skulens fine-tuning engine: the full fine-tune's plan and training loop. Before training it measures
# a step at each resolution and an evaluation pass, and fixes the plan (epochs, resolutions, expected
# seconds): with a deadline and no exact epoch count, the largest plan that fits; the cosine schedule
# then follows that plan and does not change. A machine slower than measured meets a hard stop, which
# the summary reports as planned vs run. Recipe: LP-FT start of the head, AdamW with warm-up + cosine,
# optional layer-wise lr decay, EMA of the weights, progressive resizing (the last epochs at the serving
# size), label smoothing, class weights. The model kept is the last epoch's (EMA) weights; the grouped
# validation split only reports and, in the driver, sets thresholds. The test split is never seen here.
import math
import time

import torch
import torch.nn.functional as F

from recipe import Ema, embed, linear_probe, lr_groups
from train import ThreadTuner, class_weights, evaluate

END_SECONDS = 20.0  # export and writing, beyond the final evaluation passes
MEASURE_STEPS = 3  # timed training steps per thread count and size; the plan takes the fastest


def _step(model, batches, index, y, gen, job, size, weights, device, precision):
    x = batches.train_batch(index, gen, job["augment"], size, job.get("erase", 0.0)).to(device, non_blocking=True)
    with precision.autocast():
        logits, _ = model(x)
        loss = F.cross_entropy(logits.float(), y[index].to(device), weight=weights, label_smoothing=job["labelSmoothing"])
    return loss


def measure(job, model, batches, split, device, precision, tuner):
    """Seconds of a training step at each size (best thread count) and of evaluating one image. The
    measuring steps run forward and backward on a separate generator and change no weight."""
    gen = torch.Generator().manual_seed(job["seed"] + 7919)
    train_idx, bs = split["train"], job["batchSize"]
    weights = class_weights(split["y"][train_idx], job["numClasses"], job["balance"])
    weights = None if weights is None else weights.to(device)
    model.train()

    def timed(size):
        index = train_idx[torch.randperm(len(train_idx), generator=gen)[:bs]]
        t0 = time.time()
        loss = _step(model, batches, index, split["y"], gen, job, size, weights, device, precision)
        loss.backward()
        model.zero_grad(set_to_none=True)
        if device == "cuda":
            torch.cuda.synchronize()
        return time.time() - t0

    sizes = sorted({job["trainSize"], job["size"]} if job["finalEpochs"] > 0 else {job["trainSize"]})
    step = {}
    options = tuner.options if device == "cpu" else [tuner.best]
    for threads in options:
        torch.set_num_threads(threads)
        timed(job["trainSize"])  # warm-up: first-call allocations
        # The fastest of a few steps: one step read 2.7-3.4 s at batch 64 where training then ran 1.7-1.8 s
        # a step (clothing and grocery, quiet machine), and the budget cut a plan that would have fitted.
        seconds = min(timed(job["trainSize"]) for _ in range(MEASURE_STEPS))
        if threads == options[0] or seconds < step[job["trainSize"]]:
            step[job["trainSize"]], tuner.best = seconds, threads
    torch.set_num_threads(tuner.best)
    tuner.probe_at = 1 + tuner.period  # just measured: the next probe comes a period into training
    for size in sizes:
        if size != job["trainSize"]:
            timed(size)
            step[size] = min(timed(size) for _ in range(MEASURE_STEPS))
    with torch.no_grad():
        model.eval()
        probe = train_idx[:min(len(train_idx), 32)]
        t0 = time.time()
        with precision.autocast():
            model(batches.eval_batch(probe, job["size"]).to(device))
        per_image = (time.time() - t0) / max(1, len(probe))
    return {"step": step, "evalPerImage": per_image, "threads": tuner.best}


def plan_of(job, timing, now):
    """The epochs, how many of them at the serving size, and the expected seconds of the run."""
    n_train, n_val = len(job["train"]), len(job["val"])
    steps = max(1, math.ceil(n_train / job["batchSize"]))
    ev = timing["evalPerImage"]
    small = ev * (job["trainSize"] / job["size"]) ** 2

    def cost(epochs, final):
        lp = (n_train + n_val) * small if job["lpft"] else 0.0
        early = (epochs - final) * (steps * timing["step"][job["trainSize"]] + n_val * small)
        late = final * (steps * timing["step"].get(job["size"], 0.0) + n_val * ev)
        return lp + early + late + (n_val + job["testCount"]) * ev + END_SECONDS

    def final_of(epochs):
        return job["finalEpochs"] if epochs > job["finalEpochs"] else 0

    epochs = job["epochs"]
    deadline = job.get("deadline")
    if deadline is not None and not job.get("epochsExact"):
        while epochs > 1 and now + cost(epochs, final_of(epochs)) > deadline:
            epochs -= 1
    final = final_of(epochs)
    expected = cost(epochs, final)
    return {"requestedEpochs": job["epochs"], "epochs": epochs, "finalEpochs": final, "trainSize": job["trainSize"],
            # Serving stays at the canvas's size even when the budget dropped the epochs there: the
            # exported graph must see exactly the pixels serving gives it.
            "size": job["size"], "stepsPerEpoch": steps,
            "stepSeconds": {str(k): round(v, 3) for k, v in timing["step"].items()}, "expectedSeconds": round(expected, 1),
            "fits": deadline is None or now + expected <= deadline, "threads": timing["threads"],
            "endSeconds": round((n_val + job["testCount"]) * ev + END_SECONDS, 1)}


def probe_head(job, model, batches, split, device, weights, should_stop):
    """LP-FT: the head fitted on the frozen backbone's embeddings; returns its validation accuracy."""
    e = embed(model, batches, split["train"], job["trainSize"], device, should_stop=should_stop)
    if e is None:
        return None
    z = F.normalize(e, dim=1) * model.scale
    linear_probe(model, z, split["y"][split["train"]], None if weights is None else weights.cpu(), job["labelSmoothing"])
    val = evaluate(model, batches, split["val"], split["y"][split["val"]], 64, should_stop, job["trainSize"], device)
    return None if val is None else val["accuracy"]


def fit(job, model, batches, split, emit, should_stop, device, precision, plan, tuner):
    """Trains in place to the plan's end (or the hard stop). Returns a summary, or None when cancelled."""
    train_idx, val_idx = split["train"], split["val"]
    y, y_val = split["y"], split["y"][val_idx]
    gen = torch.Generator().manual_seed(job["seed"])
    weights = class_weights(y[train_idx], job["numClasses"], job["balance"])
    weights = None if weights is None else weights.to(device)
    started = time.time()
    probe_acc = None
    if job["lpft"]:
        emit({"type": "phase", "phase": "probe"})
        probe_acc = probe_head(job, model, batches, split, device, weights, should_stop)
        if probe_acc is None:
            return None
    groups = lr_groups(model, job["lr"], job["headLr"], job.get("llrd", 1.0))
    base_lrs = [g["lr"] for g in groups]
    opt = torch.optim.AdamW(groups, weight_decay=job["weightDecay"])
    ema = Ema(model.parameters(), job["ema"]) if job["ema"] > 0 else None
    bs, steps = job["batchSize"], plan["stepsPerEpoch"]
    epochs, final = plan["epochs"], plan["finalEpochs"]
    total = epochs * steps
    warmup = max(1, min(100, total // 20))
    deadline = job.get("deadline")
    history, stopped_by, step, last_emit, step_seconds = [], "epochs", 0, 0.0, None
    for epoch in range(1, epochs + 1):
        size = plan["size"] if epoch > epochs - final else plan["trainSize"]
        model.train()
        order = train_idx[torch.randperm(len(train_idx), generator=gen)]
        running, seen, epoch_start = 0.0, 0, time.time()
        for b in range(steps):
            if should_stop():
                return None
            if deadline is not None and step_seconds is not None and time.time() + step_seconds + plan["endSeconds"] > deadline:
                stopped_by = "budget"
                break
            threads = tuner.threads_for(step) if device == "cpu" else tuner.best
            torch.set_num_threads(threads)
            t0 = time.time()
            index = order[b * bs:(b + 1) * bs]
            factor = (step + 1) / warmup if step < warmup else 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))
            for group, base in zip(opt.param_groups, base_lrs):
                group["lr"] = base * factor
            loss = _step(model, batches, index, y, gen, job, size, weights, device, precision)
            opt.zero_grad(set_to_none=True)
            precision.step(loss, opt)
            if ema is not None:
                ema.update()
            dt = time.time() - t0
            tuner.record(step, threads, dt)
            if threads == tuner.best:
                step_seconds = dt if step_seconds is None else 0.9 * step_seconds + 0.1 * dt
            running += loss.item() * len(index)
            seen += len(index)
            step += 1
            if time.time() - last_emit >= 1.0 or b == steps - 1:
                last_emit = time.time()
                emit({"type": "progress", "epoch": epoch, "epochs": epochs, "step": b + 1, "steps": steps, "loss": running / seen,
                      "lr": opt.param_groups[-1]["lr"], "imagesPerSecond": len(index) / max(1e-6, dt), "threads": threads,
                      "elapsed": time.time() - started, "size": size})
        if seen == 0:
            break
        torch.set_num_threads(tuner.best)
        record = {}
        if ema is not None and epoch >= epochs - 1:
            # The last epochs also score the raw weights: what the average adds, in the history.
            raw = evaluate(model, batches, val_idx, y_val, 64, should_stop, size, device, precision.autocast)
            if raw is None:
                return None
            record["valAccuracyRaw"] = raw["accuracy"]
        if ema is not None:
            ema.swap()
        val = evaluate(model, batches, val_idx, y_val, 64, should_stop, size, device, precision.autocast)
        if val is not None and final and epoch == epochs - final:
            # The last epoch at the first size also scores at the serving size: what the late epochs add.
            larger = evaluate(model, batches, val_idx, y_val, 64, should_stop, plan["size"], device, precision.autocast)
            val = None if larger is None else val
            if larger is not None:
                record["valAccuracyAtServingSize"] = larger["accuracy"]
        if ema is not None:
            ema.swap()
        if val is None:
            return None
        record.update({"epoch": epoch, "trainLoss": running / seen, "valAccuracy": val["accuracy"], "valLoss": val["loss"],
                       "seconds": time.time() - epoch_start, "best": epoch == epochs, "size": size})
        history.append(record)
        emit({"type": "epoch", "epochs": epochs, **record})
        if stopped_by == "budget":
            break
    if ema is not None:
        ema.swap()  # the model kept is the average
    if history:
        history[-1]["best"] = True
    return {"bestEpoch": len(history), "epochsRun": len(history), "stoppedBy": stopped_by, "history": history,
            "threads": tuner.best, "trainSeconds": time.time() - started, "probeValAccuracy": probe_acc}
