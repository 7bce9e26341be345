"""CIFAR-10 images as uint8 arrays, from the data directory or any of the usual layouts.

`load_cifar10` returns ``x`` uint8 ``[N, 32, 32, 3]`` (RGB, HWC) and ``y`` int64 ``[N]`` with labels
in the standard CIFAR-10 class order (`CIFAR10_CLASSES`). Accepted sources:

* ``None`` — the data directory's ``cifar10/cifar10_{split}_jpg.tar.gz`` (JPEG re-encodings; see
  SOURCES.md: close to, but not bit-exact with, the official pixels);
* the official python batches: a directory holding ``data_batch_1..5`` / ``test_batch``, a
  directory holding the ``cifar-10-batches-py`` folder, or the ``cifar-10-python.tar.gz`` archive;
* an image folder ``<root>/<class>/*.jpg|png`` (optionally ``<root>/<split>/<class>/…``), or a
  ``.tar`` / ``.tar.gz`` of that layout (the data directory's tars hold ``<split>/<class>/NNNN.jpg``).

A path component named ``train`` or ``test`` in an image layout marks the split: when any is present,
only images under the requested split are used. ``limit`` picks a class-balanced subset that depends
only on ``seed`` (`balanced_subset`); only the chosen images are decoded, and a tar is read as a
stream (its index first, then the chosen members in file order), so a small subset of the 50,000
training JPEGs is quick.
"""

from __future__ import annotations

import io
import os
import pickle
import tarfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tgnas.data.integrity import (
    DataFileError,
    content_of,
    data_file_error,
    manifest_relative,
    reading,
    verify_checksum,
)
from tgnas.data.paths import data_file

if TYPE_CHECKING:
    import torch  # torch: the numpy readers above work without it

#: class names, in the order of the official label indices 0..9
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
#: per-channel mean and standard deviation of the training images, on the 0–1 scale
CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2470, 0.2435, 0.2616)
SPLITS = ("train", "test")
IMAGE_SIZE = 32
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
BATCH_FOLDER = "cifar-10-batches-py"
BATCH_FILES = {"train": tuple(f"data_batch_{i}" for i in range(1, 6)), "test": ("test_batch",)}
ACCEPTED_LAYOUTS = (
    "the official python batches (data_batch_1..5, test_batch; their folder cifar-10-batches-py or its .tar.gz), "
    "an image folder <root>/<class>/*.jpg|png (optionally <root>/<split>/<class>/...), or a .tar/.tar.gz of that layout"
)


@dataclass(frozen=True)
class _ImageItem:
    """One image of an image layout: where its bytes are, its label, and its position in the source."""

    key: str  # file path or tar member name
    label: int


def _check_split(split: str) -> str:
    if split not in SPLITS:
        raise ValueError(f"unknown CIFAR-10 split {split!r}; accepted: {', '.join(SPLITS)}")
    return split


def _check_limit(limit: int | None) -> int | None:
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1:
        raise ValueError(f"limit must be a positive number of images or None (all), got {limit!r}")
    return int(limit)


def balanced_subset(labels: Sequence[int] | np.ndarray, limit: int | None, seed: int = 0) -> np.ndarray:
    """Indices (ascending) of ``limit`` items taken round-robin over the classes in a seeded order.

    Each class's items are shuffled with ``seed``; then the first item of every class (classes in
    label order), the second of every class, … are taken until ``limit`` items are chosen, skipping
    exhausted classes. So class counts differ by at most one where the classes allow it, the
    subset for ``limit`` contains the one for ``limit - 1``, and the result depends only on
    ``labels``, ``limit`` and ``seed``.
    """
    labels = np.asarray(labels)
    limit = _check_limit(limit)
    if limit is None:
        return np.arange(len(labels))
    if limit > len(labels):
        raise ValueError(f"limit={limit} exceeds the {len(labels)} images available")
    rng = np.random.default_rng(seed)
    queues = [rng.permutation(np.flatnonzero(labels == label)) for label in np.unique(labels)]
    rounds = max(len(queue) for queue in queues)
    padded = np.full((rounds, len(queues)), -1, dtype=np.int64)
    for column, queue in enumerate(queues):
        padded[: len(queue), column] = queue
    order = padded.ravel()
    return np.sort(order[order >= 0][:limit])


