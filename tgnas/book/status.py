"""The generated parts of the status page: chapter runs, the machine they ran on, the benchmark data.

Each function returns MyST Markdown that the ``{tgnas-status}`` directive (:mod:`tgnas.book.pages`)
renders at build time, from the run manifest the runner writes and the data manifest
(:mod:`tgnas.data.manifest`); nothing on the page is typed by hand. Marks are plain text
("ok", "failed"), never emoji, which show as empty boxes where no emoji font is installed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jupytext
import nbformat

from tgnas.book.layout import CHAPTERS_DIR, NOTEBOOKS_DIR, PAPER_RUN_DIR, discover_notebooks
from tgnas.book.manifest import read_manifest

SECTIONS = ("runs", "paper", "environment", "data")


@dataclass(frozen=True)
class ChapterRun:
    """One chapter's last run as the status page reports it."""

    name: str
    title: str
    profile: str
    duration_s: float | None
    started_at: str | None
    status: str
    stderr_outputs: int
    environment: Mapping[str, Any] | None
    weights_loaded: Mapping[str, str | None] | None = None
    """The shipped proxy weights the run loaded (relative to ``tgnas/weights``) → digest; None: not recorded."""


def notebook_title(path: Path) -> str:
    """The first Markdown heading of a notebook, executed (``.ipynb``) or its jupytext source (``.py``);
    the file name when it has none."""
    notebook = jupytext.read(path) if Path(path).suffix == ".py" else nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def chapter_runs(root: Path, run_dir: Path = CHAPTERS_DIR) -> list[ChapterRun]:
    """The last run in ``run_dir`` (the chapters the book shows, by default) of every chapter of the book
    at ``root``, in chapter order (never-run chapters included)."""
    out_dir = Path(root) / run_dir
    manifest = read_manifest(out_dir)
    runs = []
    for name, source in discover_notebooks(Path(root) / NOTEBOOKS_DIR).items():
        executed = out_dir / f"{name}.ipynb"
        entry = manifest.get(name, {})
        runs.append(
            ChapterRun(
                name=name,
                title=notebook_title(executed if executed.exists() else source),
                profile=entry.get("profile", "-"),
                duration_s=entry.get("duration_s"),
                started_at=entry.get("started_at"),
                status=entry.get("status", "not run"),
                stderr_outputs=int(entry.get("stderr_outputs", 0)),
                environment=entry.get("environment"),
                weights_loaded=entry.get("weights_loaded"),
            )
        )
    return runs


def format_duration(seconds: float | None) -> str:
    """``6.1 s``, ``2 min 08 s``, ``1 h 03 min``; ``-`` when unknown."""
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def runs_markdown(runs: list[ChapterRun]) -> str:
    """The chapter table (linked titles, profile, run time, start, result, stderr kept aside) and the total."""
    rows = [
        (
            f"{{doc}}`{run.title} <chapters/{run.name}>`",
            f"`{run.profile}`" if run.profile != "-" else "-",
            format_duration(run.duration_s),
            (run.started_at or "-")[:19].replace("T", " "),
            run.status,
            str(run.stderr_outputs) if run.stderr_outputs else "none",
        )
        for run in runs
    ]
    table = _table(("chapter", "profile", "run time", "started (UTC)", "result", "stderr kept aside"), rows)
    timed = [run.duration_s for run in runs if run.duration_s is not None]
    profiles = sorted({run.profile for run in runs if run.profile != "-"})
    total = f"**Total:** {format_duration(sum(timed))} for {len(timed)} of {len(runs)} chapters"
    return f"{table}\n{total} (profile {', '.join(f'`{p}`' for p in profiles) or 'none'}).\n"


def short_commit(commit: str) -> str:
    """A recorded commit with its hash cut to 12 characters (``abc…`` + local changes); other text as it is."""
    head, _, rest = commit.partition(" ")
    if not re.fullmatch("[0-9a-f]{40}", head):
        return commit
    return f"`{head[:12]}`" + (f" {rest}" if rest else "")


def paper_requirement(chapter: str) -> str | None:
    """What the chapter's ``paper`` profile needs beyond a CPU machine, as its parameters declare (None: nothing)."""
    from tgnas.experiments import CHAPTER_MODULES, chapter_module  # imports the chapter's experiments (torch)

    return chapter_module(chapter).PARAMETERS.paper_requires if chapter in CHAPTER_MODULES else None


