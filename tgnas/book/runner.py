"""Execute the book's chapter notebooks with papermill.

Chapters are jupytext percent-format scripts ``notebooks/NN_name.py``. Each is converted to a
notebook and executed by papermill (cwd = book root, kernel = this interpreter) into
``book/chapters/NN_name.ipynb``, which :mod:`tgnas.book.build` hands to jupyter-book.

Re-running is cheap: the run manifest (:mod:`tgnas.book.manifest`) remembers, per notebook, the
hash of its source, the parameters, and a fingerprint of the tgnas sources. A notebook whose
inputs all match its last successful run, and whose output still exists, is skipped. Each
successful run also records which shipped proxy weights the chapter loaded and their digests
(``weights_loaded``), so a published run is outdated only by a retrained proxy it actually read.

The published copy is what the page shows: :func:`tgnas.book.clean.clean_notebook` hides code
behind a toggle, removes the parameter cells and takes stderr off the page; stderr text other than
progress bars is kept in ``NN_name.stderr.txt`` beside the chapter, counted in the run manifest and
reported when the run ends.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import jupytext
import nbformat
import papermill
from papermill.exceptions import PapermillExecutionError
from tqdm import tqdm

from tgnas.atomic import atomic_output, write_text_atomic
from tgnas.book.clean import clean_notebook, stderr_log
from tgnas.book.environment import snapshot
from tgnas.book.kernel import KERNELSPEC, ThisInterpreterKernelManager, kernel_output_to, last_words
from tgnas.book.layout import (
    NOTEBOOKS_DIR,
    RUN_DIR_VARIABLE,
    discover_notebooks,
    display_path,
    find_book_root,
    package_fingerprint,
    run_dir,
    sha256_file,
    shipped_weights_digest,
    weights_fingerprint,
)
from tgnas.book.manifest import read_manifest, write_manifest
from tgnas.book.parameters import PROFILES, ParameterError
from tgnas.book.scorecard import results_path
from tgnas.choices import LOADED_WEIGHTS_LOG


class NotebookExecutionError(RuntimeError):
    """A chapter notebook raised while executing; ``record`` describes the failed run."""

    def __init__(self, message: str, record: RunRecord) -> None:
        super().__init__(message)
        self.record = record


@dataclass(frozen=True)
class RunRecord:
    """What happened to one notebook in :func:`run_notebooks`."""

    name: str
    source: Path
    output: Path
    profile: str
    parameters: dict[str, Any] = field(hash=False)
    status: Literal["executed", "skipped", "failed"]
    duration_s: float | None
    started_at: str | None


@dataclass(frozen=True)
class _Plan:
    """One notebook to run: its source, where its converted and executed copies go, its inputs."""

    name: str
    source: Path
    output: Path
    converted: Path
    """The jupytext-converted notebook papermill reads (in the run's scratch directory)."""
    executed: Path
    """Where papermill writes as it runs (scratch); published to ``output`` when it stops."""
    parameters: dict[str, Any] = field(hash=False)
    inputs: dict[str, Any] = field(hash=False)

    @property
    def kernel_log(self) -> Path:
        """What the kernel process wrote outside its cells (scratch; cited when the kernel fails)."""
        return self.executed.with_suffix(".kernel.log")

    @property
    def weights_log(self) -> Path:
        """Where the chapter's processes note each shipped proxy they load (scratch; see :func:`_loaded_weights`)."""
        return self.executed.with_suffix(".weights.log")


def _validate_profile(profile: str) -> None:
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; accepted: {', '.join(PROFILES)}")


def _validate_overrides(parameters: Mapping[str, Any] | None) -> dict[str, Any]:
    overrides = dict(parameters or {})
    if "profile" in overrides:
        raise ValueError("pass the profile as profile=..., not inside parameters")
    for key, value in overrides.items():
        if not isinstance(key, str) or not key.isidentifier():
            raise ValueError(f"parameter name {key!r} is not a Python identifier")
        try:
            json.dumps(value)
        except TypeError as error:
            raise ValueError(
                f"parameter {key}={value!r} is not JSON-serialisable; accepted: str, int, float, bool, None, and lists/dicts of those"
            ) from error
    return overrides


def _select(notebooks: Mapping[str, Path], only: str | Sequence[str] | None) -> dict[str, Path]:
    if only is None:
        return dict(notebooks)
    wanted = [only] if isinstance(only, str) else list(only)
    unknown = [name for name in wanted if name not in notebooks]
    if unknown:
        available = ", ".join(notebooks) or "(none)"
        raise ValueError(f"unknown notebook {', '.join(map(repr, unknown))}; available: {available}")
    return {name: notebooks[name] for name in notebooks if name in wanted}


def _convert(name: str, source: Path, converted: Path, overrides: Mapping[str, Any]) -> None:
    """jupytext-convert ``source`` and check it declares ``profile`` and every override as parameters."""
    notebook = jupytext.read(source)
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    nbformat.write(notebook, converted)
    declared = papermill.inspect_notebook(str(converted))
    has_parameters_cell = any("parameters" in cell.metadata.get("tags", []) for cell in notebook.cells)
    if not has_parameters_cell or "profile" not in declared:
        raise ValueError(
            f"notebook {name} ({source}) needs a cell tagged 'parameters' defining profile, e.g. "
            '`# %% tags=["parameters"]` followed by `profile = "ci"`'
        )
    undeclared = [key for key in overrides if key not in declared]
    if undeclared:
        raise ValueError(f"notebook {name} has no parameter {', '.join(map(repr, undeclared))}; its parameters are: {', '.join(declared)}")


def _is_up_to_date(entry: Mapping[str, Any] | None, inputs: Mapping[str, Any], output: Path) -> bool:
    if not entry or entry.get("status") != "ok" or not output.exists():
        return False
    return all(entry.get(key) == value for key, value in inputs.items())


def stderr_path(output: Path) -> Path:
    """Where the stderr text taken off a chapter's page is kept: ``NN_name.stderr.txt`` beside it."""
    return output.with_suffix(".stderr.txt")


def _execute(plan: _Plan, root: Path) -> int:
    """Run papermill on ``plan``, publish what it wrote as ``plan.output``; the number of stderr outputs kept aside.

    The previous output (with its stderr log and scorecard results) is removed first, so the output always belongs to the latest
    attempt: on failure the partial notebook (if papermill got to write one) is published for
    inspecting the failing cell, and the exception propagates.
    """
    plan.output.unlink(missing_ok=True)
    stderr_path(plan.output).unlink(missing_ok=True)
    results_path(plan.name, plan.output.parent).unlink(missing_ok=True)  # the chapter records its scorecard results afresh
    try:
        with _running_into(plan.output.parent), _noting_loads(plan.weights_log), kernel_output_to(plan.kernel_log):
            papermill.execute_notebook(
                str(plan.converted),
                str(plan.executed),
                parameters=plan.parameters,
                kernel_name=KERNELSPEC["name"],
                language="python",
                cwd=str(root),
                progress_bar=False,
                kernel_manager_class=ThisInterpreterKernelManager,
            )
    finally:
        kept_aside = _publish(plan, root) if plan.executed.exists() else 0
    return kept_aside


def _running_into(directory: Path):
    """Tell the chapter (through :data:`RUN_DIR_VARIABLE`, which its kernel inherits) where its outputs go."""
    return _environment_variable(RUN_DIR_VARIABLE, str(directory.resolve()))


def _noting_loads(log: Path):
    """Have every shipped proxy the chapter loads noted in ``log`` (:data:`tgnas.choices.LOADED_WEIGHTS_LOG`)."""
    log.unlink(missing_ok=True)
    return _environment_variable(LOADED_WEIGHTS_LOG, str(log.resolve()))


@contextmanager
def _environment_variable(name: str, value: str):
    """``name=value`` in this process's environment (which the kernel inherits) for the duration."""
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def _loaded_weights(plan: _Plan) -> dict[str, str | None]:
    """Each shipped weights file the chapter loaded (relative to ``tgnas/weights``) → its digest now
    (`tgnas.book.layout.shipped_weights_digest`): what :func:`tgnas.book.build.outdated_inputs` compares."""
    noted = plan.weights_log.read_text(encoding="utf-8").split() if plan.weights_log.exists() else []
    return {relative: shipped_weights_digest(relative) for relative in sorted(set(noted))}


def _publish(plan: _Plan, root: Path) -> int:
    """Clean the executed notebook for its page, record readable paths (not scratch files) in its
    papermill metadata, write the output and the stderr log; return how many stderr outputs the log holds."""
    notebook = nbformat.read(plan.executed, as_version=4)
    report = clean_notebook(notebook)
    papermill_metadata = notebook.metadata.setdefault("papermill", {})
    papermill_metadata["input_path"] = display_path(plan.source, root)
    papermill_metadata["output_path"] = display_path(plan.output, root)
    with atomic_output(plan.output, "w", encoding="utf-8") as stream:
        nbformat.write(notebook, stream)
    if report.stderr:
        write_text_atomic(stderr_path(plan.output), stderr_log(report))
    return len(report.stderr)


def _papermill_timing(output: Path) -> tuple[float | None, str | None]:
    """(duration in seconds, start time) papermill recorded in ``output``; Nones when absent."""
    if not output.exists():
        return None, None
    timing = nbformat.read(output, as_version=4).metadata.get("papermill", {})
    duration = timing.get("duration")
    return (None if duration is None else float(duration)), timing.get("start_time")


def _error_summary(error: Exception) -> str:
    """One line naming the exception raised inside the notebook (or by the runner)."""
    if isinstance(error, PapermillExecutionError):
        return f"{error.ename}: {error.evalue}"
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def _failure_message(plan: _Plan, error: Exception, root: Path, profile: str) -> str:
    where = f"notebook {plan.name} ({display_path(plan.source, root)})"
    if isinstance(error, PapermillExecutionError):
        first_line = next((line for line in error.source.splitlines() if line.strip()), "")
        cause = f"failed in cell In [{error.exec_count}] ({first_line.strip()!r}): {_error_summary(error)}"
    else:
        said = last_words(plan.kernel_log)
        cause = f"could not be executed: {_error_summary(error)}" + (f" (the kernel's last output: {said})" if said else "")
    kept = f"; partial output kept in {display_path(plan.output, root)}" if plan.output.exists() else ""
    return f"{where} {cause}{kept}. Re-run with `tgnas book run --profile {profile} --only {plan.name}`."


def _plan(selected: Mapping[str, Path], out_dir: Path, scratch: Path, profile: str, overrides: Mapping[str, Any]) -> list[_Plan]:
    """Convert every selected notebook into ``scratch`` (checking its parameters) and describe its run."""
    merged = {"profile": profile, **overrides}
    fingerprint, weights = package_fingerprint(), weights_fingerprint()
    plans = []
    for name, source in selected.items():
        converted = scratch / f"{name}.ipynb"
        _convert(name, source, converted, overrides)
        inputs = {
            "source_sha256": sha256_file(source),
            "profile": profile,
            "parameters": merged,
            "package_fingerprint": fingerprint,
            "weights_sha256": weights,
        }
        executed = scratch / f"{name}.executed.ipynb"
        plans.append(_Plan(name, source, out_dir / f"{name}.ipynb", converted, executed, merged, inputs))
    return plans


def run_notebooks(
    profile: str = "ci",
    only: str | Sequence[str] | None = None,
    force: bool = False,
    parameters: Mapping[str, Any] | None = None,
    *,
    root: Path | None = None,
    notebooks_dir: Path | None = None,
    out_dir: Path | None = None,
) -> list[RunRecord]:
    """Execute the chapter notebooks (all, or those named in ``only``) with papermill.

    ``parameters`` overrides notebook parameters other than ``profile``; every override must be
    declared in each selected notebook's parameters cell, and a value the notebook refuses
    (:class:`~tgnas.book.parameters.ParameterError` in its setup cell) raises ParameterError.
    A notebook is skipped when its source, parameters and the tgnas sources match its last
    successful run and its output exists, unless ``force``. The first failing notebook stops the run with :class:`NotebookExecutionError`.
    Defaults: ``root`` = :func:`~tgnas.book.layout.find_book_root`, ``notebooks_dir`` =
    root/notebooks, ``out_dir`` = the profile's run directory (:func:`~tgnas.book.layout.run_dir`:
    root/book/chapters for ``ci``, root/book/paper for ``paper``).
    """
    _validate_profile(profile)
    overrides = _validate_overrides(parameters)
    root = find_book_root() if root is None else Path(root)
    notebooks_dir = root / NOTEBOOKS_DIR if notebooks_dir is None else Path(notebooks_dir)
    out_dir = root / run_dir(profile) if out_dir is None else Path(out_dir)
    selected = _select(discover_notebooks(notebooks_dir), only)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(out_dir)
    records: list[RunRecord] = []
    environment: dict[str, Any] | None = None  # taken once, before the first chapter that executes
    with tempfile.TemporaryDirectory(prefix="tgnas-book-") as scratch:
        plans = _plan(selected, out_dir, Path(scratch), profile, overrides)
        progress = tqdm(plans, desc="notebooks", unit="nb")
        for plan in progress:
            progress.set_postfix_str(plan.name)
            entry = manifest.get(plan.name)
            if not force and _is_up_to_date(entry, plan.inputs, plan.output):
                records.append(_record(plan, profile, "skipped", entry.get("duration_s"), entry.get("started_at")))
                continue
            environment = environment or snapshot(root)
            try:
                kept_aside = _execute(plan, root)
            except Exception as error:
                duration_s, started_at = _papermill_timing(plan.output)
                manifest[plan.name] = {
                    **plan.inputs,
                    "status": "failed",
                    "duration_s": duration_s,
                    "started_at": started_at,
                    "error": _error_summary(error),
                }
                write_manifest(out_dir, manifest)
                if isinstance(error, PapermillExecutionError) and error.ename == ParameterError.__name__:
                    # bad input, not a broken chapter: the chapter's own one-line verdict on the value is the message
                    raise ParameterError(f"notebook {plan.name}: {error.evalue}") from error
                record = _record(plan, profile, "failed", duration_s, started_at)
                raise NotebookExecutionError(_failure_message(plan, error, root, profile), record) from error
            duration_s, started_at = _papermill_timing(plan.output)
            manifest[plan.name] = {
                **plan.inputs,
                "status": "ok",
                "duration_s": duration_s,
                "started_at": started_at,
                "stderr_outputs": kept_aside,
                "weights_loaded": _loaded_weights(plan),
                "environment": environment,
            }
            write_manifest(out_dir, manifest)
            if kept_aside:
                progress.write(
                    f"notebook {plan.name} wrote {kept_aside} stderr output(s) (warnings or log lines): taken off its page, "
                    f"kept in {display_path(stderr_path(plan.output), root)}",
                    file=sys.stderr,
                )
            records.append(_record(plan, profile, "executed", duration_s, started_at))
    return records


def _record(plan: _Plan, profile: str, status: str, duration_s: float | None, started_at: str | None) -> RunRecord:
    return RunRecord(plan.name, plan.source, plan.output, profile, plan.parameters, status, duration_s, started_at)
