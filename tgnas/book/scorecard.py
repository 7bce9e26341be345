"""The scorecard: each claim of the paper, the paper's value, ours, and the verdict, filled by the chapters.

:data:`CLAIMS` is the registry of the paper's claims (one :class:`Claim` each: where the paper makes
it, its value as the paper states it, and the chapter that tests it). A chapter records its outcome
with :func:`record`; the result goes, atomically, into ``NN_name.scorecard.json`` beside the executed
chapter (the runner deletes that file before each run, so it always belongs to the latest run), and
the ``{tgnas-scorecard}`` directive builds the scorecard page from those files. No number on that
page is typed: "ours" is whatever the chapter computed.

How a chapter uses it (one call per claim, after the cell that computes the result)::

    from tgnas.book import scorecard

    result = scorecard.record(
        "nb201-ground-truth",                       # an id of CLAIMS; its chapter must be this one
        ours=f"{c10:.2f} / {c100:.2f} / {in16:.2f} %",   # a number or a string the chapter computed
        verdict=scorecard.within([c10, c100, in16], [94.37, 73.22, 46.71], tolerance=0.01),
        why="the table is NATS-Bench's; every accuracy matches to 0.01",
    )

``verdict`` is one of :data:`VERDICTS`; :func:`within` (numbers, with a tolerance) and :func:`same`
(a categorical outcome) decide it from values, so the verdict cannot drift from the numbers.
``why`` says in plain words what explains a partial or failed reproduction. :func:`record` returns
the stored entry; glue its fields (``myst_nb.glue``) for the chapter's "What this shows" box.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tgnas.atomic import write_text_atomic
from tgnas.book.layout import CHAPTERS_DIR, RUN_DIR_VARIABLE, find_book_root

VERDICTS = ("reproduced", "partly", "not reproduced")
SUFFIX = ".scorecard.json"


@dataclass(frozen=True)
class Claim:
    """One claim of the paper, where the paper makes it, and the chapter that tests it."""

    id: str
    where: str
    """paper section, table or figure, e.g. "§4.2, Table 4"."""
    claim: str
    paper: str
    """the paper's value or statement, as the paper gives it (a citation, so typed)."""
    chapter: str
    """the notebook that tests it, e.g. "00_benchmarks"."""
    section: str
    """the heading of the chapter section that tests it."""


CLAIMS: tuple[Claim, ...] = (
    Claim(
        "nb201-ground-truth",
        "§4.2, Table 4 (Ground Truth row)",
        "The CIFAR-10-optimal NB201 cell: test accuracy on CIFAR-10 / CIFAR-100 / ImageNet16-120",
        "94.37 / 73.22 / 46.71 %",
        "00_benchmarks",
        "Table 4, Ground Truth row",
    ),
    Claim(
        "embedding-variant",
        "§3.2, Table 2",
        "Short sentences embedded by all-MiniLM-L6-v2-64 give the best τ and ρ on NB201",
        "best: short sentences, all-MiniLM-L6-v2-64",
        "01_operator_embeddings",
        "Table 2",
    ),
    Claim(
        "unseen-operators",
        "§1, §2.3",
        "Text embeddings let the predictor handle operators it never saw, where one-hot codes cannot",
        "stated, not measured",
        "09_universal_proxy",
        "The universality matrix",
    ),
    Claim(
        "universal-zero-shot",
        "§3, contributions 1–2",
        "One pretrained predictor ranks the architectures of any search space, better than simple baselines",
        "stated, not measured",
        "09_universal_proxy",
        "The universality matrix",
    ),
    Claim(
        "small-training-split",
        "§3.3, Fig. 2",
        "The predictor stays effective when trained on only 1 % of NAS-Bench-101",
        "strong τ and ρ down to a 1 % training split",
        "02_gcn_predictor",
        "Fig. 2",
    ),
    Claim(
        "tg-beats-proxies",
        "§4.2, Table 3",
        "The TG proxy ranks NB201 cells better than every other zero-cost proxy",
        "TG has the highest τ and ρ of Table 3",
        "04_proxy_independence",
        "Table 3",
    ),
    Claim(
        "proxy-independence",
        "§4.1, Fig. 10",
        "TG and zen are the most independent of the 14 proxies",
        "TG and zen: the lowest correlations with the other proxies",
        "04_proxy_independence",
        "Fig. 10",
    ),
    Claim(
        "nb201-search",
        "§4.2, Table 4",
        "The TG-NAS search finds an NB201 cell with high test accuracy",
        "93.75 / 70.64 / 44.97 % (CIFAR-10 / CIFAR-100 / ImageNet16-120)",
        "05_nb201_results",
        "Table 4",
    ),
    Claim(
        "nb201-search-time",
        "§4.2",
        "The NB201 search takes about 40 seconds",
        "about 40 s",
        "05_nb201_results",
        "Table 4",
    ),
    Claim(
        "darts-search-time",
        "§4.3",
        "The DARTS-space search takes under 2 minutes on one RTX 4090",
        "< 2 min (0.0014 GPU days)",
        "06_darts_search",
        "Fig. 5",
    ),
    Claim(
        "darts-cell-params",
        "§4.3, Table 5",
        "The found cell's ImageNet network (14 cells, C = 48) has 5.6 M parameters",
        "5.6 M",
        "07_darts_training",
        "Size at paper scale",
    ),
    Claim(
        "darts-imagenet-accuracy",
        "§4.3, Table 5",
        "The found cell reaches 74.5 % top-1 and 91.9 % top-5 on ImageNet",
        "74.5 / 91.9 %",
        "07_darts_training",
        "Table 5 (paper) and our row",
    ),
)

