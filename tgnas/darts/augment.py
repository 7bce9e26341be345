"""Training-time image augmentations in plain torch (no torchvision), on whole batches where possible.

CIFAR (DARTS protocol): pad by 4 and crop 32×32 at a random offset, flip horizontally with
probability ½ (both on uint8 images, so padding is black), then normalise, then *cutout* (a 16×16
square, clipped at the border, set to 0 in the normalised image). ImageNet: random-resized crop
(area 8–100 %, aspect 3/4–4/3) and flip per image, then per-image brightness / contrast / saturation
jitter on the batch ("colour-jitter lite": no hue shift); evaluation resizes the short side to 256 and
takes the central 224×224.

All random draws come from the ``generator`` passed in, so a run that restores it continues
with exactly the draws of an uninterrupted run.
"""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F


def random_crop_flip(images: torch.Tensor, padding: int, generator: torch.Generator) -> torch.Tensor:
    """Pad a batch ``[N,C,H,W]`` with zeros, crop back to H×W at a random offset, flip half of them."""
    n, _, height, width = images.shape
    padded = F.pad(images, (padding, padding, padding, padding))
    top = torch.randint(0, 2 * padding + 1, (n,), generator=generator)
    left = torch.randint(0, 2 * padding + 1, (n,), generator=generator)
    rows = (top[:, None] + torch.arange(height))[:, :, None]  # [N, H, 1]
    cols = (left[:, None] + torch.arange(width))[:, None, :]  # [N, 1, W]
    cropped = padded.permute(0, 2, 3, 1)[torch.arange(n)[:, None, None], rows, cols].permute(0, 3, 1, 2)
    flip = torch.rand(n, generator=generator) < 0.5
    return torch.where(flip[:, None, None, None], cropped.flip(-1), cropped).contiguous()


def cutout(images: torch.Tensor, length: int, generator: torch.Generator) -> torch.Tensor:
    """Zero one ``length``×``length`` square per image, centred uniformly (clipped at the border)."""
    if length <= 0:
        return images
    n, _, height, width = images.shape
    centre_y = torch.randint(0, height, (n, 1), generator=generator)
    centre_x = torch.randint(0, width, (n, 1), generator=generator)
    half = length // 2
    ys, xs = torch.arange(height)[None, :], torch.arange(width)[None, :]
    in_rows = (ys >= centre_y - half) & (ys < centre_y + half)  # [N, H]
    in_cols = (xs >= centre_x - half) & (xs < centre_x + half)  # [N, W]
    hole = in_rows[:, :, None] & in_cols[:, None, :]
    return images.masked_fill(hole[:, None], 0.0)


def random_resized_crop(
    image: torch.Tensor,
    size: int,
    generator: torch.Generator,
    scale: tuple[float, float] = (0.08, 1.0),
    ratio: tuple[float, float] = (3 / 4, 4 / 3),
) -> torch.Tensor:
    """One image ``[C,H,W]``: crop a random area fraction / aspect ratio, resize to ``size``², flip half."""
    _, height, width = image.shape
    area = height * width
    log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
    box = (0, 0, height, width)
    for _ in range(10):
        draws = torch.rand(3, generator=generator).tolist()
        target = area * (scale[0] + (scale[1] - scale[0]) * draws[0])
        aspect = math.exp(log_ratio[0] + (log_ratio[1] - log_ratio[0]) * draws[1])
        crop_w, crop_h = round(math.sqrt(target * aspect)), round(math.sqrt(target / aspect))
        if 0 < crop_w <= width and 0 < crop_h <= height:
            top = int(torch.randint(0, height - crop_h + 1, (1,), generator=generator))
            left = int(torch.randint(0, width - crop_w + 1, (1,), generator=generator))
            box = (top, left, crop_h, crop_w)
            break
    else:  # no draw fitted: the central crop at the nearest allowed aspect ratio
        side = min(height, width)
        box = ((height - side) // 2, (width - side) // 2, side, side)
    top, left, crop_h, crop_w = box
    crop = image[:, top : top + crop_h, left : left + crop_w]
    resized = _resize(crop, (size, size))
    if float(torch.rand(1, generator=generator)) < 0.5:
        resized = resized.flip(-1)
    return resized


def resize_centre_crop(image: torch.Tensor, resize: int = 256, size: int = 224) -> torch.Tensor:
    """Evaluation transform: scale the short side to ``resize``, take the central ``size``² square."""
    _, height, width = image.shape
    factor = resize / min(height, width)
    scaled = _resize(image, (max(size, round(height * factor)), max(size, round(width * factor))))
    top, left = (scaled.shape[1] - size) // 2, (scaled.shape[2] - size) // 2
    return scaled[:, top : top + size, left : left + size]


def _resize(image: torch.Tensor, shape: tuple[int, int]) -> torch.Tensor:
    """Bilinear (antialiased) resize of a uint8 ``[C,H,W]`` image, staying uint8."""
    resized = F.interpolate(image[None].float(), size=shape, mode="bilinear", align_corners=False, antialias=True)
    return resized[0].round().clamp(0, 255).to(torch.uint8)


def colour_jitter(
    images: torch.Tensor, generator: torch.Generator, brightness: float = 0.4, contrast: float = 0.4, saturation: float = 0.4
) -> torch.Tensor:
    """Scale brightness, contrast and saturation of each image of a 0–1 float batch by factors drawn
    uniformly from [1-s, 1+s]; the result is clipped to 0–1."""
    n = images.shape[0]

    def factors(strength: float) -> torch.Tensor:
        return (1 + strength * (2 * torch.rand(n, generator=generator) - 1)).view(n, 1, 1, 1)

    grey_weights = torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)
    out = images * factors(brightness)
    grey = (out * grey_weights).sum(1, keepdim=True)
    out = (out - grey.mean((2, 3), keepdim=True)) * factors(contrast) + grey.mean((2, 3), keepdim=True)
    grey = (out * grey_weights).sum(1, keepdim=True)
    out = (out - grey) * factors(saturation) + grey
    return out.clamp(0.0, 1.0)
