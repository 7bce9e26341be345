"""The command line: output of the space commands and one-line errors with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tgnas.cli import main

OPTIMUM = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"


def test_space_show_json_is_the_arch_graph(capsys):
    assert main(["space", "show", "--space", "nb201", OPTIMUM, "--json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["arch"] == OPTIMUM
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
    from tgnas import spaces

    space = spaces.create("nb101")
    assert len({space.parse(line) for line in first.splitlines()}) >= 1


@pytest.mark.parametrize(
    "argv, message",
    [
        (["space", "show", "--space", "nb201", "|nor_conv_3x3~0|+|x~0|none~1|+|none~0|none~1|none~2|"], "unknown NB201 op 'x'"),
        (["space", "sample", "--space", "nb201", "--n", "0"], "--n must be a positive number"),
        (["space", "show", "--space", "darts", "Genotype(normal=[('conv_9x9', 0)])"], "missing field(s) normal_concat"),
    ],
)
def test_user_errors_are_one_line_with_status_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("tgnas: error:") and message in err and "Traceback" not in err


def test_missing_data_is_a_user_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TGNAS_DATA", str(tmp_path))
    assert main(["data", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path)


def test_module_entry_point_runs():
    result = subprocess.run([sys.executable, "-m", "tgnas", "space", "sample", "--space", "nb201", "--n", "1"],
                            capture_output=True, text=True, check=True)
    assert result.stdout.count("~") == 6
