"""ImageNet (or any class-folder image set) for the DARTS trainer: ``<root>/<split>/<class>/*.JPEG``.

Classes are the sorted folder names of the split (for ILSVRC-2012 the WordNet ids, which gives
the usual label order); ``train`` and ``val`` must list the same classes. Images are decoded lazily
per item, so the dataset works with a DataLoader's worker processes; training items are random-resized
crops with a flip, evaluation items the 256-resize / 224-centre crop (`tgnas.darts.augment`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from tgnas.darts.augment import random_resized_crop, resize_centre_crop
from tgnas.data.cifar import balanced_subset

IMAGE_SUFFIXES = (".jpeg", ".jpg", ".png")
SPLITS = ("train", "val")
#: ImageNet per-channel mean and standard deviation (0–1 scale)
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def _class_folders(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise FileNotFoundError(f"ImageNet split folder {folder} does not exist; expected <root>/{{train,val}}/<class>/*.JPEG")
    classes = sorted(path for path in folder.iterdir() if path.is_dir())
    if not classes:
        found = sorted(path.name for path in folder.iterdir())[:5]
        raise ValueError(f"{folder} has no class folders (found {found or 'nothing'}); expected <class>/*.JPEG inside")
    return classes


class ImageFolder(Dataset):
    """Images of ``root/split/<class>/`` with labels by sorted class name; ``limit`` keeps a
    class-balanced subset chosen by ``seed``. Items are ``(uint8 [3, size, size], label)``."""

    def __init__(self, root: str | Path, split: str, train: bool, size: int = 224, limit: int | None = None, seed: int = 0) -> None:
        if split not in SPLITS:
            raise ValueError(f"unknown ImageNet split {split!r}; accepted: {', '.join(SPLITS)}")
        self.root = Path(root).expanduser()
        if not self.root.is_dir():
            raise FileNotFoundError(f"ImageNet folder {self.root} does not exist; expected <root>/{{train,val}}/<class>/*.JPEG")
        class_folders = _class_folders(self.root / split)
        self.classes = [folder.name for folder in class_folders]
        files, labels = [], []
        for label, folder in enumerate(class_folders):
            for path in sorted(folder.iterdir()):
                if path.suffix.lower() in IMAGE_SUFFIXES:
                    files.append(path)
                    labels.append(label)
        if not files:
            raise ValueError(f"{self.root / split} has class folders but no {'/'.join(IMAGE_SUFFIXES)} images")
        chosen = balanced_subset(labels, limit, seed)
        self.files = [files[i] for i in chosen]
        self.labels = np.asarray(labels, dtype=np.int64)[chosen]
        self.train = train
        self.size = size

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        from PIL import Image  # Pillow: only when an image is decoded

        with Image.open(self.files[index]) as image:
            pixels = torch.from_numpy(np.asarray(image.convert("RGB"), dtype=np.uint8).copy()).permute(2, 0, 1)
        if self.train:
            # Worker processes get a fresh torch seed each epoch from the DataLoader; draw from it.
            generator = torch.Generator().manual_seed(int(torch.randint(0, 2**62, (1,))))
            pixels = random_resized_crop(pixels, self.size, generator)
        else:
            pixels = resize_centre_crop(pixels, resize=round(self.size * 256 / 224), size=self.size)
        return pixels, int(self.labels[index])
