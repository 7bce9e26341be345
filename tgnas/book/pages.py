"""Sphinx extension: the book's generated pages, rendered at build time from what the runs recorded.

Directives (their content is MyST Markdown made by a function, never typed numbers):

* ``{tgnas-status} runs|environment|data`` — :mod:`tgnas.book.status` (chapter runs, the machine
  they ran on, the benchmark files and their checksums);
* ``{tgnas-data}`` — :mod:`tgnas.book.data_page` (each data file's origin, licence, size and use);
* ``{tgnas-scorecard}`` — :mod:`tgnas.book.scorecard` (each claim of the paper, ours and the verdict,
  from the results the chapters recorded).

A page holding one of them is rebuilt on every build: what it shows changes with the runs, not
with its source.

Every chapter page also offers its jupytext source (``notebooks/NN_name.py``) as ``.py`` in the
theme's download menu, next to the ``.ipynb``: the script is copied beside the notebook in
``_sources``.
"""

from __future__ import annotations

import shutil
from importlib.metadata import version
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from tgnas.book import data_page, scorecard, status
from tgnas.book.layout import CHAPTERS_DIR, NOTEBOOKS_DIR, discover_notebooks
from tgnas.data.paths import data_dir

_ENV_KEY = "tgnas_generated_pages"


class _GeneratedMarkdown(SphinxDirective):
    """Renders the Markdown that :meth:`markdown` returns, as if it were written in the page."""

    def markdown(self) -> str:
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        getattr(self.env, _ENV_KEY).add(self.env.docname)
        try:
            text = self.markdown()
        except ValueError as error:
            raise self.error(str(error)) from error
        container = nodes.container()
        self.state.nested_parse(StringList(text.splitlines(), source=self.env.docname), self.content_offset, container)
        return container.children


class StatusDirective(_GeneratedMarkdown):
    required_arguments = 1

    def markdown(self) -> str:
        return status.section_markdown(self.arguments[0], Path(self.env.srcdir))


class DataDirective(_GeneratedMarkdown):
    def markdown(self) -> str:
        return data_page.data_page_markdown(data_dir())


class ScorecardDirective(_GeneratedMarkdown):
    def markdown(self) -> str:
        root = Path(self.env.srcdir)
        return scorecard.scorecard_markdown(scorecard.all_results(root / CHAPTERS_DIR), discover_notebooks(root / NOTEBOOKS_DIR))


def _init_registry(app: Sphinx, env, docnames) -> None:
    if not hasattr(env, _ENV_KEY):
        setattr(env, _ENV_KEY, set())


def _always_outdated(app: Sphinx, env, added, changed, removed) -> list[str]:
    return sorted(getattr(env, _ENV_KEY, set()) - set(removed))


def _merge(app: Sphinx, env, docnames, other) -> None:
    getattr(env, _ENV_KEY).update(getattr(other, _ENV_KEY, set()))


def chapter_script(srcdir: Path, pagename: str) -> Path | None:
    """The jupytext source of the chapter page ``pagename`` (``book/chapters/NN_name``); None for other pages."""
    folder, _, name = pagename.rpartition("/")
    if folder != CHAPTERS_DIR.as_posix():
        return None
    script = Path(srcdir) / NOTEBOOKS_DIR / f"{name}.py"
    return script if script.is_file() else None


def add_script_download(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree) -> None:
    """``html-page-context`` handler (after the theme's): a ``.py`` entry in a chapter's download menu."""
    script = chapter_script(Path(app.srcdir), pagename)
    menu = next((button for button in context.get("header_buttons", []) if button.get("label") == "download-buttons"), None)
    if script is None or menu is None:
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.py"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(script, target)
    menu["buttons"].insert(
        1,
        {
            "type": "link",
            "url": f"{context['pathto']('_sources', 1)}/{pagename}.py",
            "text": ".py",
            "tooltip": "Download the chapter as a Python script (jupytext percent format)",
            "icon": "fas fa-file-code",
            "label": "download-script-button",
        },
    )


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("tgnas-status", StatusDirective)
    app.add_directive("tgnas-data", DataDirective)
    app.add_directive("tgnas-scorecard", ScorecardDirective)
    app.connect("env-before-read-docs", _init_registry)
    app.connect("env-get-outdated", _always_outdated)
    app.connect("env-merge-info", _merge)
    app.connect("html-page-context", add_script_download, priority=510)  # the theme fills the menu at 501
    return {"version": version("tgnas"), "parallel_read_safe": True, "parallel_write_safe": True}
