"""The book pipeline: papermill runner, readiness checks, jupyter-book build, generated status page, browser check.

The runner tests execute tiny jupytext notebooks written to tmp_path (each execution starts one
kernel, about a second); the build tests use the repository's own _config.yml, intro and status
pages with a dummy chapter. Tests that drive Chromium are skipped where it is not installed (CI
installs it, so they run there).
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tgnas.book import browser_check, runner
from tgnas.book import build as book_build
from tgnas.book.browser_check import ChromiumNotFoundError, check_book, dom_problems, parse_dom
from tgnas.book.build import BookBuildError, build_book, html_dir, paper_book_runs, paper_run_problems, readiness_problems
from tgnas.book.layout import (
    discover_notebooks,
    package_fingerprint,
    shipped_weights_digest,
    toc_documents,
    weights_fingerprint,
)
from tgnas.book.manifest import read_manifest, write_manifest
from tgnas.book.runner import NotebookExecutionError, run_notebooks

REPO = Path(__file__).resolve().parents[1]
needs_chromium = pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")

DEMO = """# %% [markdown]
# # Demo chapter
#
# A dummy chapter for the tests.

# %% tags=["parameters"]
profile = "ci"
scale = 2

# %%
import os
import sys

import matplotlib.pyplot as plt

from tgnas.book.scorecard import results_path

print("interpreter:", sys.executable)
print("cwd:", os.getcwd())
print("run:", profile, scale)
print("results:", results_path("00_demo"))

# %% mystnb={"figure": {"caption": "A demo curve.", "name": "fig-demo"}, "image": {"alt": "a rising line through three points"}}
fig, ax = plt.subplots(figsize=(3, 2))
ax.plot([1, 2, 3], [1, 4, scale * 4])
plt.show()
"""

FAILING = """# %% [markdown]
# # Failing chapter

# %% tags=["parameters"]
profile = "ci"

# %%
print("before the failure")

# %%
raise RuntimeError("deliberate failure in the test notebook")
"""


#: the repository's pages other than the chapters (intro first, status last), which every test book has too
PAGES = [doc for doc in toc_documents(REPO) if not doc.startswith("book/chapters/")]


def _toc_text(chapters: list[str]) -> str:
    entries = "".join(f"  - file: {doc}\n" for doc in [*(f"book/chapters/{name}" for name in chapters), *PAGES[1:]])
    return f"format: jb-book\nroot: {PAGES[0]}\nchapters:\n{entries}"


def _make_book(root: Path, chapters: dict[str, str]) -> Path:
    """A book at ``root`` with the repository's config and pages and the given chapter sources."""
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(REPO / "_config.yml", root / "_config.yml")
    shutil.copytree(REPO / "book", root / "book", ignore=shutil.ignore_patterns("chapters", "paper"))
    (root / "_toc.yml").write_text(_toc_text(list(chapters)))
    for name, source in chapters.items():
        (root / "notebooks" / f"{name}.py").write_text(source)
    return root


def _decoy_kernelspec(directory: Path) -> Path:
    """A "python3" kernelspec pointing at an interpreter that does not exist.

    With it first on JUPYTER_PATH, any default kernelspec lookup would fail to start a kernel: only
    a runner that pins the kernel to its own interpreter can execute the notebooks.
    """
    spec_dir = directory / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    argv = [str(directory / "no-such-interpreter" / "python3"), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec_dir / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "decoy", "language": "python"}))
    return directory


# Other work may edit tgnas while these tests run; the runs here must not see a moving fingerprint.
PINNED_FINGERPRINT = "f" * 64


@pytest.fixture(scope="module", autouse=True)
def pinned_fingerprint():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runner, "package_fingerprint", lambda: PINNED_FINGERPRINT)
        yield