def paper_runs_markdown(runs: list[ChapterRun], problems: Mapping[str, str | None] | None = None) -> str:
    """The published paper-profile runs: per chapter its run time, start, commit, the shipped proxies it loaded and its
    result, or why it was not run; the total.

    ``problems`` (`tgnas.book.build.paper_run_problems`) says per chapter why the paper book cannot show
    its paper run: a successful run whose chapter or shipped proxy weights changed since is marked so,
    since the book then shows the ci run.
    """
    rows = []
    for run in runs:
        if run.status == "not run":
            needs = paper_requirement(run.name)
            result = f"not run: needs {needs}" if needs else "not run"
        elif run.status == "ok" and problems is not None and problems.get(run.name):
            result = f"ok, but {problems[run.name]} since: the paper book shows its ci run"
        else:
            result = run.status
        commit = short_commit(run.environment["commit"]) if run.environment else "-"
        started = (run.started_at or "-")[:19].replace("T", " ")
        title = f"{{doc}}`{run.title} <chapters/{run.name}>`"
        rows.append((title, format_duration(run.duration_s), started, commit, _loaded_text(run), result))
    table = _table(("chapter", "paper-profile run time", "started (UTC)", "commit", "shipped proxies loaded", "result"), rows)
    timed = [run.duration_s for run in runs if run.status == "ok" and run.duration_s is not None]
    total = f"**Total:** {format_duration(sum(timed))} for the {len(timed)} of {len(runs)} chapters run at paper scale"
    return f"{table}\n{total}.\n"


def _loaded_text(run: ChapterRun) -> str:
    """Which shipped proxies a run read: what a retrain must leave alone for the run to stay current."""
    if run.status == "not run":
        return "-"
    if run.weights_loaded is None:
        return "not recorded"
    return ", ".join(f"`{relative}`" for relative in run.weights_loaded) or "none"


def environment_markdown(runs: list[ChapterRun]) -> str:
    """The software and hardware of the latest run, and which chapters ran on something else."""
    recorded = [run for run in runs if run.environment]
    if not recorded:
        return "No chapter run has recorded its environment yet; run `tgnas book run`.\n"
    latest = max(recorded, key=lambda run: run.started_at or "")
    environment = latest.environment
    rows = [
        ("Python", environment["python"]),
        ("platform", environment["platform"]),
        ("CPU", environment["cpu"]),
        ("GPU", environment["gpu"]),
        ("git commit", f"`{environment['commit']}`"),
    ]
    rows += [(f"`{name}`", package_version) for name, package_version in environment["packages"].items()]
    text = f"As recorded by the latest chapter run ({{doc}}`chapters/{latest.name}`):\n\n" + _table(("", "version"), rows)
    others = [run for run in recorded if run.environment != environment]
    if others:
        differing = ", ".join(f"{{doc}}`chapters/{run.name}`" for run in others)
        text += f"\nThese chapters ran in a different environment (another commit, machine or package set): {differing}.\n"
    unrecorded = [run for run in runs if not run.environment]
    if unrecorded:
        text += f"\nNo environment recorded for: {', '.join(run.name for run in unrecorded)}.\n"
    return text


def data_markdown(results: list) -> str:
    """One row per manifest file: its checksum and what ``tgnas data check`` found in the data directory."""
    from tgnas.data.manifest import MANIFEST

    by_path = {result.relative: result for result in results}
    rows = []
    for entry in MANIFEST:
        checksum = f"{entry.checksum.algorithm} `{entry.checksum.hexdigest}`" if entry.checksum else "content check (no pinned checksum)"
        result = by_path.get(entry.relative)
        state = "-" if result is None else result.status if result.required or result.status != "missing" else "missing (optional)"
        rows.append((f"`{entry.relative}`", checksum, state))
    return _table(("file", "checksum (from the data manifest)", "in the data directory at build time"), rows)


def section_markdown(section: str, root: Path) -> str:
    """The Markdown of one generated section of the status page (one of :data:`SECTIONS`)."""
    if section == "runs":
        return runs_markdown(chapter_runs(root))
    if section == "paper":
        from tgnas.book.build import paper_run_problems

        return paper_runs_markdown(chapter_runs(root, PAPER_RUN_DIR), paper_run_problems(root))
    if section == "environment":
        return environment_markdown(chapter_runs(root))
    if section == "data":
        from tgnas.data import fetch  # verifies the checksums (pandas, numpy)

        return data_markdown(fetch.check())
    raise ValueError(f"unknown status section {section!r}; accepted: {', '.join(SECTIONS)}")
