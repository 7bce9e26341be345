"""Bad arguments for every command: exit status 2, one ``tgnas: error:`` line naming the option (or the
value) and what is accepted, nothing on stdout, no traceback, and nothing loaded first.

Damaged data files are `tests/test_bad_data.py`'s; this suite is about the command line itself.
Most cases run in-process (``main([...])``); a few go through ``python -m tgnas`` to cover the real
entry point. ``{tmp}`` in an argument is a fresh folder, ``{file}`` an existing file in it, and
``{run}`` a folder holding a DARTS checkpoint, ``{folder.pt}`` a folder named like a weights file.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tgnas.cli import main

NB201_CELL = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"
TRAIN = ["train", "--target", "nb201", "--sources", "nb101", "--out", "{tmp}/w.pt"]

#: (argv, regular expression the error line must contain)
CASES = [
    # data
    (["data", "fetch", "--only", "nb999"], "unknown data file or group 'nb999'; known groups: nb201"),
    (["data", "fetch", "--mirror", "ftp://example.org", "--only", "nb201"], "mirror 'ftp://example.org' is neither an http"),
    (["data", "import-nb201", "NAS-Bench-201.pth", "--out", "{tmp}"], "--out '.*' is a folder; it must name a file"),
    (["data", "chek"], "argument action: invalid choice: 'chek'"),
    # space
    (["space", "sample", "--space", "nb999"], "argument --space: unknown search space 'nb999'; accepted: "),
    (["space", "sample", "--space", "nb201", "--seed", "-1"], "argument --seed: expected an integer >= 0, got '-1'"),
    (["space", "sample", "--space", "nb201", "--n", "many"], "argument --n: expected an integer >= 1, got 'many'"),
    (["space", "show", "--space", "darts", "DARTS_V9"], "unknown DARTS genotype name 'DARTS_V9'"),
    # score (evaluate has the same front: one case)
    (["score", "--space", "nb101", NB201_CELL], "no TG proxy ships for --space nb101; shipped: nb201, darts; pass --weights"),
    (["score", "--space", "nb201", "--threads", "0", NB201_CELL], "argument --threads: expected an integer >= 1, got '0'"),
    (["score", "--space", "nb201"], "the following arguments are required: arch"),
    (["evaluate", "--space", "nb999"], "argument --space: unknown search space 'nb999'"),
    # train
    ([*TRAIN, "--seed", "-1"], "argument --seed: expected an integer >= 0, got '-1'"),
    ([*TRAIN, "--members", "0"], "argument --members: expected an integer >= 1, got '0'"),
    ([*TRAIN, "--pca", "-1"], "argument --pca: expected an integer >= 0, got '-1'"),
    ([*TRAIN, "--out", "weights.bin"], "--out must name a .pt weights file, got 'weights.bin'"),
    ([*TRAIN, "--out", "{folder.pt}"], "--out '.*folder.pt' is a folder; it must name a file"),
    ([*TRAIN, "--sources", "nb999"], "unknown training source 'nb999'; accepted: nb101"),
    ([*TRAIN, "--sources", "nb101", "nb201", "--pca", "8"], "refusing to train a zero-shot nb201 model on nb201 labels"),
    ([*TRAIN, "--sources", "bench:nb201:mean"], "refusing to train a zero-shot nb201 model on nb201 labels"),
    ([*TRAIN, "--sources", "bench:nb999"], "unknown benchmark 'nb999' in source 'bench:nb999'"),
    ([*TRAIN, "--selection", "{tmp}/none.json"], "--selection file '.*none.json' does not exist"),
    ([*TRAIN, "--selection", "{file}"], "--selection file '.*file' is not readable JSON"),
    ([*TRAIN, "--patience", "0"], "argument --patience: expected an integer >= 1, got '0'"),
    ([*TRAIN, "--loss", "mae", "--pca", "8"], "unknown loss 'mae'; accepted: mse, pairwise, mse\\+pairwise, listwise"),
    ([*TRAIN, "--readout", "attention"], "unknown readout 'attention'; accepted: sum"),
    ([*TRAIN, "--layer", "sage"], "unknown layer 'sage'; accepted: gcn, gin, gat"),
    ([*TRAIN, "--length", "huge"], "unknown description length 'huge'; accepted: short, medium, long"),
    # select
    (["select", "--target", "nb999", "--out", "{tmp}/s.json"], "unknown target benchmark 'nb999'; accepted: nb201, nb101, nb301"),
    (["select", "--target", "nb201", "--profile", "huge", "--out", "{tmp}/s.json"], "profile must be 'ci' or 'paper', got 'huge'"),
    (["select", "--target", "nb201", "--out", "{tmp}"], "--out '.*' is a folder; it must name a file"),
    (["select", "--target", "nb201", "--out", "{tmp}/s.json", "--results-dir", "{file}"], "--results-dir '.*file' is an existing file"),
    (["select", "--target", "nb201", "--out", "{tmp}/s.json", "--members", "0"], "argument --members: expected an integer >= 1, got '0'"),
    # search
    (["search", "--seed", "-1"], "argument --seed: expected an integer >= 0, got '-1'"),
    (["search", "--seed", "1.5"], "argument --seed: expected an integer >= 0, got '1.5'"),
    (["search", "--method", "bayes"], "argument --method: unknown search method 'bayes'; accepted: hybrid"),
    (["search", "--space", "NB999"], "argument --space: unknown search space 'NB999'"),
    (["search", "--max-latency", "gpu=5"], "argument --max-latency: unknown HW-NAS-Bench device 'gpu' in 'gpu=5'; accepted: edgegpu"),
    (["search", "--max-latency", "edgegpu=fast"], "argument --max-latency: latency limit 'fast' in 'edgegpu=fast' is not a number"),
    (["search", "--max-latency", "edgegpu"], "argument --max-latency: latency limit 'edgegpu' must be DEVICE=MS"),
    (["search", "--max-params", "-1"], "max_params \\(M\\) must be a positive finite number, got -1"),
    (["search", "--max-params", "lots"], "argument --max-params: invalid float value: 'lots'"),
    (["search", "--queries", "5"], "--queries applies to the query searches agnet, tg-warm, random, re, not --method hybrid"),
    (["search", "--dataset", "cifar100"], "--dataset chooses what a query search queries; add --queries N"),
    (["search", "--method", "agnet", "--space", "darts"], "--method agnet spends benchmark queries and needs --space nb201, not darts"),
    (["search", "--method", "random", "--population", "8"], "--population/--generations set the evolution of --method hybrid"),
    (["search", "--population", "2"], "population must be an integer >= 4"),
    (["search", "--space", "darts", "--max-flops", "100"], "constraints are supported for nb201 only"),
    # proxies
    (["proxies", "validate", "--proxies", "synflo"], "unknown proxy 'synflo'; known proxies: epe_nas"),
    (["proxies", "validate", "--batch-size", "0"], "argument --batch-size: expected an integer >= 1, got '0'"),
    (["proxies", "validate", "--seed", "-4"], "argument --seed: expected an integer >= 0, got '-4'"),
    (["proxies", "compute", "--space", "darts", "--out", "{tmp}"], "proxies can be computed for the spaces nb201, not 'darts'"),
    (["proxies", "compute", "--shard", "7/3", "--out", "{tmp}"], "bad shard '7/3': expected 0 <= i < n"),
    (["proxies", "compute", "--shard", "first", "--out", "{tmp}"], "bad shard 'first': expected 'i/n'"),
    (
        ["proxies", "compute", "--shard", "0/8", "--num-shards", "8", "--out", "{tmp}"],
        "argument --num-shards: not allowed with argument --shard",
    ),
    (["proxies", "compute", "--shard", "0/8", "--out", "{file}"], "--out '.*file' is an existing file; it must be a folder"),
    (["proxies", "compute", "--proxies", "params", "params", "--out", "{tmp}"], "proxy names repeat in \\['params', 'params'\\]"),
    (["proxies", "merge", "{tmp}", "--out", "{tmp}"], "--out '.*' is a folder; it must name a file"),
    # darts-train
    (["darts-train", "--seed", "-1"], "argument --seed: expected an integer >= 0, got '-1'"),
    (["darts-train", "--dataset", "svhn"], "argument --dataset: unknown dataset 'svhn'; accepted: cifar10, imagenet"),
    (["darts-train", "--epochs", "0"], "epochs \\(--epochs\\) must be a positive integer, got 0"),
    (["darts-train", "--lr", "fast"], "argument --lr: invalid float value: 'fast'"),
    (["darts-train", "--momentum", "1.5"], "momentum \\(--momentum\\) must be in \\[0, 1\\), got 1.5"),
    (["darts-train", "--drop-path", "1"], "drop_path \\(--drop-path\\) must be in \\[0, 1\\)"),
    (["darts-train", "--limit-images", "5"], "limit_images \\(--limit-images\\) must be at least 100 \\(10 per class × 10 classes"),
    (
        ["darts-train", "--limit-images", "500", "--limit-test-images", "20"],
        "limit_test_images \\(--limit-test-images\\) must be at least 100",
    ),
    (["darts-train", "--layers", "2"], "layers must be an integer >= 3, got 2"),
    (["darts-train", "--channels", "5"], "channels must be even"),
    (["darts-train", "--genotype", "DARTS_V9"], "unknown DARTS genotype name 'DARTS_V9'"),
    (["darts-train", "--dataset", "imagenet"], "data \\(--data\\) is required for imagenet"),
    (["darts-train", "--out", "{file}"], "out \\(--out\\) '.*file' is an existing file; it must be a folder"),
    (
        ["darts-train", "--out", "{run}"],
        "out \\(--out\\) '.*run' already holds the checkpoint.pt of an earlier run; continue it with resume \\(--resume\\)",
    ),
    # book
    (["book", "run", "--profile", "huge"], "unknown profile 'huge'; accepted: ci, paper"),
    (["book", "build", "--profile", "huge"], "unknown profile 'huge'; accepted: ci, paper"),
    (["book", "check", "--profile", "Paper"], "unknown profile 'Paper'; accepted: ci, paper"),
    (["book", "run", "--only", "99_missing"], "unknown notebook '99_missing'; available: 00_benchmarks"),
    (["book", "run", "-p", "n_seeds"], "argument -p/--parameter: expected 2 arguments"),
]

#: the real entry point, one case per kind of check (kept few: every process imports torch)
SUBPROCESS_CASES = [
    (["search", "--seed", "-1"], "argument --seed: expected an integer >= 0"),
    (["score", "--space", "nb101", NB201_CELL], "no TG proxy ships for --space nb101"),
    ([*TRAIN, "--sources", "nb201"], "refusing to train a zero-shot nb201 model on nb201 labels"),
    (["proxies", "compute", "--shard", "7/3", "--out", "{tmp}"], "bad shard '7/3'"),
    (["darts-train", "--out", "{file}"], "out \\(--out\\) '.*file' is an existing file"),
    (["darts-train", "--limit-images", "5"], "limit_images \\(--limit-images\\) must be at least 100"),
]


def _fill(argv: list[str], tmp_path: Path) -> list[str]:
    (tmp_path / "file").write_text("not a folder\n")
    (tmp_path / "run").mkdir(exist_ok=True)
    (tmp_path / "run" / "checkpoint.pt").write_bytes(b"an earlier run")
    (tmp_path / "folder.pt").mkdir(exist_ok=True)
    places = {
        "{tmp}": str(tmp_path),
        "{file}": str(tmp_path / "file"),
        "{run}": str(tmp_path / "run"),
        "{folder.pt}": str(tmp_path / "folder.pt"),
    }
    filled = []
    for argument in argv:
        for key, value in places.items():
            argument = argument.replace(key, value)
        filled.append(argument)
    return filled


@pytest.fixture
def nothing_loads(monkeypatch):
    """Every model, data set and long loop the commands reach raises: a check must refuse the input before them."""
    import tgnas.darts.trainer
    import tgnas.tg.embed
    import tgnas.tg.ensemble
    import tgnas.tg.proxy
    import tgnas.zerocost.shards
    import tgnas.zerocost.validate

    def loaded(*args, **kwargs):
        raise AssertionError("loaded before the arguments were checked")

    for owner, name in (
        (tgnas.tg.proxy.TGProxy, "load"),
        (tgnas.darts.trainer, "load_data"),
        (tgnas.tg.embed.OperatorEmbedder, "with_pca"),
        (tgnas.tg.ensemble, "train_proxy"),
        (tgnas.zerocost.shards, "compute_shard"),
        (tgnas.zerocost.validate, "validate_against_reference"),
    ):
        monkeypatch.setattr(owner, name, loaded)


@pytest.mark.parametrize("argv, message", CASES, ids=[" ".join(argv)[:60] for argv, _ in CASES])
def test_a_bad_argument_is_refused_in_one_line_before_anything_loads(argv, message, tmp_path, nothing_loads, capsys):
    assert main(_fill(argv, tmp_path)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("tgnas: error: ") and captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert re.search(message, captured.err), captured.err


def test_every_command_has_a_bad_input_case():
    from test_cli import COMMAND_PATHS  # pytest puts tests/ on the path

    leaves = {path for path in COMMAND_PATHS if not any(other[: len(path)] == path and other != path for other in COMMAND_PATHS)}
    covered = {tuple(argv[: len(path)]) for argv, _ in CASES for path in leaves if tuple(argv[: len(path)]) == path}
    assert leaves - covered <= {("data", "check"), ("data", "path"), ("book", "all")}


@pytest.mark.slow
@pytest.mark.parametrize("argv, message", SUBPROCESS_CASES, ids=[" ".join(argv)[:60] for argv, _ in SUBPROCESS_CASES])
def test_the_entry_point_prints_one_line_and_exits_2(argv, message, tmp_path):
    result = subprocess.run([sys.executable, "-m", "tgnas", *_fill(argv, tmp_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("tgnas: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert re.search(message, result.stderr), result.stderr