@pytest.fixture(scope="module")
def executed_book(tmp_path_factory, pinned_fingerprint):
    """The demo book after one run, and that run's records.

    The run happens under a decoy "python3" kernelspec and MPLBACKEND=Agg (as a CI shell may set):
    neither may keep the kernel from starting on this interpreter or the figure from being shown.
    """
    root = _make_book(tmp_path_factory.mktemp("book"), {"00_demo": DEMO})
    decoy = _decoy_kernelspec(tmp_path_factory.mktemp("jupyter"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(decoy))
        patch.setenv("MPLBACKEND", "Agg")
        records = run_notebooks(root=root)
    return root, records


@pytest.fixture(scope="module")
def built_book(executed_book):
    root, _ = executed_book
    return root, build_book(root=root)


def _copy_book(root: Path, destination: Path) -> Path:
    shutil.copytree(root, destination, ignore=shutil.ignore_patterns("_build"))
    return destination


def _outputs_text(notebook_path: Path) -> str:
    notebook = nbformat.read(notebook_path, as_version=4)
    return "".join("".join(output.get("text", "")) for cell in notebook.cells for output in cell.get("outputs", []))


# --- runner --------------------------------------------------------------------------------


def test_run_executes_each_notebook_on_this_interpreter_in_the_book_root(executed_book):
    root, [record] = executed_book
    assert (record.name, record.status, record.profile) == ("00_demo", "executed", "ci")
    assert record.parameters == {"profile": "ci"}
    assert record.output == root / "book" / "chapters" / "00_demo.ipynb"
    assert record.duration_s is not None and record.duration_s > 0
    text = _outputs_text(record.output)
    assert f"interpreter: {sys.executable}\n" in text
    assert f"cwd: {root.resolve()}\n" in text
    assert "run: ci 2\n" in text


def test_executed_notebook_records_papermill_metadata_with_repo_relative_paths(executed_book):
    root, [record] = executed_book
    notebook = nbformat.read(record.output, as_version=4)
    metadata = notebook.metadata["papermill"]
    assert metadata["input_path"] == "notebooks/00_demo.py"
    assert metadata["output_path"] == "book/chapters/00_demo.ipynb"
    assert metadata["parameters"] == {"profile": "ci"}
    assert metadata["exception"] is None
    assert any(
        output.get("output_type") == "display_data" and "image/png" in output.get("data", {})
        for cell in notebook.cells
        for output in cell.get("outputs", [])
    )
    assert not [path.name for path in record.output.parent.iterdir() if path.name.startswith(".")]


def test_manifest_records_inputs_and_timing_of_the_run(executed_book):
    root, [record] = executed_book
    entry = read_manifest(root / "book" / "chapters")["00_demo"]
    source = root / "notebooks" / "00_demo.py"
    assert entry["source_sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert entry["package_fingerprint"] == PINNED_FINGERPRINT
    assert entry["weights_sha256"] == weights_fingerprint()
    assert entry["weights_loaded"] == {}  # the demo chapter loads no shipped proxy
    assert (entry["profile"], entry["parameters"], entry["status"]) == ("ci", {"profile": "ci"}, "ok")
    assert entry["duration_s"] == record.duration_s and entry["started_at"] == record.started_at


def test_second_run_with_nothing_changed_skips(executed_book):
    root, [first] = executed_book
    before = first.output.stat().st_mtime_ns
    [again] = run_notebooks(root=root)
    assert again.status == "skipped"
    assert again.duration_s == first.duration_s
    assert first.output.stat().st_mtime_ns == before


def test_package_fingerprint_covers_python_sources_and_shipped_weights_only(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "weights" / "v1").mkdir(parents=True)
    (package / "a.py").write_text("A = 1\n")
    (package / "sub" / "b.py").write_text("B = 2\n")
    (package / "weights" / "v1" / "nb201.pt").write_bytes(b"old weights")
    first = package_fingerprint(package)
    assert first == package_fingerprint(package) and len(first) == 64
    (package / "notes.txt").write_text("not code")
    assert package_fingerprint(package) == first
    (package / "weights" / "v1" / "nb201.pt").write_bytes(b"retrained weights")
    assert package_fingerprint(package) != first
    (package / "weights" / "v1" / "nb201.pt").write_bytes(b"old weights")
    assert package_fingerprint(package) == first
    (package / "sub" / "b.py").write_text("B = 3\n")
    assert package_fingerprint(package) != first
    (package / "sub" / "b.py").write_text("B = 2\n")
    (package / "sub" / "b.py").rename(package / "sub" / "c.py")
    assert package_fingerprint(package) != first
    assert package_fingerprint() == package_fingerprint(Path(runner.__file__).resolve().parents[1])


def _change_source(root: Path, monkeypatch=None) -> dict:
    source = root / "notebooks" / "00_demo.py"
    source.write_text(source.read_text().replace("scale = 2", "scale = 5"))
    return {}


def _change_fingerprint(root: Path, monkeypatch) -> dict:
    monkeypatch.setattr(runner, "package_fingerprint", lambda: "0" * 64)
    return {}


def _change_weights(root: Path, monkeypatch) -> dict:
    monkeypatch.setattr(runner, "weights_fingerprint", lambda: "0" * 64)
    return {}


def _delete_output(root: Path, monkeypatch) -> dict:
    (root / "book" / "chapters" / "00_demo.ipynb").unlink()
    return {}


# change → (what to do to the book, returning run_notebooks arguments; expected printed line)
CHANGES = {
    "source edited": (_change_source, "run: ci 5\n"),
    "profile": (lambda root, monkeypatch: {"profile": "paper"}, "run: paper 2\n"),
    "parameter override": (lambda root, monkeypatch: {"parameters": {"scale": 3}}, "run: ci 3\n"),
    "tgnas sources": (_change_fingerprint, "run: ci 2\n"),
    "shipped weights": (_change_weights, "run: ci 2\n"),
    "force": (lambda root, monkeypatch: {"force": True}, "run: ci 2\n"),
    "output deleted": (_delete_output, "run: ci 2\n"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_changed_input_reruns_the_notebook(executed_book, tmp_path, monkeypatch, change):
    root = _copy_book(executed_book[0], tmp_path / "book")
    apply_change, expected_output = CHANGES[change]
    arguments = apply_change(root, monkeypatch)
    [record] = run_notebooks(root=root, **arguments)
    assert record.status == "executed"
    assert expected_output in _outputs_text(record.output)
    entry = read_manifest(record.output.parent)["00_demo"]  # the paper profile runs into its own directory
    assert entry["status"] == "ok" and entry["parameters"] == record.parameters
    assert entry["source_sha256"] == hashlib.sha256((root / "notebooks/00_demo.py").read_bytes()).hexdigest()


def test_failing_notebook_raises_naming_notebook_and_exception_and_keeps_partial_output(tmp_path):
    root = _make_book(tmp_path, {"01_broken": FAILING})
    with pytest.raises(NotebookExecutionError, match=r"notebook 01_broken \(notebooks/01_broken.py\) failed") as caught:
        run_notebooks(root=root)
    message = str(caught.value)
    assert "RuntimeError: deliberate failure in the test notebook" in message
    assert "raise RuntimeError" in message and "--only 01_broken" in message
    assert caught.value.record.status == "failed"
    partial = root / "book" / "chapters" / "01_broken.ipynb"
    assert "before the failure" in _outputs_text(partial)
    assert nbformat.read(partial, as_version=4).metadata["papermill"]["exception"] is True
    assert not [path.name for path in partial.parent.iterdir() if path.name.startswith(".")]
    entry = read_manifest(root / "book" / "chapters")["01_broken"]
    assert entry["status"] == "failed"
    assert entry["error"] == "RuntimeError: deliberate failure in the test notebook"
    assert any("01_broken failed in its last run" in problem for problem in readiness_problems(root))
    with pytest.raises(BookBuildError, match="01_broken failed in its last run"):
        build_book(root=root)
    # Once fixed, the notebook runs again even though its last record is "failed".
    source = root / "notebooks" / "01_broken.py"
    source.write_text(source.read_text().replace('raise RuntimeError("deliberate', 'print("fixed'))
    [record] = run_notebooks(root=root)
    assert record.status == "executed"
    assert readiness_problems(root) == []


DYING = """# %% tags=["parameters"]
profile = "ci"

# %%
import os

# file descriptor 2 is the kernel process's own stderr (sys.stderr is the cell's output stream)
os.write(2, b"the kernel process says goodbye\\n")
os._exit(3)
"""


def test_a_dying_kernel_is_named_with_its_last_output_which_stays_off_the_terminal(tmp_path, capfd):
    root = _make_book(tmp_path, {"01_dying": DYING})
    with pytest.raises(NotebookExecutionError, match=r"notebook 01_dying .* could not be executed: DeadKernelError") as caught:
        run_notebooks(root=root)
    assert "the kernel's last output: the kernel process says goodbye" in str(caught.value)
    assert "goodbye" not in capfd.readouterr().err


def test_unknown_profile_is_rejected_listing_the_profiles(executed_book):
    with pytest.raises(ValueError, match=r"unknown profile 'full'; accepted: ci, paper"):
        run_notebooks("full", root=executed_book[0])


def test_unknown_notebook_is_rejected_listing_the_available_ones(executed_book):
    with pytest.raises(ValueError, match=r"unknown notebook '07_nope'; available: 00_demo"):
        run_notebooks(only=["07_nope"], root=executed_book[0])


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"profile": "paper"}, r"pass the profile as profile=\.\.\., not inside parameters"),
        ({"not an identifier": 1}, r"parameter name 'not an identifier' is not a Python identifier"),
        ({"scale": object()}, r"parameter scale=.* is not JSON-serialisable; accepted: str, int"),
        ({"seed": 1}, r"notebook 00_demo has no parameter 'seed'; its parameters are: profile, scale"),
    ],
)
def test_bad_parameters_are_rejected_before_anything_runs(executed_book, parameters, message):
    root, _ = executed_book
    before = (root / "book/chapters/_runs.json").read_text()
    with pytest.raises(ValueError, match=message):
        run_notebooks(parameters=parameters, root=root, force=True)
    assert (root / "book/chapters/_runs.json").read_text() == before