def _decode_image(data: bytes, name: str) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError  # Pillow: only the JPEG tars need it

    try:
        with Image.open(io.BytesIO(data)) as image:
            pixels = np.asarray(image.convert("RGB"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"cannot decode image {name!r}: {error}") from error
    if pixels.shape != (IMAGE_SIZE, IMAGE_SIZE, 3):
        raise ValueError(f"image {name!r} is {pixels.shape[1]}x{pixels.shape[0]} pixels; CIFAR-10 images are {IMAGE_SIZE}x{IMAGE_SIZE}")
    return pixels


# -- image layouts (folders and tars) ---------------------------------------------------------------
def _label_images(paths: Sequence[str], split: str, where: str) -> list[_ImageItem]:
    """Keep the images of ``split`` among ``paths`` ('/'-separated) and label them by their folder."""
    images = [path for path in paths if path.lower().endswith(IMAGE_SUFFIXES)]
    if any(set(SPLITS) & set(path.split("/")[:-1]) for path in images):
        images = [path for path in images if split in path.split("/")[:-1]]
        if not images:
            raise ValueError(f"{where} has no images under a {split!r} folder (it separates the splits by folder)")
    if not images:
        raise ValueError(f"{where} holds no .jpg/.png images; accepted: {ACCEPTED_LAYOUTS}")
    folders = {path.split("/")[-2] if "/" in path else "" for path in images}
    unknown = sorted(folders - set(CIFAR10_CLASSES))
    if unknown:
        raise ValueError(
            f"{where} has images in folder(s) {unknown[:5]} that are not CIFAR-10 classes; images must sit in "
            f"a folder named after their class, one of: {', '.join(CIFAR10_CLASSES)}"
        )
    return [_ImageItem(path, CIFAR10_CLASSES.index(path.split("/")[-2])) for path in images]


def _folder_items(root: Path, split: str) -> list[_ImageItem]:
    paths = sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())
    return _label_images(paths, split, f"image folder {root}")


def _load_folder(root: Path, split: str, limit: int | None, seed: int) -> tuple[np.ndarray, np.ndarray]:
    items = _folder_items(root, split)
    chosen = [items[i] for i in balanced_subset([item.label for item in items], limit, seed)]
    with reading(root), content_of(root):
        return _stack(chosen, lambda item: (root / item.key).read_bytes())


def _stack(items: Sequence[_ImageItem], read: Callable[[_ImageItem], bytes]) -> tuple[np.ndarray, np.ndarray]:
    x = np.empty((len(items), IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.uint8)
    for row, item in enumerate(items):
        x[row] = _decode_image(read(item), item.key)
    return x, np.array([item.label for item in items], dtype=np.int64)


def _tar_names(path: Path) -> list[str]:
    """The regular files of a tar; a damaged archive raises `DataFileError`."""
    with reading(path), tarfile.open(path, "r:*") as archive:
        return [member.name for member in archive if member.isfile()]


def _load_image_tar(path: Path, names: list[str], split: str, limit: int | None, seed: int):
    items = _label_images(names, split, f"archive {path}")
    chosen = [items[i] for i in balanced_subset([item.label for item in items], limit, seed)]
    wanted = {item.key for item in chosen}
    found: dict[str, bytes] = {}
    # One streaming pass over the members (no seeking back in the compressed stream).
    with reading(path), tarfile.open(path, "r|*") as archive:
        for member in archive:
            if member.name in wanted:
                stream = archive.extractfile(member)
                assert stream is not None  # wanted names are regular files
                found[member.name] = stream.read()
                if len(found) == len(wanted):
                    break
    with content_of(path):
        return _stack(chosen, lambda item: found[item.key])


# -- the official python batches --------------------------------------------------------------------
class _BatchUnpickler(pickle.Unpickler):
    """Unpickles a CIFAR-10 batch but refuses any global except those numpy arrays need."""

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "scalar"),
    }

    def find_class(self, module: str, name: str):
        if (module, name) not in self._ALLOWED:
            raise ValueError(f"CIFAR-10 batch refers to {module}.{name}; a batch holds only arrays, lists and bytes")
        module = module.replace("numpy.core.", "numpy._core.")
        return super().find_class(module, name)