_BY_ID = {claim.id: claim for claim in CLAIMS}
if len(_BY_ID) != len(CLAIMS):
    raise ValueError("scorecard claim ids must be distinct")


def claim(claim_id: str) -> Claim:
    """The registered claim ``claim_id``; ValueError listing the ids otherwise."""
    if claim_id not in _BY_ID:
        raise ValueError(f"unknown scorecard claim {claim_id!r}; known claims: {', '.join(_BY_ID)}")
    return _BY_ID[claim_id]


def within(ours: Sequence[float], paper: Sequence[float], tolerance: float) -> str:
    """``reproduced`` when every value is within ``tolerance`` of the paper's, ``partly`` when some are, else ``not reproduced``."""
    if len(ours) != len(paper) or not ours:
        raise ValueError(f"within() compares equally many values, got {len(ours)} ours and {len(paper)} from the paper")
    close = [math.isfinite(o) and abs(o - p) <= tolerance for o, p in zip(ours, paper)]
    return VERDICTS[0] if all(close) else VERDICTS[1] if any(close) else VERDICTS[2]


def same(ours: Any, paper: Any) -> str:
    """``reproduced`` when the outcome equals the paper's, else ``not reproduced``."""
    return VERDICTS[0] if ours == paper else VERDICTS[2]


def _json_value(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"ours must be a number or a string, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def results_path(chapter: str, chapters_dir: Path | None = None) -> Path:
    """Where ``chapter``'s results are kept: ``NN_name.scorecard.json`` beside the executed chapter.

    ``chapters_dir`` defaults to the directory the runner is executing into (``$TGNAS_BOOK_RUN_DIR``,
    so a paper-profile run keeps its results with its notebooks), else the book's chapters directory.
    """
    if chapters_dir is None:
        running_into = os.environ.get(RUN_DIR_VARIABLE)
        chapters_dir = Path(running_into) if running_into else find_book_root() / CHAPTERS_DIR
    directory = Path(chapters_dir)
    return directory / f"{chapter}{SUFFIX}"


def read_results(path: Path) -> dict[str, dict[str, Any]]:
    """The results in one chapter's file (empty when absent); bad JSON is a ValueError naming the file."""
    if not Path(path).exists():
        return {}
    try:
        results = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"scorecard file {path} is not valid JSON ({error}); rerun its chapter") from error
    if not isinstance(results, dict):
        raise ValueError(f"scorecard file {path} must hold a JSON object keyed by claim id; rerun its chapter")
    return results


def record(claim_id: str, ours: Any, verdict: str, why: str, *, chapters_dir: Path | None = None) -> dict[str, Any]:
    """Record the outcome of claim ``claim_id`` for the scorecard; return the stored entry.

    ``ours`` is the chapter's value (a number, or a string the chapter formatted), ``verdict`` one of
    :data:`VERDICTS`, ``why`` a sentence. ``chapters_dir`` defaults to the chapters directory of the
    book root above the working directory (where the runner executes chapters).
    """
    entry = claim(claim_id)
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(map(repr, VERDICTS))}, got {verdict!r}")
    if not isinstance(why, str) or not why.strip():
        raise ValueError("why must say in a sentence what the verdict rests on")
    path = results_path(entry.chapter, chapters_dir)
    results = read_results(path)
    results[claim_id] = {"ours": _json_value(ours), "verdict": verdict, "why": why.strip()}
    write_text_atomic(path, json.dumps(results, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return results[claim_id]


def all_results(chapters_dir: Path) -> dict[str, dict[str, Any]]:
    """Every recorded result in ``chapters_dir``, by claim id (a file's claims must belong to its chapter)."""
    results: dict[str, dict[str, Any]] = {}
    for path in sorted(Path(chapters_dir).glob(f"*{SUFFIX}")):
        chapter = path.name[: -len(SUFFIX)]
        for claim_id, result in read_results(path).items():
            if claim_id in _BY_ID and _BY_ID[claim_id].chapter == chapter:
                results[claim_id] = result
    return results


def _cell(text: Any) -> str:
    shown = f"{text:.3g}" if isinstance(text, float) else str(text)
    return shown.replace("|", "\\|").replace("\n", " ")


def scorecard_markdown(results: Mapping[str, Mapping[str, Any]], chapters: Collection[str] | None = None) -> str:
    """The scorecard table: claim | paper | ours | verdict | why | tested in; a count of verdicts below it.

    "tested in" links the chapter when it is among ``chapters`` (the book's chapters; None: all).
    """
    header = "| claim | where in the paper | paper | ours | verdict | why | tested in |\n|---|---|---|---|---|---|---|\n"
    rows = []
    for entry in CLAIMS:
        result = results.get(entry.id)
        ours, verdict, why = (
            (result["ours"], result["verdict"], result["why"]) if result else ("-", "not yet tested", "its chapter records no result yet")
        )
        page = f"{{doc}}`chapters/{entry.chapter}`" if chapters is None or entry.chapter in chapters else f"`{entry.chapter}`"
        link = f"{page}, section “{entry.section}”"
        rows.append(
            f"| {_cell(entry.claim)} | {entry.where} | {_cell(entry.paper)} | {_cell(ours)} | **{verdict}** | {_cell(why)} | {link} |"
        )
    counts = [f"{sum(1 for r in results.values() if r['verdict'] == verdict)} {verdict}" for verdict in VERDICTS]
    untested = sum(1 for entry in CLAIMS if entry.id not in results)
    return header + "\n".join(rows) + f"\n\nOf {len(CLAIMS)} claims: {', '.join(counts)}, {untested} not yet tested.\n"