def test_notebook_without_parameters_cell_is_rejected(tmp_path):
    root = _make_book(tmp_path, {"00_plain": "# %%\nprofile = 'ci'\n"})
    with pytest.raises(ValueError, match=r"00_plain .* needs a cell tagged 'parameters' defining profile"):
        run_notebooks(root=root)


def test_runner_can_be_pointed_at_separate_directories(executed_book, tmp_path):
    notebooks = tmp_path / "sources"
    notebooks.mkdir()
    (notebooks / "00_demo.py").write_text((executed_book[0] / "notebooks/00_demo.py").read_text())
    (notebooks / "helpers.py").write_text("VALUE = 1\n")  # not a chapter: no NN_ prefix
    out = tmp_path / "out"
    [record] = run_notebooks(root=executed_book[0], notebooks_dir=notebooks, out_dir=out, parameters={"scale": 7})
    assert record.output == out / "00_demo.ipynb" and "run: ci 7\n" in _outputs_text(record.output)
    assert list(read_manifest(out)) == ["00_demo"]


def test_a_chapter_records_its_results_beside_the_run_it_belongs_to(executed_book):
    root, [record] = executed_book
    assert f"results: {(root / 'book' / 'chapters' / '00_demo.scorecard.json').resolve()}\n" in _outputs_text(record.output)


