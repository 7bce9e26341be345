"""The command line front: every group registered and helpful, options checked one way, one-line
errors with exit status 2, verdicts with 1, JSON that parses, and the model card's command."""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import tgnas.darts.cli
import tgnas.spaces.cli
from tgnas import cli_options, interrupts, spaces
from tgnas.cli import ECHO_LIMIT, GROUPS, build_parser, main, one_line

#: an NB201 cell with a conv on every path (any valid cell would do)
NB201_CELL = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"
ACCEPTED_SPACES = "accepted: " + ", ".join(spaces.NAMES)


def _subcommands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path of ``parser`` (("data",), ("data", "fetch"), …)."""
    paths = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                paths.append((*prefix, name))
                paths += _subcommands(sub, (*prefix, name))
    return paths


COMMAND_PATHS = _subcommands(build_parser())


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("tgnas: error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err


# -- registration and help ------------------------------------------------------------------------
def test_every_group_registers_its_commands_and_its_runner():
    [commands] = [action for action in build_parser()._actions if isinstance(action, argparse._SubParsersAction)]
    handlers = {name: parser.get_default("handler") for name, parser in commands.choices.items()}
    assert set(handlers) == {"data", "space", "score", "evaluate", "select", "train", "search", "proxies", "darts-train", "book"}
    assert {handler.__module__ for handler in handlers.values()} == set(GROUPS)
    assert all(handler.__name__ == "run" for handler in handlers.values())


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=" ".join)
def test_every_command_has_help(path, capsys):
    with pytest.raises(SystemExit) as stop:
        main([*path, "--help"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: tgnas {' '.join(path)}")


def test_building_the_parser_imports_no_heavy_package():
    code = (
        "import sys; from tgnas.cli import build_parser; build_parser(); print(sorted({'torch', 'pandas', 'papermill'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# -- option helpers ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "argv",
    [
        ["space", "sample", "--space", "nb999"],
        ["space", "show", "--space", "nb999", NB201_CELL],
        ["score", "--space", "nb999", NB201_CELL],
        ["evaluate", "--space", "nb999"],
        ["train", "--target", "nb999", "--sources", "nb101", "--out", "x.pt"],
        ["search", "--space", "nb999"],
        ["proxies", "validate", "--space", "nb999"],
        ["proxies", "compute", "--space", "nb999", "--out", "x"],
    ],
)
def test_a_bad_space_is_refused_with_the_accepted_names(argv, capsys):
    assert main(argv) == 2
    err = _one_error_line(capsys)
    assert "unknown search space 'nb999'" in err and ACCEPTED_SPACES in err


def test_space_names_are_case_insensitive(capsys):
    assert main(["space", "sample", "--space", "NB201", "--n", "2"]) == 0
    upper = capsys.readouterr().out
    assert main(["space", "sample", "--space", "nb201", "--n", "2"]) == 0
    assert capsys.readouterr().out == upper and upper.count("\n") == 2


@pytest.mark.parametrize(
    "text, minimum, accepted", [("0", 0, True), ("7", 1, True), ("-1", 0, False), ("0", 1, False), ("1.5", 0, False), ("ten", 0, False)]
)
def test_integer_options(text, minimum, accepted):
    parse = cli_options.integer(minimum)
    if accepted:
        assert parse(text) == int(text)
    else:
        with pytest.raises(argparse.ArgumentTypeError, match=f"expected an integer >= {minimum}, got '{text}'"):
            parse(text)


@pytest.mark.parametrize(
    "flags, json_output, tty, shown",
    [
        ([], False, True, True),
        ([], False, False, False),
        ([], True, True, False),
        (["--progress"], True, False, True),
        (["--no-progress"], False, True, False),
    ],
)
def test_progress_is_shown_on_a_terminal_unless_json_or_asked(flags, json_output, tty, shown, monkeypatch):
    parser = argparse.ArgumentParser()
    cli_options.add_progress_option(parser)
    args = parser.parse_args(flags)
    args.json = json_output
    monkeypatch.setattr(sys.stderr, "isatty", lambda: tty)
    assert cli_options.progress(args) is shown


# -- one-line errors (2) and verdicts (1) --------------------------------------------------------------
@pytest.mark.parametrize(
    "argv, message",
    [
        (["space", "show", "--space", "nb201", "|nor_conv_3x3~0|+|x~0|none~1|+|none~0|none~1|none~2|"], "unknown NB201 op 'x'"),
        (["space", "show", "--space", "darts", "Genotype(normal=[('conv_9x9', 0)])"], "missing field(s) normal_concat"),
        (["space", "sample", "--space", "nb201", "--n", "0"], "argument --n: expected an integer >= 1, got '0'"),
        (["space", "sample", "--space", "nb201", "--seed", "-3"], "argument --seed: expected an integer >= 0, got '-3'"),
        (["space", "sample"], "the following arguments are required: --space"),
        (["spaces"], "invalid choice: 'spaces'"),
        (["search", "--method", "bayes"], "unknown search method 'bayes'; accepted: hybrid, pruning"),
        (["proxies", "compute", "--threads", "0", "--out", "x"], "argument --threads: expected an integer >= 1"),
        (["train", "--target", "nb201", "--sources", "nb101", "--out", "weights.bin"], "--out must name a .pt weights file"),
    ],
)
def test_user_errors_are_one_line_with_status_2(argv, message, capsys):
    assert main(argv) == 2
    assert message in _one_error_line(capsys)


@pytest.mark.parametrize(
    "argv, missing",
    [
        (["search", "--method", "random", "--queries", "5", "--no-progress"], "nb201/nb201_all_15625.csv.gz"),
        (["evaluate", "--space", "nb201"], "nb201/nb201_all_15625.csv.gz"),
    ],
)
def test_missing_benchmark_data_is_a_user_error_naming_the_file(argv, missing, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TGNAS_DATA", str(tmp_path))
    assert main(argv) == 2
    err = _one_error_line(capsys)
    assert missing in err and "tgnas data fetch" in err


def test_a_missing_input_file_is_a_user_error_naming_it(tmp_path, capsys):
    assert main(["data", "import-nb201", str(tmp_path / "absent.pth"), "--out", str(tmp_path / "t.csv.gz")]) == 2
    assert "absent.pth" in _one_error_line(capsys)


def test_data_check_on_an_empty_directory_is_a_negative_verdict_in_json(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TGNAS_DATA", str(tmp_path))
    assert main(["data", "check", "--json"]) == 1
    results = json.loads(capsys.readouterr().out)
    required = [result for result in results if result["required"]]
    assert required and all(not r["ok"] and r["detail"] == "not in the data directory" for r in required)


def test_data_path_prints_the_configured_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TGNAS_DATA", str(tmp_path))
    assert main(["data", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path)


# -- outputs ------------------------------------------------------------------------------------------
def test_space_show_json_is_the_arch_graph(capsys):
    assert main(["space", "show", "--space", "nb201", NB201_CELL, "--json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["arch"] == NB201_CELL
    assert entry["graph"]["ops"][0] == "input" and entry["graph"]["ops"][-1] == "output"
    assert len(entry["graph"]["ops"]) == 8 and entry["graph"]["space"] == "nb201"


def test_space_show_text_lists_successors(capsys):
    assert main(["space", "show", "--space", "darts", "DARTS_V2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "DARTS_V2" and "input" in out[1] and out[-1].split()[1] == "output"


def test_space_sample_is_seeded_and_parseable(capsys):
    main(["space", "sample", "--space", "nb101", "--n", "3", "--seed", "7"])
    first = capsys.readouterr().out
    main(["space", "sample", "--space", "nb101", "--n", "3", "--seed", "7"])
    assert capsys.readouterr().out == first
    main(["space", "sample", "--space", "nb101", "--n", "3", "--seed", "8"])
    assert capsys.readouterr().out != first
    space = spaces.create("nb101")
    assert len({space.format(space.parse(line)) for line in first.splitlines()}) == 3


def test_the_model_card_records_the_command_as_run(tmp_path, monkeypatch, capsys):
    """`tgnas train` hands sys.argv (program name normalised) to `train_proxy`, which puts it in the card."""
    import tgnas.tg.ensemble

    received = {}

    class Trained:
        def __init__(self):
            self.card = {"validation_kendall_tau": [0.5]}

        def save(self, path):
            Path(path).write_bytes(b"")

    def fake_train_proxy(sources, target, **options):
        received.update(options, sources=sources, target=target)
        return Trained()

    monkeypatch.setattr(tgnas.tg.ensemble, "train_proxy", fake_train_proxy)
    out = tmp_path / "my weights.pt"
    argv = [
        str(tmp_path / "venv" / "bin" / "tgnas"),  # the script path argv[0] holds
        "train",
        "--target",
        "NB201",
        "--sources",
        "nb101",
        "nb301:30",
        "--epochs",
        "3",
        "--out",
        str(out),
        "--no-progress",
    ]
    monkeypatch.setattr(sys, "argv", argv)
    assert main() == 0
    assert received["command"] == shlex.join(["tgnas", *argv[1:]])
    assert shlex.split(received["command"])[-2] == str(out)  # quoted: the path with a space survives
    assert received["target"] == "nb201" and received["sources"] == ["nb101", "nb301:30"]
    assert received["recipe"].epochs == 3 and received["progress"] is False


def test_long_echoed_input_is_cut_and_the_rest_of_the_message_kept(capsys):
    arch = "|nor_conv_3x3~0|" * 700  # ~11 kB
    assert main(["space", "show", "--space", "nb201", arch]) == 2
    err = _one_error_line(capsys)
    assert len(err) < 2 * ECHO_LIMIT + 200 and f"'{arch[: ECHO_LIMIT - 1]}…'" in err and err.rstrip().endswith("|op~0|op~1|op~2|")


@pytest.mark.parametrize(
    "message, expected",
    [
        ("bad 'x' here", "bad 'x' here"),
        ("line one\n  line two", "line one line two"),
        ("cell " + "a" * 300 + " is bad", "cell " + "a" * ECHO_LIMIT + "… is bad"),
        ('genotype "' + "(" * 300 + '" unknown', 'genotype "' + "(" * (ECHO_LIMIT - 1) + '…" unknown'),
    ],
)
def test_one_line_joins_lines_and_cuts_long_echoes(message, expected):
    assert one_line(message) == expected


# -- interrupts (130) ----------------------------------------------------------------------------------
def _interrupted(monkeypatch, module, step: str | None):
    def run(args):
        if step:
            interrupts.finished(step)
        raise KeyboardInterrupt

    monkeypatch.setattr(module, "run", run)


@pytest.mark.parametrize(
    "module, argv, step, line",
    [
        (tgnas.darts.cli, ["darts-train"], "epoch 3/8", "tgnas: interrupted after epoch 3/8; rerun the same command with --resume"),
        (tgnas.darts.cli, ["darts-train"], None, "tgnas: interrupted; rerun the same command with --resume"),
        (tgnas.spaces.cli, ["space", "sample", "--space", "nb201"], None, "tgnas: interrupted"),
    ],
)
def test_an_interrupt_is_one_line_saying_how_to_continue_with_status_130(module, argv, step, line, monkeypatch, capsys):
    _interrupted(monkeypatch, module, step)
    interrupts.finished("epoch 9/9")  # left over from an earlier command of this process: not reported
    assert main(argv) == 130
    assert capsys.readouterr().err == line + "\n"


def test_sigterm_is_an_interrupt_and_its_handler_is_restored(monkeypatch, capsys):
    def run(args):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises before this ends
        raise AssertionError("SIGTERM did not interrupt")

    before = signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(tgnas.spaces.cli, "run", run)
    assert main(["space", "sample", "--space", "nb201"]) == 130
    assert capsys.readouterr().err == "tgnas: interrupted\n" and signal.getsignal(signal.SIGTERM) is before


@pytest.mark.slow
def test_sigterm_in_proxies_compute_keeps_finished_shards_and_the_rerun_completes(tmp_path):
    # rank 0 of 125 computes shards 0, 125, 250, 375, 500 of 625 (25 cells each, one data-free proxy)
    env = {**os.environ, "RANK": "0", "WORLD_SIZE": "125", "OMP_NUM_THREADS": "1"}
    command = [
        sys.executable,
        "-m",
        "tgnas",
        "proxies",
        "compute",
        "--num-shards",
        "625",
        "--out",
        str(tmp_path),
        "--proxies",
        "synflow",
        "--no-progress",
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob("shard-*.csv")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert process.poll() is None, f"the command ended before it could be interrupted: {process.stderr.read()}"
    process.send_signal(signal.SIGTERM)
    error = process.communicate(timeout=120)[1]
    assert process.returncode == 130
    assert re.fullmatch(
        r"tgnas: interrupted after shard \d+/625; rerun the same command to compute the missing shards "
        r"\(finished ones are kept\)\n",
        error,
    ), error
    kept = sorted(path.name for path in tmp_path.glob("shard-*.csv"))
    assert 1 <= len(kept) < 5 and not list(tmp_path.glob(".*.part"))
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert rerun.stdout.count("kept existing") == len(kept) and rerun.stdout.count("wrote") == 5 - len(kept)


def test_module_entry_point_runs():
    result = subprocess.run(
        [sys.executable, "-m", "tgnas", "space", "sample", "--space", "nb201", "--n", "1"], capture_output=True, text=True, check=True
    )
    assert result.stdout.count("~") == 6
