# skulens fine-tuning engine: which device trains, and with what precision. CUDA when PyTorch sees a
# GPU (float16 autocast with a gradient scaler), Apple MPS next (float32: torch's autocast has no MPS
# mode before 2.x), the CPU otherwise. Standalone so fine-tuning and the probe share it.
# `python3 device.py` prints the choice as one JSON line, for tests and bug reports.
import contextlib
import json
import sys

import torch

DEVICES = ("auto", "cpu", "cuda", "mps")


def _mps_available():
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def choose(request="auto"):
    """The device to train on: 'auto' picks CUDA, then MPS, then the CPU. An explicit device that is not
    available is an error naming what is (a silent fall-back would hide a broken driver)."""
    if request not in DEVICES:
        raise ValueError(f'unknown device "{request}"; use one of {", ".join(DEVICES)}')
    available = {"cuda": torch.cuda.is_available(), "mps": _mps_available(), "cpu": True}
    if request == "auto":
        return next(d for d in ("cuda", "mps", "cpu") if available[d])
    if not available[request]:
        seen = ", ".join(d for d in ("cuda", "mps", "cpu") if available[d])
        raise RuntimeError(f"device {request} was asked for but PyTorch {torch.__version__} does not see it (available: {seen})")
    return request


class Precision:
    """Mixed precision on CUDA (float16 autocast + loss scaling); plain float32 elsewhere."""

    def __init__(self, device):
        self.device = device
        self.mixed = device == "cuda"
        self.scaler = torch.cuda.amp.GradScaler() if self.mixed else None

    @property
    def name(self):
        return "float16-mixed" if self.mixed else "float32"

    def autocast(self):
        return torch.autocast("cuda", dtype=torch.float16) if self.mixed else contextlib.nullcontext()

    def step(self, loss, optimizer):
        """Backward and optimiser step, scaled when mixed."""
        if self.scaler is None:
            loss.backward()
            optimizer.step()
            return
        self.scaler.scale(loss).backward()
        self.scaler.step(optimizer)
        self.scaler.update()


def describe(device):
    """A short name of the device for the plan line: 'cpu', 'cuda (NVIDIA H200)', 'mps'."""
    if device == "cuda":
        return f"cuda ({torch.cuda.get_device_name(0)})"
    return device


if __name__ == "__main__":
    chosen = choose(sys.argv[1] if len(sys.argv) > 1 else "auto")
    print(json.dumps({"device": chosen, "name": describe(chosen), "precision": Precision(chosen).name,
                      "cuda": torch.cuda.is_available(), "mps": _mps_available(), "torch": torch.__version__}))
