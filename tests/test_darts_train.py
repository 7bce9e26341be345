"""The DARTS trainer: protocol defaults, schedule, augmentations, exact resume, a killed run, torchrun, CLI errors."""

from __future__ import annotations

import json
import os
import pickle
import re
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from tgnas.cli import main
from tgnas.darts import augment, trainer
from tgnas.darts.imagenet import ImageFolder
from tgnas.darts.trainer import CHECKPOINT, METRICS_CSV, TrainConfig, WarmupCosine, load_checkpoint, state_checksum, train_network
from tgnas.spaces.darts import DARTS_V2

TRAIN_IMAGES, TEST_IMAGES = 160, 40
TINY = dict(layers=3, channels=4, batch_size=32, drop_path=0.2, auxiliary_weight=0.4)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def batches(tmp_path_factory) -> Path:
    """A CIFAR-10 python-batch folder with learnable synthetic images: brightness encodes the class."""
    folder = tmp_path_factory.mktemp("cifar") / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)

    def batch(count: int) -> bytes:
        labels = np.arange(count) % 10
        pixels = (labels[:, None] * 25 + rng.integers(0, 20, size=(count, 3072))).astype(np.uint8)
        return pickle.dumps({b"data": pixels, b"labels": labels.tolist()})

    for number in range(1, 6):
        (folder / f"data_batch_{number}").write_bytes(batch(TRAIN_IMAGES // 5))
    (folder / "test_batch").write_bytes(batch(TEST_IMAGES))
    return folder


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}


def _cli(batches: Path, out: Path, *extra: str) -> list[str]:
    return [
        "darts-train",
        "--data",
        str(batches),
        "--out",
        str(out),
        "--layers",
        "3",
        "--channels",
        "4",
        "--batch-size",
        "32",
        "--no-progress",
        *extra,
    ]


# -- protocol and schedule ---------------------------------------------------------------------------
def test_defaults_are_the_darts_protocol():
    cifar = TrainConfig().resolved()
    assert (cifar.epochs, cifar.channels, cifar.layers, cifar.batch_size) == (600, 36, 20, 96)
    assert (cifar.lr, cifar.weight_decay, cifar.drop_path, cifar.cutout) == (0.025, 3e-4, 0.3, 16)
    assert (cifar.auxiliary_weight, cifar.grad_clip, cifar.momentum, cifar.label_smoothing) == (0.4, 5.0, 0.9, 0.0)
    imagenet = TrainConfig(dataset="imagenet", data="imagenet-folder").resolved()
    assert (imagenet.channels, imagenet.layers, imagenet.lr, imagenet.weight_decay, imagenet.label_smoothing) == (48, 14, 0.5, 3e-5, 0.1)
    assert TrainConfig(epochs=7, lr=0.1).resolved().epochs == 7  # explicit values win


def test_learning_rate_schedule_is_cosine_after_linear_warmup():
    cosine = WarmupCosine(epochs=10, warmup=0)
    assert cosine(0) == 1.0 and cosine(5) == pytest.approx(0.5) and cosine(10) == pytest.approx(0.0)
    assert all(cosine(e) > cosine(e + 1) for e in range(10))
    warm = WarmupCosine(epochs=10, warmup=3)
    assert [warm(e) for e in range(3)] == pytest.approx([0.25, 0.5, 0.75])
    assert warm(3) == 1.0 and warm(10) == pytest.approx(0.0)


@pytest.mark.parametrize(
    "settings, message",
    [
        (dict(dataset="svhn"), "unknown dataset 'svhn'; accepted: cifar10, imagenet"),
        (dict(epochs=0), r"epochs \(--epochs\) must be a positive integer, got 0"),
        (dict(drop_path=1.0), r"drop_path \(--drop-path\) must be in \[0, 1\)"),
        (dict(momentum=1.5), r"momentum \(--momentum\) must be in \[0, 1\), got 1.5"),
        (dict(grad_clip=0.0), r"grad_clip \(--grad-clip\) must be positive"),
        (dict(weight_decay=-1e-4), r"weight_decay \(--weight-decay\) must be >= 0"),
        (dict(epochs=3, warmup_epochs=3), r"warmup_epochs \(--warmup-epochs\) must be in 0..epochs-1"),
        (dict(dataset="imagenet"), r"data \(--data\) is required for imagenet"),
    ],
)
def test_bad_settings_give_clear_errors(settings, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**settings).resolved()


def _no_data(monkeypatch):
    def load_data(config):
        raise AssertionError("the data were loaded before the settings were checked")

    monkeypatch.setattr(trainer, "load_data", load_data)


@pytest.mark.parametrize(
    "settings, message",
    [
        (dict(limit_images=50), r"limit_images \(--limit-images\) must be at least 100 \(10 per class × 10 classes of cifar10\), got 50"),
        (dict(limit_images=500, limit_test_images=20), r"limit_test_images \(--limit-test-images\) must be at least 100"),
        (dict(layers=2), "layers must be an integer >= 3, got 2"),
        (dict(channels=5), "channels must be even"),
        (dict(genotype="DARTS_V9"), "unknown DARTS genotype name 'DARTS_V9'"),
    ],
)
def test_settings_are_refused_before_the_data_are_read(settings, message, tmp_path, monkeypatch):
    _no_data(monkeypatch)
    messages = []
    with pytest.raises(ValueError, match=message):
        train_network(TrainConfig(out=str(tmp_path / "run"), **settings), progress=False, log=messages.append)
    assert messages == [] and not (tmp_path / "run").exists()  # refused before the run is announced


def test_an_out_that_is_a_file_or_holds_a_checkpoint_is_refused_before_the_data_are_read(tmp_path, monkeypatch):
    _no_data(monkeypatch)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match=r"out \(--out\) '.*file' is an existing file; it must be a folder"):
        train_network(TrainConfig(out=str(tmp_path / "file")), progress=False)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / CHECKPOINT).write_bytes(b"earlier run")
    with pytest.raises(ValueError, match=r"already holds the checkpoint.pt of an earlier run; continue it with resume \(--resume\)"):
        train_network(TrainConfig(out=str(tmp_path / "run")), progress=False)
    assert (tmp_path / "run" / CHECKPOINT).read_bytes() == b"earlier run"


