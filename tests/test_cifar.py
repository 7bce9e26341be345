"""CIFAR-10 loading: every accepted layout gives the same pixels and labels; subsets; errors; the real tars."""

from __future__ import annotations

import io
import pickle
import tarfile
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from tgnas.data.cifar import (
    CIFAR10_CLASSES,
    CIFAR10_MEAN,
    CIFAR10_STD,
    balanced_subset,
    load_cifar10,
    normalise,
)
from tgnas.data.paths import data_file

PER_CLASS = {"train": 3, "test": 2}


def _images(split: str) -> tuple[np.ndarray, np.ndarray]:
    """Random images, PER_CLASS[split] per class, labels in class order."""
    rng = np.random.default_rng(0 if split == "train" else 1)
    y = np.repeat(np.arange(10), PER_CLASS[split])
    return rng.integers(0, 256, size=(len(y), 32, 32, 3), dtype=np.uint8), y


def _png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")  # lossless, so pixels must round-trip exactly
    return buffer.getvalue()


def _write_image_folder(root: Path, split_folders: bool) -> None:
    for split in PER_CLASS:
        x, y = _images(split)
        base = root / split if split_folders else root
        for index, (pixels, label) in enumerate(zip(x, y)):
            path = base / CIFAR10_CLASSES[label] / f"{index:04d}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(_png(pixels))
        if not split_folders:
            return  # a folder without split folders holds one split only


def _batch_bytes(x: np.ndarray, y: np.ndarray) -> bytes:
    rows = x.transpose(0, 3, 1, 2).reshape(len(x), -1)  # the official channel-major rows
    return pickle.dumps({b"batch_label": b"test", b"labels": [int(v) for v in y], b"data": rows, b"filenames": []})


def _write_batches(folder: Path) -> None:
    folder.mkdir(parents=True)
    x, y = _images("train")
    for number, part in enumerate(np.array_split(np.arange(len(y)), 5), start=1):
        (folder / f"data_batch_{number}").write_bytes(_batch_bytes(x[part], y[part]))
    (folder / "test_batch").write_bytes(_batch_bytes(*_images("test")))


def _tar_of(folder: Path, target: Path) -> Path:
    with tarfile.open(target, "w:gz") as archive:
        archive.add(folder, arcname=folder.name)
    return target


def _layouts(tmp_path: Path) -> dict[str, Path]:
    """Every accepted source layout, holding the same images."""
    split_tree = tmp_path / "cifar-images"
    _write_image_folder(split_tree, split_folders=True)
    batches = tmp_path / "download" / "cifar-10-batches-py"
    _write_batches(batches)
    return {
        "image folder with split folders": split_tree,
        "tar.gz of an image folder": _tar_of(split_tree, tmp_path / "images.tar.gz"),
        "batch files": batches,
        "folder holding cifar-10-batches-py": batches.parent,
        "cifar-10-python.tar.gz": _tar_of(batches, tmp_path / "cifar-10-python.tar.gz"),
    }


@pytest.mark.parametrize("split", ["train", "test"])
def test_every_layout_gives_the_same_pixels_and_labels(tmp_path, split):
    expected_x, expected_y = _images(split)
    for name, source in _layouts(tmp_path).items():
        x, y = load_cifar10(split, source=source)
        assert x.dtype == np.uint8 and y.dtype == np.int64, name
        # batches keep the batch order, image layouts sort by class folder: compare per label, sorted
        order, expected_order = (
            np.lexsort((x.reshape(len(x), -1)[:, 0], y)),
            np.lexsort((expected_x.reshape(len(expected_x), -1)[:, 0], expected_y)),
        )
        np.testing.assert_array_equal(y[order], expected_y[expected_order], err_msg=name)
        np.testing.assert_array_equal(x[order], expected_x[expected_order], err_msg=name)


def test_plain_class_folder_and_uncompressed_tar(tmp_path):
    root = tmp_path / "test-only"
    _write_image_folder(root, split_folders=False)
    plain_tar = tmp_path / "plain.tar"
    with tarfile.open(plain_tar, "w") as archive:
        archive.add(root, arcname="anything")
    expected_x, expected_y = _images("train")
    for source in (root, plain_tar):
        x, y = load_cifar10("test", source=source)  # no split folders: the whole source is used
        np.testing.assert_array_equal(y, expected_y)
        np.testing.assert_array_equal(x, expected_x)


def test_limit_takes_a_balanced_seeded_subset_in_source_order(tmp_path):
    source = tmp_path / "cifar-10-batches-py"
    _write_batches(source)
    all_x, all_y = load_cifar10("train", source=source)
    x, y = load_cifar10("train", source=source, limit=20, seed=3)
    assert np.bincount(y, minlength=10).tolist() == [2] * 10
    rows = [int(np.flatnonzero((all_x == image).all(axis=(1, 2, 3)))[0]) for image in x]
    assert rows == sorted(rows)
    again_x, _ = load_cifar10("train", source=source, limit=20, seed=3)
    np.testing.assert_array_equal(x, again_x)
    other_x, _ = load_cifar10("train", source=source, limit=20, seed=4)
    assert not np.array_equal(x, other_x)
    _, y_uneven = load_cifar10("train", source=source, limit=13)
    assert np.bincount(y_uneven, minlength=10).tolist() == [2, 2, 2] + [1] * 7


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(0, 9), min_size=1, max_size=60),
    st.data(),
    st.integers(0, 2**32 - 1),
)
def test_balanced_subset_properties(labels, data, seed):
    labels = np.array(labels)
    limit = data.draw(st.integers(1, len(labels)))
    chosen = balanced_subset(labels, limit, seed)
    assert len(chosen) == limit and len(set(chosen.tolist())) == limit
    assert chosen.tolist() == sorted(chosen.tolist())
    counts = np.bincount(labels[chosen], minlength=10)
    available = np.bincount(labels, minlength=10)
    # a class gets fewer than the largest share only if it ran out of items
    assert all(count >= counts.max() - 1 or count == available[label] for label, count in enumerate(counts))
    if limit > 1:
        assert set(balanced_subset(labels, limit - 1, seed)) <= set(chosen)


