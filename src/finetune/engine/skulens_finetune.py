# skulens fine-tuning engine, run by the TypeScript driver as `python3 skulens_finetune.py --job job.json`
# (or `--probe` to report versions). Speaks JSON Lines: one message per stdout line (ready, progress,
# epoch, phase, done, cancelled, error); reads {"type": "cancel"} lines on stdin. It loads an ONNX
# backbone into PyTorch, trains the whole network (a "fine-tune" job, `--engine torch`), and exports the
# embedding graph back to ONNX with the head's arrays beside it, into the job's out folder.
import argparse
import json
import os
import sys
import threading
import time
import traceback

_emit_lock = threading.Lock()


def emit(message):
    with _emit_lock:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()


def probe():
    import numpy
    import onnx
    import torch
    emit({"type": "probe", "python": sys.version.split()[0], "torch": torch.__version__, "onnx": onnx.__version__, "numpy": numpy.__version__})


def watch_stdin(cancel):
    """A cancel line, or the driver going away (stdin closed), stops the run at the next step."""
    for line in sys.stdin:
        try:
            if json.loads(line).get("type") == "cancel":
                cancel.set()
                return
        except ValueError:
            continue
    cancel.set()


def trainable_from(model, unfreeze):
    """'all', or N: train only the last N blocks, a block starting at the convolution that feeds each
    grouped (depthwise) convolution, as in MobileNet's inverted residuals; no grouped convs: last N convs."""
    if unfreeze == "all":
        return
    convs = [k for k, n in enumerate(model.nodes) if n.op_type in ("Conv", "Gemm")]
    grouped = [k for k in convs if model.attrs[k].get("group", 1) > 1]
    starts = [convs[max(0, convs.index(k) - 1)] for k in grouped] if grouped else convs
    first = starts[-unfreeze] if unfreeze <= len(starts) else 0
    trained = {inp for n in model.nodes[first:] for inp in n.input}
    for name, key in model.keys.items():
        if key in model.params and name not in trained:
            model.params[key].requires_grad_(False)


def run(job, cancel):
    import numpy as np
    import torch
    from augment import Batches
    from device import Precision, choose, describe
    from fit import fit, measure, plan_of
    from onnx_torch import OnnxModule
    from train import Classifier, ThreadTuner, evaluate

    torch.manual_seed(job["seed"])
    torch.set_num_threads(job["threads"])
    device = choose(job.get("device", "auto"))
    precision = Precision(device)
    backbone = OnnxModule(job["model"], job["output"], job["pool"])
    trainable_from(backbone, job["unfreeze"])
    model = Classifier(backbone, job["dim"], job["numClasses"], job["dropout"]).to(device).to(memory_format=torch.channels_last)
    n, s = job["count"], job["canvas"]
    images = torch.from_numpy(np.fromfile(job["images"], dtype=np.uint8).reshape(n, s, s, 3))
    batches = Batches(images, job["size"], job["mean"], job["std"])
    split = {k: torch.tensor(job[k], dtype=torch.long) for k in ("train", "val", "test")}
    split["y"] = torch.tensor(job["labels"], dtype=torch.long)
    emit({"type": "ready", "torch": torch.__version__, "parameters": sum(p.numel() for p in model.parameters()),
          "trainable": sum(p.numel() for p in model.parameters() if p.requires_grad), "train": len(job["train"]), "val": len(job["val"]),
          "device": describe(device), "precision": precision.name})

    emit({"type": "phase", "phase": "measure"})
    tuner = ThreadTuner(job["threads"] if device == "cpu" else 1)
    timing = measure(job, model, batches, split, device, precision, tuner)
    plan = plan_of(job, timing, time.time())
    emit({"type": "plan", **plan})
    summary = fit(job, model, batches, split, emit, cancel.is_set, device, precision, plan, tuner)
    if summary is None:
        emit({"type": "cancelled"})
        return 3
    emit({"type": "phase", "phase": "evaluate"})
    # Float32 without TF32 for what the export check and the thresholds read.
    if device == "cuda":
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
    val = evaluate(model, batches, split["val"], split["y"][split["val"]], 64, cancel.is_set, plan["size"], device)
    test = None if val is None else evaluate(model, batches, split["test"], split["y"][split["test"]], 64, cancel.is_set, plan["size"], device)
    if test is None:
        emit({"type": "cancelled"})
        return 3
    out = job["out"]
    model = model.to("cpu")
    weights, bias = model.head_arrays()
    np.concatenate([weights.numpy().ravel(), bias.numpy().ravel()]).astype("<f4").tofile(os.path.join(out, "head.f32"))
    val["embeddings"].numpy().astype("<f4").tofile(os.path.join(out, "val-embeddings.f32"))
    test["embeddings"].numpy().astype("<f4").tofile(os.path.join(out, "test-embeddings.f32"))
    test["logits"].numpy().astype("<f4").tofile(os.path.join(out, "test-logits.f32"))

    emit({"type": "phase", "phase": "export"})
    backbone.eval()
    dummy = torch.zeros(1, 3, plan["size"], plan["size"]).contiguous(memory_format=torch.channels_last)
    onnx_path = os.path.join(out, "model.onnx")
    with torch.no_grad():
        torch.onnx.export(backbone, dummy, onnx_path, input_names=[job["inputName"]], output_names=[job["output"]],
                          dynamic_axes={job["inputName"]: {0: "batch"}, job["output"]: {0: "batch"}},
                          opset_version=13, do_constant_folding=True)
    if cancel.is_set():
        emit({"type": "cancelled"})
        return 3
    emit({"type": "done", **summary, "valAccuracy": val["accuracy"], "valLoss": val["loss"], "testAccuracy": test["accuracy"],
          "plan": plan, "device": describe(device), "precision": precision.name, "files": {
              "model": "model.onnx", "head": "head.f32", "valEmbeddings": "val-embeddings.f32",
              "testEmbeddings": "test-embeddings.f32", "testLogits": "test-logits.f32"}})
    return 0


def main():
    parser = argparse.ArgumentParser(description="skulens fine-tuning engine (driven by skulens; speaks JSON Lines)")
    parser.add_argument("--job", help="job file written by the skulens driver")
    parser.add_argument("--probe", action="store_true", help="print the versions of python, torch, onnx and numpy")
    args = parser.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    try:
        if args.probe:
            probe()
            return 0
        with open(args.job, encoding="utf-8") as f:
            job = json.load(f)
        cancel = threading.Event()
        threading.Thread(target=watch_stdin, args=(cancel,), daemon=True).start()
        return run(job, cancel)
    except ImportError as error:
        emit({"type": "error", "code": "engine-missing", "message": str(error)})
        return 2
    except Exception as error:  # reported to the driver as one typed message, with the trace for the log
        # A graph the engine cannot use is the user's input, not a bug: its message stands on its own.
        name = type(error).__name__
        message = str(error) if name == "UnsupportedGraph" else f"{name}: {error}"
        emit({"type": "error", "code": "failed", "message": message, "trace": traceback.format_exc()})
        return 1


if __name__ == "__main__":
    sys.exit(main())