def test_a_run_announces_what_it_is_about_to_train():
    config = TrainConfig().resolved()
    assert trainer.describe(config) == (
        "training DARTS_V2 on the full cifar10 training set for 600 epochs (20 cells, C=36, batch 96, lr 0.025); checkpoints in darts-run"
    )
    assert "on 500 training images for 1 epoch (" in trainer.describe(replace(config, epochs=1, limit_images=500))


# -- augmentations ------------------------------------------------------------------------------------
def test_random_crop_flip_returns_padded_crops():
    generator = torch.Generator().manual_seed(0)
    images = torch.randint(1, 256, (64, 3, 8, 8), dtype=torch.uint8)
    out = augment.random_crop_flip(images, padding=2, generator=generator)
    padded = torch.nn.functional.pad(images, (2, 2, 2, 2))
    flips = 0
    for original, crop in zip(padded, out):
        candidates = [original[:, top : top + 8, left : left + 8] for top in range(5) for left in range(5)]
        plain = any(torch.equal(crop, c) for c in candidates)
        flipped = any(torch.equal(crop, c.flip(-1)) for c in candidates)
        assert plain or flipped
        flips += flipped and not plain
    assert 16 < flips < 48  # about half are flipped


def test_cutout_zeroes_one_clipped_square():
    generator = torch.Generator().manual_seed(1)
    out = augment.cutout(torch.ones(200, 3, 32, 32), 16, generator)
    holes = out[:, 0] == 0
    assert torch.equal(holes, (out == 0).all(dim=1))  # every channel alike
    areas = holes.flatten(1).sum(1)
    assert areas.max() == 256 and (areas > 0).all() and (areas < 256).any()  # clipped at borders
    rows, cols = holes.any(dim=2).sum(1), holes.any(dim=1).sum(1)
    assert torch.equal(rows * cols, areas)  # a rectangle
    assert torch.equal(augment.cutout(torch.ones(2, 3, 4, 4), 0, generator), torch.ones(2, 3, 4, 4))


