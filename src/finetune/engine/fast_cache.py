# skulens fine-tuning engine, the fast path's activation cache: the frozen part below the cut, computed once
# per image and view (the centre crop, then random resized crops seeded by the image) into float16 files
# the driver names, and read back as one tensor for training.
import os

import numpy as np
import torch
import torch.nn.functional as F


def crop_view(batches, index, seeds, strength, jitter):
    """One random resized crop with colour jitter per image, drawn from a generator seeded by the image (so
    a view is the same whenever it is computed), without flip (the trainer flips feature maps)."""
    out = torch.empty(len(index), 3, batches.size, batches.size)
    for k, (i, seed) in enumerate(zip(index, seeds)):
        gen = torch.Generator().manual_seed(int(seed))
        top, left, h, w = batches._crop_box(gen, strength)
        img = batches.images[i].permute(2, 0, 1).float().unsqueeze(0)
        crop = img[:, :, top:top + h, left:left + w]
        crop = F.interpolate(crop, size=(batches.size, batches.size), mode="bilinear", align_corners=False, antialias=True)[0]
        out[k] = batches._jitter(crop, gen, jitter)
    return batches._normalise(out.clamp_(0, 255))


def write_atomic(path, array):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    array.astype("<f2").tofile(tmp)
    os.replace(tmp, path)


@torch.no_grad()
def compute_cache(job, model, batches, emit, should_stop):
    """Computes the cut activations of every view in job['compute'] and writes them. Returns False if cancelled."""
    todo = job["compute"]
    bs = 16
    done = 0
    for start in range(0, len(todo), bs):
        if should_stop():
            return False
        part = todo[start:start + bs]
        index = [p["canvas"] for p in part]
        views = [batches.eval_batch(torch.tensor(index))]
        for v in range(1, job["views"]):
            views.append(crop_view(batches, index, [p["seed"] * 8 + v for p in part], job["cropStrength"], job["jitter"]))
        for v, x in enumerate(views):
            acts = model.forward_to_cut(x).contiguous().numpy()
            for k, p in enumerate(part):
                write_atomic(p["files"][v], acts[k])
        done += len(part)
        emit({"type": "cache", "done": done, "total": len(todo)})
    return True


def load_cache(job, shape):
    """All items' views as one float16 tensor (N, V, C, H, W)."""
    items = job["items"]
    size = int(np.prod(shape))
    out = np.empty((len(items), job["views"], *shape), dtype=np.float16)
    for n, files in enumerate(items):
        for v, path in enumerate(files):
            data = np.fromfile(path, dtype="<f2")
            if data.size != size:
                raise RuntimeError(f"cached activations {path} hold {data.size} values, expected {size}; delete the file to recompute it")
            out[n, v] = data.reshape(shape)
    return torch.from_numpy(out)