@pytest.mark.slow
def test_paper_runs_are_kept_apart_and_the_paper_book_shows_them_where_current(executed_book, tmp_path, monkeypatch):
    root = _copy_book(executed_book[0], tmp_path / "book")
    (root / "notebooks" / "01_other.py").write_text(DEMO.replace("# # Demo chapter", "# # Other chapter").replace("fig-demo", "fig-other"))
    (root / "_toc.yml").write_text(_toc_text(["00_demo", "01_other"]))
    run_notebooks(root=root)  # the ci run of the new chapter
    [paper] = run_notebooks(profile="paper", only="00_demo", root=root)
    paper_dir = root / "book" / "paper"
    assert paper.output == paper_dir / "00_demo.ipynb" and list(read_manifest(paper_dir)) == ["00_demo"]
    text = _outputs_text(paper.output)
    assert "run: paper 2\n" in text and f"results: {(paper_dir / '00_demo.scorecard.json').resolve()}\n" in text
    assert read_manifest(root / "book" / "chapters")["00_demo"]["profile"] == "ci"  # the ci run is untouched
    assert paper_book_runs(root) == {"00_demo": "paper", "01_other": "ci"}

    built = build_book(root=root, profile="paper")
    assert built == html_dir(root, "paper") == root / "_build" / "paper" / "_build" / "html"
    status = (built / "book" / "status.html").read_text()
    runs_table = status[status.index("<table") : status.index("</table>")]
    assert runs_table.index("Demo chapter") < runs_table.index(">paper<") < runs_table.index("Other chapter") < runs_table.index(">ci<")
    demo_page = (built / "book" / "chapters" / "00_demo.html").read_text()
    assert "run: paper 2" in demo_page and "(paper-profile runs)" in demo_page
    assert "run: ci 2" in (built / "book" / "chapters" / "01_other.html").read_text()
    assert not (root / "_build" / "html").exists()  # the ci book is another build

    # a chapter whose shipped proxy weights or source changed since its paper run is shown from its ci run
    with monkeypatch.context() as patch:
        patch.setattr(book_build, "weights_fingerprint", lambda: "0" * 64)
        assert paper_run_problems(root)["00_demo"] is None  # it loaded no shipped proxy
        entry = read_manifest(paper_dir)["00_demo"]
        write_manifest(paper_dir, {"00_demo": {**entry, "weights_loaded": {"nb201.pt": "0" * 64}}})
        expected = "the shipped proxy weights it loaded changed (nb201.pt)"
        assert paper_run_problems(root) == {"00_demo": expected, "01_other": "no paper-profile run"}
        assert paper_book_runs(root)["00_demo"] == "ci"
    (root / "notebooks" / "00_demo.py").write_text(DEMO + "\n# %%\nprint('changed')\n")
    assert paper_run_problems(root)["00_demo"] == "the chapter changed"
    assert paper_book_runs(root)["00_demo"] == "ci"


def test_missing_book_root_and_notebooks_dir_are_clear_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=r"no book root \(a directory with _config.yml and _toc.yml\)"):
        run_notebooks()
    with pytest.raises(ValueError, match=r"notebooks directory .*nowhere does not exist"):
        run_notebooks(root=tmp_path, notebooks_dir=tmp_path / "nowhere")


