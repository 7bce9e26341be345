"""Sphinx extension: the book's generated pages, rendered at build time from what the runs recorded.

Directives (their content is MyST Markdown made by a function, never typed numbers):

* ``{tgnas-status} runs|environment|data`` — :mod:`tgnas.book.status` (chapter runs, the machine
  they ran on, the benchmark files and their checksums);
* ``{tgnas-data}`` — :mod:`tgnas.book.data_page` (each data file's origin, licence, size and use);
* ``{tgnas-scorecard}`` — :mod:`tgnas.book.scorecard` (each claim of the paper, ours and the verdict,
  from the results the chapters recorded).

A page holding one of them is rebuilt on every build: what it shows changes with the runs, not
with its source.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from tgnas.book import data_page, scorecard, status
from tgnas.book.layout import CHAPTERS_DIR
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
        return scorecard.scorecard_markdown(scorecard.all_results(Path(self.env.srcdir) / CHAPTERS_DIR))


def _init_registry(app: Sphinx, env, docnames) -> None:
    if not hasattr(env, _ENV_KEY):
        setattr(env, _ENV_KEY, set())


def _always_outdated(app: Sphinx, env, added, changed, removed) -> list[str]:
    return sorted(getattr(env, _ENV_KEY, set()) - set(removed))


def _merge(app: Sphinx, env, docnames, other) -> None:
    getattr(env, _ENV_KEY).update(getattr(other, _ENV_KEY, set()))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("tgnas-status", StatusDirective)
    app.add_directive("tgnas-data", DataDirective)
    app.add_directive("tgnas-scorecard", ScorecardDirective)
    app.connect("env-before-read-docs", _init_registry)
    app.connect("env-get-outdated", _always_outdated)
    app.connect("env-merge-info", _merge)
    return {"version": version("tgnas"), "parallel_read_safe": True, "parallel_write_safe": True}