def test_imagenet_transforms_and_folder(tmp_path):
    generator = torch.Generator().manual_seed(0)
    image = torch.randint(0, 256, (3, 40, 60), dtype=torch.uint8)
    assert augment.random_resized_crop(image, 24, generator).shape == (3, 24, 24)
    assert augment.resize_centre_crop(image, resize=32, size=28).shape == (3, 28, 28)
    jittered = augment.colour_jitter(torch.rand(4, 3, 8, 8), generator)
    assert jittered.min() >= 0 and jittered.max() <= 1
    still = torch.rand(2, 3, 8, 8)
    torch.testing.assert_close(augment.colour_jitter(still, generator, 0.0, 0.0, 0.0), still)
    for split in ("train", "val"):
        for name in ("n01", "n02"):
            (tmp_path / split / name).mkdir(parents=True)
            for index in range(3):
                Image.fromarray(np.full((30 + index, 50, 3), index * 60, np.uint8)).save(tmp_path / split / name / f"{index}.JPEG")
    folder = ImageFolder(tmp_path, "train", train=True, size=16, limit=4)
    assert folder.classes == ["n01", "n02"] and len(folder) == 4 and sorted(folder.labels.tolist()) == [0, 0, 1, 1]
    pixels, label = folder[0]
    assert pixels.shape == (3, 16, 16) and pixels.dtype == torch.uint8 and label == 0
    with pytest.raises(FileNotFoundError, match="ImageNet folder .*nowhere does not exist"):
        ImageFolder(tmp_path / "nowhere", "train", train=True)
    with pytest.raises(ValueError, match="unknown ImageNet split 'test'; accepted: train, val"):
        ImageFolder(tmp_path, "test", train=False)


# -- state checksum ----------------------------------------------------------------------------------------
def _small_model(seed: int = 0, first: str = "conv") -> torch.nn.Module:
    torch.manual_seed(seed)
    conv, norm = torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4)
    model = torch.nn.Module()
    for name in ("conv", "norm") if first == "conv" else ("norm", "conv"):
        model.add_module(name, conv if name == "conv" else norm)
    return model


def test_state_checksum_is_equal_for_equal_states_and_differs_for_any_change():
    checksum = state_checksum(_small_model())
    assert len(checksum) == 16 and int(checksum, 16) >= 0
    assert state_checksum(_small_model()) == checksum
    assert state_checksum(_small_model(first="norm")) == checksum  # registration order does not matter
    assert state_checksum(_small_model().to(memory_format=torch.channels_last)) == checksum  # nor memory layout
    assert state_checksum(_small_model(seed=1)) != checksum
    changed = _small_model()
    with torch.no_grad():
        changed.conv.weight[0, 0, 0, 0] += 1e-6
    assert state_checksum(changed) != checksum
    buffer = _small_model()
    buffer.norm.num_batches_tracked += 1  # buffers count, not only parameters
    assert state_checksum(buffer) != checksum
    renamed = torch.nn.Module()
    renamed.add_module("conv2", _small_model().conv)
    renamed.add_module("norm", _small_model().norm)
    assert state_checksum(renamed) != checksum  # names count, not only values


# -- training, resuming ----------------------------------------------------------------------------------
def _same_state(first, second) -> None:
    assert first.keys() == second.keys()
    for key in first:
        if isinstance(first[key], torch.Tensor):
            assert torch.equal(first[key], second[key]), key
        elif isinstance(first[key], dict):
            _same_state(first[key], second[key])
        else:
            assert first[key] == second[key], key