def test_corrupt_manifest_is_a_clear_error(executed_book, tmp_path):
    root = _copy_book(executed_book[0], tmp_path / "book")
    (root / "book/chapters/_runs.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"run manifest .*_runs.json is not valid JSON .* delete it"):
        run_notebooks(root=root)


# --- readiness and build -------------------------------------------------------------------


def test_repository_toc_lists_intro_chapters_and_status_and_every_notebook():
    documents = toc_documents(REPO)
    assert documents[0] == "book/intro" and documents[-1] == "book/status"
    chapters = [doc for doc in documents if doc.startswith("book/chapters/")]
    assert chapters and chapters == sorted(chapters)
    assert sorted(discover_notebooks(REPO / "notebooks")) == [doc.rsplit("/", 1)[1] for doc in chapters]


LOADS = """# %% [markdown]
# # Chapter with proxies

# %% tags=["parameters"]
profile = "ci"

# %%
import subprocess
import sys

from tgnas.tg.proxy import TGProxy

TGProxy.load("nb201")
TGProxy.load("darts", release="v1")
subprocess.run([sys.executable, "-c", "from tgnas.tg.proxy import TGProxy; TGProxy.load('darts')"], check=True)
"""


def test_a_run_records_the_shipped_weights_it_loaded_and_only_those_outdate_it(tmp_path, monkeypatch):
    root = _make_book(tmp_path / "book", {"00_loads": LOADS})
    run_notebooks(root=root)
    entry = read_manifest(root / "book" / "chapters")["00_loads"]
    loaded = ["darts.pt", "nb201.pt", "v1/darts.pt"]  # the subprocess's load too
    assert entry["weights_loaded"] == {relative: shipped_weights_digest(relative) for relative in loaded}
    assert all(len(digest) == 64 for digest in entry["weights_loaded"].values())
    assert readiness_problems(root) == []
    real_digest = shipped_weights_digest
    with monkeypatch.context() as patch:
        patch.setattr(book_build, "weights_fingerprint", lambda: "0" * 64)  # other weights changed: still current
        assert readiness_problems(root) == []
        patch.setattr(book_build, "shipped_weights_digest", lambda relative: None if relative == "darts.pt" else real_digest(relative))
        assert readiness_problems(root) == [
            "notebook 00_loads: the shipped proxy weights it loaded changed (darts.pt) since it was executed; run `tgnas book run`"
        ]


def test_shipped_weights_digest_covers_the_weights_and_their_card(tmp_path):
    package = tmp_path / "pkg"
    (package / "weights" / "v1").mkdir(parents=True)
    (package / "weights" / "v1" / "nb201.pt").write_bytes(b"weights")
    (package / "weights" / "v1" / "nb201.json").write_text("{}")
    (package / "weights" / "darts.pt").write_bytes(b"weights")
    first = shipped_weights_digest("v1/nb201.pt", package)
    assert len(first) == 64 and shipped_weights_digest("darts.pt", package) != first
    (package / "weights" / "darts.pt").write_bytes(b"retrained")  # another proxy: no change
    assert shipped_weights_digest("v1/nb201.pt", package) == first
    (package / "weights" / "v1" / "nb201.json").write_text('{"release": "v1"}')
    assert shipped_weights_digest("v1/nb201.pt", package) != first
    assert shipped_weights_digest("nb101.pt", package) is None


def test_a_run_recorded_before_loads_were_noted_is_judged_on_all_the_shipped_weights(executed_book, tmp_path, monkeypatch):
    root = _copy_book(executed_book[0], tmp_path / "book")
    chapters = root / "book" / "chapters"
    entry = read_manifest(chapters)["00_demo"]
    del entry["weights_loaded"]
    write_manifest(chapters, {"00_demo": entry})
    assert readiness_problems(root) == []
    expected = ["notebook 00_demo: the shipped proxy weights changed since it was executed; run `tgnas book run`"]
    with monkeypatch.context() as patch:
        patch.setattr(book_build, "weights_fingerprint", lambda: "0" * 64)
        assert readiness_problems(root) == expected
    del entry["weights_sha256"]  # a run recorded before the weights were
    write_manifest(chapters, {"00_demo": entry})
    assert readiness_problems(root) == expected


def test_readiness_problems_name_each_mismatch(executed_book, tmp_path):
    root = _copy_book(executed_book[0], tmp_path / "book")
    assert readiness_problems(root) == []
    (root / "notebooks" / "01_extra.py").write_text(DEMO)
    (root / "_toc.yml").write_text(_toc_text(["00_demo", "02_ghost"]))
    _change_source(root)
    problems = readiness_problems(root)
    assert "notebook 01_extra has no entry `- file: book/chapters/01_extra` in _toc.yml" in problems
    assert any(p.startswith("notebook 01_extra has not been executed") for p in problems)
    assert "notebook 00_demo: the chapter changed since it was executed; run `tgnas book run`" in problems
    assert "_toc.yml lists book/chapters/02_ghost but there is no notebooks/02_ghost.py" in problems
    assert len(problems) == 4
    with pytest.raises(BookBuildError, match="the book is not ready to build"):
        build_book(root=root)


def test_build_renders_chapters_and_the_generated_status_page(built_book):
    root, html_dir = built_book
    assert html_dir == root / "_build" / "html"
    status = (html_dir / "book" / "status.html").read_text()
    table = status[status.index("<table") : status.index("</table>")]
    entry = read_manifest(root / "book/chapters")["00_demo"]
    assert 'href="chapters/00_demo.html"' in table and "Demo chapter" in table and "<code" in table and ">ci<" in table
    assert f"{entry['duration_s']:.1f} s" in table and ">ok<" in table
    assert entry["environment"]["packages"]["tgnas"] in status and entry["environment"]["python"] in status
    chapter = (html_dir / "book" / "chapters" / "00_demo.html").read_text()
    assert "Demo chapter" in chapter and parse_dom(chapter).figures >= 1
    # the jupytext source sits next to the .ipynb in the download menu
    assert 'href="../../_sources/book/chapters/00_demo.py"' in chapter and 'href="../../_sources/book/chapters/00_demo.ipynb"' in chapter
    assert (html_dir / "_sources/book/chapters/00_demo.py").read_text() == (root / "notebooks/00_demo.py").read_text()
    assert (root / "_build" / "book-build.log").read_text().count("build succeeded") == 1


def test_strict_build_fails_on_a_warning_and_names_it(executed_book, tmp_path):
    root = _copy_book(executed_book[0], tmp_path / "book")
    with (root / "book" / "intro.md").open("a") as intro:
        intro.write("\nSee {doc}`no-such-page`.\n")
    with pytest.raises(BookBuildError, match=r"(?s)exit 1.*intro.md:\d+: WARNING: unknown document: 'no-such-page'"):
        build_book(root=root)
    assert "\x1b[" not in (root / "_build" / "book-build.log").read_text()


# --- browser check: DOM checks without Chromium ---------------------------------------------

PIXEL = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


def _site(root: Path, pages: dict[str, str]) -> dict[Path, str]:
    """Write ``pages`` (relative path → HTML) under ``root``; return them as path → DOM."""
    doms = {}
    for relative, html in pages.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html)
        doms[path] = html
    return doms


