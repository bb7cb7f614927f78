# skulens fine-tuning engine: batches from the uint8 image canvas file the driver wrote. Training
# batches are augmented (random resized crop, horizontal flip, colour jitter, optional random erasing);
# evaluation batches are the centre crop, which is exactly the pixels skulens' serving preprocessing
# produces at the canvas's own size (`size`), and that crop resized for a smaller size (progressive
# resizing trains and validates at the smaller size first).
import math

import torch
import torch.nn.functional as F


class Batches:
    """Images as an (N, S, S, 3) uint8 tensor, S the canvas side; crops of `size` are fed to the net."""

    def __init__(self, images, size, mean, std):
        self.images = images
        self.size = size
        self.canvas = images.shape[1]
        self.mean = torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1)
        self.std = torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1)

    def _normalise(self, x):
        # channels_last: MobileNet-style convolutions run markedly faster on CPU in this memory format.
        return ((x - self.mean) / self.std).contiguous(memory_format=torch.channels_last)

    def eval_batch(self, index, size=None):
        """Centre crop of `size` from the canvas: the same pixels as serving's shorter-side-crop. A smaller
        `size` resizes that same crop (the same field of view, fewer pixels)."""
        off = (self.canvas - self.size) // 2
        x = self.images[index, off:off + self.size, off:off + self.size, :].permute(0, 3, 1, 2).float()
        if size is not None and size != self.size:
            x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=True)
        return self._normalise(x)

    def train_batch(self, index, gen, strength=1.0, size=None, erase=0.0):
        """Augmented crops: random resized crop (area 0.5-1, aspect 3/4-4/3), flip, colour jitter, and with
        probability `erase` one random rectangle (2-20% of the area) set to the mean colour."""
        size = size or self.size
        out = torch.empty(len(index), 3, size, size)
        for k, i in enumerate(index.tolist()):
            img = self.images[i].permute(2, 0, 1).float().unsqueeze(0)
            top, left, h, w = self._crop_box(gen, strength)
            crop = img[:, :, top:top + h, left:left + w]
            crop = F.interpolate(crop, size=(size, size), mode="bilinear", align_corners=False, antialias=True)
            if torch.rand(1, generator=gen).item() < 0.5:
                crop = crop.flip(3)
            out[k] = self._jitter(crop[0], gen, 0.2 * strength)
            if erase > 0 and torch.rand(1, generator=gen).item() < erase:
                self._erase(out[k], gen)
        return self._normalise(out.clamp_(0, 255))

    def _erase(self, x, gen):
        size = x.shape[-1]
        area = size * size * (0.02 + 0.18 * torch.rand(1, generator=gen).item())
        ratio = math.exp(math.log(0.3) + (math.log(1 / 0.3) - math.log(0.3)) * torch.rand(1, generator=gen).item())
        h = min(size, int(round(math.sqrt(area / ratio))))
        w = min(size, int(round(math.sqrt(area * ratio))))
        top = int(torch.randint(0, size - h + 1, (1,), generator=gen))
        left = int(torch.randint(0, size - w + 1, (1,), generator=gen))
        x[:, top:top + h, left:left + w] = self.mean.view(3, 1, 1)

    def _crop_box(self, gen, strength):
        s = self.canvas
        lo_area = 1.0 - 0.5 * strength
        for _ in range(10):
            area = s * s * (lo_area + (1.0 - lo_area) * torch.rand(1, generator=gen).item())
            log_ratio = (math.log(3 / 4) + (math.log(4 / 3) - math.log(3 / 4)) * torch.rand(1, generator=gen).item()) * strength
            ratio = math.exp(log_ratio)
            w = int(round(math.sqrt(area * ratio)))
            h = int(round(math.sqrt(area / ratio)))
            if 0 < w <= s and 0 < h <= s:
                top = int(torch.randint(0, s - h + 1, (1,), generator=gen))
                left = int(torch.randint(0, s - w + 1, (1,), generator=gen))
                return top, left, h, w
        return 0, 0, s, s

    @staticmethod
    def _jitter(x, gen, amount):
        if amount <= 0:
            return x
        b, c, sat = (1.0 + amount * (2 * torch.rand(3, generator=gen) - 1)).tolist()
        x = x * b
        grey = (0.299 * x[0] + 0.587 * x[1] + 0.114 * x[2]).unsqueeze(0)
        x = (x - grey.mean()) * c + grey.mean()
        grey = (0.299 * x[0] + 0.587 * x[1] + 0.114 * x[2]).unsqueeze(0)
        return (x - grey) * sat + grey