def test_resumed_run_equals_uninterrupted_run(batches, tmp_path):
    config = TrainConfig(data=str(batches), epochs=2, **TINY)
    whole = train_network(replace(config, out=str(tmp_path / "whole")), progress=False, log=lambda _: None)
    part = train_network(replace(config, out=str(tmp_path / "split"), stop_after=1), progress=False, log=lambda _: None)
    assert part["epochs_done"] == 1 and load_checkpoint(tmp_path / "split" / CHECKPOINT)["epoch"] == 1
    messages = []
    resumed = train_network(replace(config, out=str(tmp_path / "split"), resume=True), progress=False, log=messages.append)
    assert messages[0].startswith("training DARTS_V2 on the full cifar10 training set for 2 epochs")
    assert messages[1].startswith("resumed") and "after epoch 1 of 2" in messages[1]
    assert resumed["epochs_done"] == whole["epochs_done"] == 2
    reference, continued = load_checkpoint(tmp_path / "whole" / CHECKPOINT), load_checkpoint(tmp_path / "split" / CHECKPOINT)
    _same_state(
        {key: reference[key] for key in ("model", "optimizer", "scheduler")},
        {key: continued[key] for key in ("model", "optimizer", "scheduler")},
    )
    _same_state(reference["rng"][0], continued["rng"][0])
    timing = {"train_seconds", "images_per_second"}
    strip = lambda rows: [{k: v for k, v in row.items() if k not in timing} for row in rows]  # noqa: E731
    assert strip(reference["history"]) == strip(continued["history"])
    assert resumed["top1"] == whole["top1"] and resumed["rank_checksums"] == whole["rank_checksums"]
    lrs = [row["lr"] for row in reference["history"]]
    assert lrs == pytest.approx([0.025, 0.0125])  # cosine over 2 epochs
    assert [row["drop_path_prob"] for row in reference["history"]] == pytest.approx([0.0, 0.1])
    csv_rows = (tmp_path / "whole" / METRICS_CSV).read_text().splitlines()
    assert csv_rows[0].startswith("epoch,lr,drop_path_prob,train_loss,train_top1,test_loss,test_top1,test_top5")
    assert len(csv_rows) == 3
    with pytest.raises(ValueError, match=r"cannot resume .*settings differ \(layers: 3 in the checkpoint, 4 now\); resume with"):
        train_network(replace(config, out=str(tmp_path / "split"), resume=True, layers=4), progress=False, log=lambda _: None)


def test_training_learns_the_synthetic_task(batches, tmp_path):
    config = TrainConfig(data=str(batches), epochs=4, lr=0.1, cutout=0, out=str(tmp_path), **{**TINY, "drop_path": 0.0})
    summary = train_network(config, progress=False, log=lambda _: None)
    history = load_checkpoint(tmp_path / CHECKPOINT)["history"]
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert summary["top5"] >= summary["top1"] and summary["top1"] > 10.0  # chance is 10 %
    assert summary["train_images"] == TRAIN_IMAGES and summary["test_images"] == TEST_IMAGES