def _page(body: str) -> str:
    return f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>"


@pytest.fixture
def site(tmp_path):
    (tmp_path / "_images").mkdir()
    (tmp_path / "_images" / "plot.png").write_bytes(PIXEL)
    (tmp_path / "_images" / "empty.png").write_bytes(b"")
    return tmp_path


def test_a_sound_site_has_no_problems(site):
    doms = _site(
        site,
        {
            "index.html": '<meta http-equiv="Refresh" content="0; url=book/intro.html" />',
            "book/intro.html": _page(
                '<h1 id="top">Intro</h1><a href="#top">self</a>'
                '<a href="chapters/00_x.html#results">results</a><a href="https://example.org/">x</a>'
                '<a href="mailto:someone@example.org">mail</a><a href="#">top</a>'
            ),
            "book/chapters/00_x.html": _page(
                '<section id="results"><div class="cell_output docutils container">'
                '<figure><img src="../../_images/plot.png" alt="a plot"><figcaption>Fig. 1</figcaption></figure></div>'
                '<a href="../intro.html">back</a><a href="../../">home</a></section>'
            ),
        },
    )
    assert dom_problems(site, doms, ["book/intro", "book/chapters/00_x"], ["book/chapters/00_x"]) == []


def test_missing_and_empty_images_are_reported(site):
    doms = _site(
        site,
        {
            "p.html": _page(
                '<img src="_images/gone.png"><img src="_images/empty.png"><img src="_images/plot.png"><img src="http://example.org/a.png">'
            )
        },
    )
    problems = dom_problems(site, doms, ["p"])
    assert problems == [
        f"p.html: <img src='_images/gone.png'> does not resolve to a non-empty file ({site / '_images/gone.png'})",
        f"p.html: <img src='_images/empty.png'> does not resolve to a non-empty file ({site / '_images/empty.png'})",
        "p.html: <img src='http://example.org/a.png'> is loaded from the network (the book must be readable offline)",
    ]