def _read_batch(data: bytes, name: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        batch = _BatchUnpickler(io.BytesIO(data), encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError) as error:
        raise ValueError(f"{name} is not a CIFAR-10 python batch: {error}") from error
    if not isinstance(batch, dict):
        raise ValueError(f"{name} is not a CIFAR-10 python batch (expected a dict with data and labels)")
    batch = {key.decode() if isinstance(key, bytes) else key: value for key, value in batch.items()}
    if "data" not in batch or "labels" not in batch:
        raise ValueError(f"{name} is not a CIFAR-10 python batch: keys {sorted(batch)}, expected data and labels")
    pixels = np.asarray(batch["data"], dtype=np.uint8)
    labels = np.asarray(batch["labels"], dtype=np.int64)
    if pixels.ndim != 2 or pixels.shape[1] != 3 * IMAGE_SIZE * IMAGE_SIZE or len(pixels) != len(labels):
        raise ValueError(f"{name}: data has shape {pixels.shape} for {len(labels)} labels; expected [N, 3072]")
    if labels.size and not 0 <= labels.min() <= labels.max() < len(CIFAR10_CLASSES):
        raise ValueError(f"{name}: labels outside 0..9 (found {labels.min()}..{labels.max()})")
    # rows are channel-major: 1024 red, 1024 green, 1024 blue values
    return pixels.reshape(-1, 3, IMAGE_SIZE, IMAGE_SIZE).transpose(0, 2, 3, 1), labels


def _concat_batches(batches: list[tuple[np.ndarray, np.ndarray]], limit: int | None, seed: int):
    x = np.concatenate([pixels for pixels, _ in batches])
    y = np.concatenate([labels for _, labels in batches])
    chosen = balanced_subset(y, limit, seed)
    return np.ascontiguousarray(x[chosen]), y[chosen]


def _batch_folder(root: Path) -> Path | None:
    for folder in (root, root / BATCH_FOLDER):
        if (folder / "test_batch").is_file() or (folder / "data_batch_1").is_file():
            return folder
    return None


def _load_batch_folder(folder: Path, split: str, limit: int | None, seed: int):
    missing = [name for name in BATCH_FILES[split] if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(f"CIFAR-10 batch folder {folder} lacks {', '.join(missing)} for the {split} split")
    with content_of(folder):
        batches = [_read_batch((folder / name).read_bytes(), str(folder / name)) for name in BATCH_FILES[split]]
    return _concat_batches(batches, limit, seed)


def _load_batch_tar(path: Path, split: str, limit: int | None, seed: int):
    wanted = BATCH_FILES[split]
    found: dict[str, bytes] = {}
    with reading(path), tarfile.open(path, "r|*") as archive:
        for member in archive:
            base = member.name.rsplit("/", 1)[-1]
            if member.isfile() and base in wanted:
                stream = archive.extractfile(member)
                assert stream is not None
                found[base] = stream.read()
    with content_of(path):
        missing = [name for name in wanted if name not in found]
        if missing:
            raise ValueError(f"archive {path} lacks {', '.join(missing)} for the {split} split")
        batches = [_read_batch(found[name], f"{path}:{name}") for name in wanted]
    return _concat_batches(batches, limit, seed)


def _is_batch_name(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return base == "test_batch" or base.startswith("data_batch_")


# -- entry points -----------------------------------------------------------------------------------
def default_source(split: str) -> Path:
    """The data directory's CIFAR-10 tar for ``split`` (MissingDataError naming the fix if absent)."""
    return data_file(f"cifar10/cifar10_{_check_split(split)}_jpg.tar.gz")


def load_cifar10(
    split: str = "train",
    source: str | os.PathLike[str] | None = None,
    limit: int | None = None,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """CIFAR-10 ``split`` as ``(x uint8 [N,32,32,3], y int64 [N])`` from ``source`` (module docstring).

    ``limit`` keeps a class-balanced subset of that many images chosen by ``seed``; images keep their
    order in the source. A missing path raises FileNotFoundError, an unrecognised layout ValueError.
    """
    _check_split(split)
    limit = _check_limit(limit)
    path = default_source(split) if source is None else Path(source).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"CIFAR-10 source {path} does not exist; accepted: {ACCEPTED_LAYOUTS}")
    if path.is_dir():
        folder = _batch_folder(path)
        if folder is not None:
            return _load_batch_folder(folder, split, limit, seed)
        if not any(item.is_dir() for item in path.iterdir()):
            found = sorted(item.name for item in path.iterdir())[:5]
            raise ValueError(f"CIFAR-10 source {path} has no class folders (found {found or 'nothing'}); accepted: {ACCEPTED_LAYOUTS}")
        return _load_folder(path, split, limit, seed)
    relative = manifest_relative(path)
    if relative is not None:  # the data directory's tar: pinned by its checksum
        try:
            verify_checksum(path, relative)
        except DataFileError:
            _tar_names(path)  # names the problem precisely (truncated, not gzip, …) where it can
            raise
    with reading(path, relative):
        is_tar = tarfile.is_tarfile(path)
    if not is_tar:
        raise data_file_error(path, f"is not a tar archive (accepted CIFAR-10 sources: {ACCEPTED_LAYOUTS})", relative)
    names = _tar_names(path)
    if any(_is_batch_name(name) for name in names):
        return _load_batch_tar(path, split, limit, seed)
    return _load_image_tar(path, names, split, limit, seed)


def normalise(x: np.ndarray | torch.Tensor) -> torch.Tensor:
    """uint8 images ``[N,32,32,3]`` (HWC) → float32 tensor ``[N,3,32,32]`` standardised per channel."""
    import torch  # torch: the numpy readers above work without it

    images = torch.as_tensor(x)
    if images.dtype != torch.uint8 or images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"normalise expects uint8 images [N, H, W, 3], got dtype {images.dtype} and shape {tuple(images.shape)}")
    mean = torch.tensor(CIFAR10_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(CIFAR10_STD).view(1, 3, 1, 1)
    return (images.permute(0, 3, 1, 2).float().div(255.0) - mean) / std