@pytest.mark.slow
def test_killed_run_resumes_with_the_same_epochs_and_optimiser_state(batches, tmp_path):
    command = [sys.executable, "-m", "tgnas", *_cli(batches, tmp_path / "killed", "--epochs", "3")]
    process = subprocess.Popen(command, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    checkpoint = tmp_path / "killed" / CHECKPOINT
    deadline = time.monotonic() + 120
    while not checkpoint.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert process.poll() is None, f"the run ended before it could be killed: {process.stderr.read().decode()}"
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()
    killed_at = load_checkpoint(checkpoint)["epoch"]  # a whole checkpoint, never a torn one
    assert 1 <= killed_at < 3
    resumed = subprocess.run([*command, "--resume", "--json"], env=_env(), capture_output=True, text=True, check=True)
    assert f"after epoch {killed_at} of 3" in resumed.stderr
    assert json.loads(resumed.stdout)["epochs_done"] == 3
    # the same settings as the command line, uninterrupted, in this process (also one thread)
    train_network(
        TrainConfig(data=str(batches), out=str(tmp_path / "whole"), epochs=3, layers=3, channels=4, batch_size=32),
        progress=False,
        log=lambda _: None,
    )
    reference, continued = load_checkpoint(tmp_path / "whole" / CHECKPOINT), load_checkpoint(checkpoint)
    assert continued["epoch"] == reference["epoch"] == 3
    _same_state(
        {"o": reference["optimizer"], "s": reference["scheduler"], "m": reference["model"]},
        {"o": continued["optimizer"], "s": continued["scheduler"], "m": continued["model"]},
    )


def _default_sigint() -> None:
    # a job started in the background (``cmd &``) inherits an *ignored* SIGINT, and Python keeps it ignored;
    # the child must get the terminal's default, as a user's foreground run has
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
def test_ctrl_c_prints_one_line_exits_130_and_the_run_resumes(batches, tmp_path):
    # enough epochs that the run cannot finish between the first checkpoint and the signal (tiny epochs are fast)
    command = [sys.executable, "-m", "tgnas", *_cli(batches, tmp_path / "run", "--epochs", "30")]
    process = subprocess.Popen(
        command, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, preexec_fn=_default_sigint
    )
    checkpoint = tmp_path / "run" / CHECKPOINT
    deadline = time.monotonic() + 120
    while not checkpoint.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.5)  # the run records the epoch as finished just after writing its checkpoint; 30 epochs leave time
    assert process.poll() is None, f"the run ended before it could be interrupted: {process.stderr.read()}"
    process.send_signal(signal.SIGINT)
    error = process.communicate(timeout=120)[1]
    assert process.returncode == 130
    assert re.fullmatch(r"tgnas: interrupted after epoch [0-9]+/30; rerun the same command with --resume\n", error), error
    done = load_checkpoint(checkpoint)["epoch"]
    assert 1 <= done < 30 and f"epoch {done}/30" in error and not list(checkpoint.parent.glob(".*.part"))  # only complete files are left
    resumed = subprocess.run([*command, "--resume", "--json"], env=_env(), capture_output=True, text=True, check=True)
    assert f"after epoch {done} of 30" in resumed.stderr and json.loads(resumed.stdout)["epochs_done"] == 30


@pytest.mark.slow
def test_torchrun_two_gloo_processes_agree(batches, tmp_path):
    torchrun = Path(sys.executable).with_name("torchrun")
    result = subprocess.run(
        [str(torchrun), "--standalone", "--nproc-per-node", "2", "-m", "tgnas", *_cli(batches, tmp_path, "--epochs", "2", "--json")],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout)  # only rank 0 prints
    assert summary["world_size"] == 2 and summary["epochs_done"] == 2
    assert len(summary["rank_checksums"]) == 2 and len(set(summary["rank_checksums"])) == 1
    assert summary["train_images"] == TRAIN_IMAGES and 0 <= summary["top1"] <= summary["top5"] <= 100
    assert summary["images_per_second"] > 0 and summary["params_M"] > 0
    assert len((tmp_path / METRICS_CSV).read_text().splitlines()) == 3


# -- command-line errors ------------------------------------------------------------------------------
def test_cli_reports_bad_genotype_unknown_op_and_missing_data_in_one_line(batches, tmp_path, capsys):
    cases = [
        (["--genotype", "Genotype(normal=[('sep_conv_3x3', 0)"], "malformed DARTS genotype"),
        (["--genotype", "DARTS_V7"], "unknown DARTS genotype name 'DARTS_V7'"),
        (["--genotype", "Genotype(normal=[('conv_7x7', 0), ('sep_conv_3x3', 1)] * 4)"], "malformed DARTS genotype"),
        (["--data", str(tmp_path / "missing")], "CIFAR-10 source .*missing does not exist"),
        (["--epochs", "0"], r"epochs \(--epochs\) must be a positive integer"),
        (["--genotype", str(DARTS_V2).replace("dil_conv_3x3", "conv_7x7")], "unknown DARTS op 'conv_7x7'.*accepted: none, max_pool_3x3"),
    ]
    for extra, message in cases:
        arguments = _cli(batches, tmp_path / "out", "--epochs", "1", *extra)
        assert main(arguments) == 2
        error = capsys.readouterr().err
        assert error.count("\n") == 1 and error.startswith("tgnas: error: ")
        assert re.search(message, error), (extra, error)
    assert not (tmp_path / "out").exists()