def test_data_uri_images_must_decode_to_something(site):
    good = "data:image/png;base64," + base64.b64encode(PIXEL).decode()
    doms = _site(
        site,
        {
            "p.html": _page(
                f'<img src="{good}"><img src="data:image/png;base64,@@@">'
                '<img src="data:image/svg+xml,"><img src="data:image/svg+xml,%3Csvg%2F%3E">'
            )
        },
    )
    problems = dom_problems(site, doms, [])
    assert len(problems) == 2
    assert "data:image/png;base64,@@@'> is a data: URI that does not decode" in problems[0]
    assert problems[1] == "p.html: <img src='data:image/svg+xml,'> is an empty data: URI"


def test_broken_internal_links_and_anchors_are_reported_once(site):
    doms = _site(
        site,
        {
            "a.html": _page(
                '<a href="b.html#there">ok</a><a href="b.html#nowhere">bad anchor</a>'
                '<a href="b.html#nowhere">same again</a><a href="c.html">missing</a>'
                '<a href="#local">missing local</a><a href="../outside.html">outside</a>'
            ),
            "b.html": _page('<p id="there">b</p>'),
        },
    )
    assert dom_problems(site, doms, ["a", "b"]) == [
        "a.html: <a href='b.html#nowhere'> points at a missing anchor #nowhere in b.html",
        "a.html: <a href='c.html'> points at a missing file (c.html)",
        "a.html: <a href='#local'> points at a missing anchor #local in a.html",
        f"a.html: <a href='../outside.html'> points outside the built book ({site.parent / 'outside.html'})",
    ]


def test_percent_encoded_anchor_and_name_attribute_resolve(site):
    doms = _site(
        site, {"a.html": _page('<a name="old-style"></a><h2 id="é x">t</h2><a href="#old-style">1</a><a href="#%C3%A9%20x">2</a>')}
    )
    assert dom_problems(site, doms, ["a"]) == []


def test_toc_page_missing_from_the_build_is_reported(site):
    doms = _site(site, {"book/intro.html": _page("<p>intro</p>")})
    assert dom_problems(site, doms, ["book/intro", "book/status"]) == [
        "book/status: listed in _toc.yml but book/status.html is missing from the build"
    ]


def test_chapter_without_a_figure_is_reported_and_svg_output_counts(site):
    doms = _site(
        site,
        {
            "book/chapters/00_a.html": _page('<svg class="icon"></svg><div class="cell_output"><pre>text only</pre></div>'),
            "book/chapters/01_b.html": _page(
                '<div class="cell_output docutils container"><figure><svg><path d="M0"/></svg><figcaption>c</figcaption></figure></div>'
            ),
            "book/intro.html": _page("<p>not a chapter, no figure needed</p>"),
        },
    )
    problems = dom_problems(site, doms, [], ["book/chapters/00_a", "book/chapters/01_b"])
    assert problems == ["book/chapters/00_a.html: chapter shows no figure (no <img>/<svg> in its cell outputs)"]


def test_redirect_to_a_missing_page_is_reported(site):
    doms = _site(site, {"index.html": "<meta http-equiv='refresh' content='0; URL=book/gone.html'>"})
    assert dom_problems(site, doms, []) == ["index.html: redirect to 'book/gone.html' points at a missing file (book/gone.html)"]


@settings(max_examples=100, deadline=None)
@given(
    ids=st.sets(st.text(st.characters(categories=["L", "N"], include_characters="-_"), min_size=1, max_size=12), max_size=8),
    payload=st.binary(min_size=1, max_size=64),
)
def test_parse_dom_collects_every_id_and_image(ids, payload):
    uri = "data:application/octet-stream;base64," + base64.b64encode(payload).decode()
    html = _page("".join(f'<div id="{i}"><span>x</span></div>' for i in sorted(ids)) + f'<img src="{uri}">')
    dom = parse_dom(html)
    assert dom.ids == ids and dom.images == [uri]
    assert browser_check._data_uri_problem(uri) is None


# --- browser check: Chromium invocation (a stand-in executable records what it is asked) -----

FAKE_CHROMIUM = """#!{python}
import json, pathlib, sys, time, urllib.parse, urllib.request
arguments = sys.argv[1:]
with open({log!r}, "a") as log:
    log.write(json.dumps(arguments) + "\\n")
page = pathlib.Path(urllib.request.url2pathname(urllib.parse.urlsplit(arguments[-1]).path))
profile = pathlib.Path(next(a for a in arguments if a.startswith("--user-data-dir=")).split("=", 1)[1])
assert profile.is_dir() and not any(profile.iterdir())
if page.name == "crash.html":
    sys.exit(3)
if page.name == "hang.html":
    time.sleep(30)
print(page.read_text())
"""