def test_normalise_layout_and_values():
    x = np.zeros((2, 32, 32, 3), dtype=np.uint8)
    x[1, 5, 7] = (255, 0, 128)
    out = normalise(x)
    assert out.dtype == torch.float32 and out.shape == (2, 3, 32, 32)
    expected = [
        (255 / 255 - CIFAR10_MEAN[0]) / CIFAR10_STD[0],
        -CIFAR10_MEAN[1] / CIFAR10_STD[1],
        (128 / 255 - CIFAR10_MEAN[2]) / CIFAR10_STD[2],
    ]
    torch.testing.assert_close(out[1, :, 5, 7], torch.tensor(expected))
    torch.testing.assert_close(out[0, :, 0, 0], -torch.tensor(CIFAR10_MEAN) / torch.tensor(CIFAR10_STD))
    with pytest.raises(ValueError, match="uint8 images"):
        normalise(x.astype(np.float32))


def test_bad_arguments_and_layouts_give_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="unknown CIFAR-10 split 'valid'; accepted: train, test"):
        load_cifar10("valid", source=tmp_path)
    with pytest.raises(ValueError, match="limit must be a positive"):
        load_cifar10("test", source=tmp_path, limit=0)
    with pytest.raises(FileNotFoundError, match="does-not-exist does not exist; accepted: the official python"):
        load_cifar10("test", source=tmp_path / "does-not-exist")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=r"has no class folders \(found nothing\)"):
        load_cifar10("test", source=tmp_path / "empty")
    (tmp_path / "notes.txt").write_text("not an archive")
    with pytest.raises(ValueError, match="is not a tar archive"):
        load_cifar10("test", source=tmp_path / "notes.txt")
    wrong = tmp_path / "wrong" / "penguin"
    wrong.mkdir(parents=True)
    (wrong / "0.png").write_bytes(_png(np.zeros((32, 32, 3), dtype=np.uint8)))
    with pytest.raises(ValueError, match=r"folder\(s\) \['penguin'\] that are not CIFAR-10 classes"):
        load_cifar10("test", source=tmp_path / "wrong")
    large = tmp_path / "large" / "cat"
    large.mkdir(parents=True)
    (large / "0.png").write_bytes(_png(np.zeros((64, 48, 3), dtype=np.uint8)))
    with pytest.raises(ValueError, match="is 48x64 pixels; CIFAR-10 images are 32x32"):
        load_cifar10("test", source=tmp_path / "large")
    with pytest.raises(ValueError, match="limit=5 exceeds the 1 images available"):
        load_cifar10("test", source=tmp_path / "large", limit=5)
    only_test = tmp_path / "split-tree"
    _write_image_folder(only_test / "test", split_folders=False)
    with pytest.raises(ValueError, match="no images under a 'train' folder"):
        load_cifar10("train", source=only_test)
    batches = tmp_path / "batches"
    batches.mkdir()
    (batches / "test_batch").write_bytes(_batch_bytes(*_images("test")))
    with pytest.raises(FileNotFoundError, match="lacks data_batch_1, data_batch_2"):
        load_cifar10("train", source=batches)
    (batches / "test_batch").write_bytes(pickle.dumps({b"data": np.zeros((1, 3072), np.uint8), b"labels": [0], b"x": print}))
    with pytest.raises(ValueError, match="refers to builtins.print"):
        load_cifar10("test", source=batches)


@pytest.mark.real_data
def test_real_test_tar_has_1000_images_per_class_matching_the_subset_file():
    x, y = load_cifar10("test")
    assert x.shape == (10_000, 32, 32, 3)
    assert np.bincount(y).tolist() == [1_000] * 10
    assert np.all(np.diff(y) >= 0)  # the tar lists the class folders in the standard order
    subset = np.load(data_file("cifar10/cifar10_test_subset1000.npz"))
    assert tuple(subset["classes"]) == CIFAR10_CLASSES
    first_hundred = np.concatenate([np.flatnonzero(y == label)[:100] for label in range(10)])
    np.testing.assert_array_equal(x[first_hundred], subset["x"])  # both decoded with Pillow from the same JPEGs
    np.testing.assert_array_equal(y[first_hundred], subset["y"])
    mean = x.reshape(-1, 3).mean(axis=0) / 255
    np.testing.assert_allclose(mean, CIFAR10_MEAN, atol=0.02)  # JPEG re-encoding shifts the mean a little


@pytest.mark.real_data
def test_real_train_tar_subset():
    x, y = load_cifar10("train", limit=50, seed=0)
    assert x.shape == (50, 32, 32, 3) and np.bincount(y).tolist() == [5] * 10
    assert 60 < x.mean() < 200