def _fake_chromium(directory: Path) -> tuple[Path, Path]:
    log = directory / "calls.jsonl"
    executable = directory / "fake-chromium"
    executable.write_text(FAKE_CHROMIUM.format(python=sys.executable, log=str(log)))
    executable.chmod(0o755)
    return executable, log


def test_each_page_gets_its_own_chromium_run_with_the_required_flags(site, tmp_path_factory):
    chromium, log = _fake_chromium(tmp_path_factory.mktemp("bin"))
    _site(site, {"a.html": _page('<p id="x">A</p><a href="b.html">b</a>'), "b.html": _page("<a href='a.html#x'>a</a>")})
    assert check_book(site, chromium=str(chromium), expected_pages=["a", "b"], chapter_pages=[]) == []
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    # Chromium loads a probed copy of each page (same name, a temporary directory removed afterwards)
    copies = [Path(url2pathname(urlsplit(call[-1]).path)) for call in calls]
    assert sorted(copy.name for copy in copies) == ["a.html", "b.html"] and not any(copy.exists() for copy in copies)
    for call in calls:
        assert (
            call[:9]
            == list(browser_check.CHROMIUM_FLAGS)
            == [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--window-size=1280,900",
                "--host-resolver-rules=MAP * ~NOTFOUND",
            ]
        )
        assert call[10:12] == ["--virtual-time-budget=5000", "--dump-dom"]
    profiles = [call[9].split("=", 1)[1] for call in calls]
    assert len(set(profiles)) == 2 and not any(Path(profile).exists() for profile in profiles)


def test_chromium_failure_and_timeout_are_reported_per_page(site, tmp_path_factory):
    chromium, _ = _fake_chromium(tmp_path_factory.mktemp("bin"))
    _site(site, {"ok.html": _page("<p>fine</p>"), "crash.html": _page("<p>c</p>"), "hang.html": _page("<p>h</p>")})
    problems = check_book(site, chromium=str(chromium), expected_pages=[], chapter_pages=[], timeout_s=3)
    assert problems[0].startswith("crash.html: Chromium exited with status 3 and no DOM")
    assert problems[1:] == ["hang.html: Chromium did not finish within 3 s"]


# --- browser check: real Chromium ----------------------------------------------------------


def test_missing_chromium_or_build_is_a_clear_error(tmp_path):
    with pytest.raises(ChromiumNotFoundError, match=r"Chromium executable 'no-such-chromium' not found; install it"):
        check_book(tmp_path, chromium="no-such-chromium", expected_pages=[], chapter_pages=[])
    with pytest.raises(ValueError, match=r"_build/html is not a directory; build the book first"):
        check_book(tmp_path / "_build" / "html")


@needs_chromium
def test_chromium_check_of_a_two_page_site_sees_script_made_anchors(site):
    _site(
        site,
        {
            "a.html": _page(
                '<h1 id="a">A</h1><img src="_images/plot.png"><a href="b.html#made-by-script">ok</a><a href="b.html#never">broken</a>'
            ),
            "b.html": _page(
                '<p>B</p><script>document.body.insertAdjacentHTML("beforeend",'
                '"<h2 id=\\"made-by-script\\">js</h2>")</script><a href="a.html#a">back</a>'
            ),
        },
    )
    problems = check_book(site, expected_pages=["a", "b"], chapter_pages=[])
    assert problems == ["a.html: <a href='b.html#never'> points at a missing anchor #never in b.html"]


@needs_chromium
def test_chromium_check_of_the_built_book_is_clean(built_book, monkeypatch):
    root, html_dir = built_book
    monkeypatch.chdir(root / "book")  # the default html_dir is _build/html of the enclosing book root
    assert check_book() == []


def test_a_run_removes_the_scorecard_results_and_stderr_log_of_the_previous_run(executed_book, tmp_path):
    root = _copy_book(executed_book[0], tmp_path / "book")
    chapters = root / "book" / "chapters"
    (chapters / "00_demo.scorecard.json").write_text("{}")
    (chapters / "00_demo.stderr.txt").write_text("old warning")
    [record] = run_notebooks(root=root, force=True)
    assert record.status == "executed"
    assert not (chapters / "00_demo.scorecard.json").exists() and not (chapters / "00_demo.stderr.txt").exists()
    assert read_manifest(chapters)["00_demo"]["stderr_outputs"] == 0
