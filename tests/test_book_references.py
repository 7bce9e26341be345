"""The book's bibliography and glossary: every citation and term a page uses resolves, every entry is complete.

The build (warnings are errors) would also fail on an unknown key; these tests say which page and
key without building, and check what the build does not: that each entry has its authors, title,
venue and year, and that the glossary has the terms the issue asked for.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIB = (ROOT / "book" / "references.bib").read_text()
ENTRY = re.compile(r"@(\w+)\{([^,\s]+),(.*?)\n\}", re.DOTALL)
ENTRIES = {key: (kind, body) for kind, key, body in ENTRY.findall(BIB)}
PAGES = sorted([*(ROOT / "book").glob("*.md"), *(ROOT / "notebooks").glob("[0-9][0-9]_*.py")])
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
TERM = re.compile(r"\{term\}`([^`<]+?)(?:\s*<([^>]+)>)?`")


def _field(body: str, name: str) -> str | None:
    match = re.search(rf"^\s*{name}\s*=\s*\{{(.*)\}},?\s*$", body, re.MULTILINE)
    return match.group(1) if match else None


def test_the_bibliography_parses_into_distinct_entries():
    assert len(ENTRIES) == BIB.count("\n@") + BIB.startswith("@") and len(ENTRIES) >= 30


@pytest.mark.parametrize("key", sorted(ENTRIES))
def test_each_entry_names_authors_title_year_and_where_it_appeared(key):
    kind, body = ENTRIES[key]
    assert _field(body, "author") and _field(body, "title"), key
    assert re.fullmatch(r"(19|20)\d\d", _field(body, "year") or ""), key
    venue = {"article": "journal", "inproceedings": "booktitle", "misc": "howpublished", "techreport": "institution"}[kind]
    assert _field(body, venue), f"{key}: a @{kind} needs {venue}"


@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.name)
def test_every_citation_on_a_page_is_in_the_bibliography(page):
    keys = [key.strip() for group in CITE.findall(page.read_text()) for key in group.split(",")]
    assert not [key for key in keys if key not in ENTRIES], f"{page.name} cites keys missing from book/references.bib"


def _glossary_terms() -> set[str]:
    text = (ROOT / "book" / "glossary.md").read_text()
    block = text[text.index("```{glossary}") : text.rindex("```")]
    return {line.strip() for line in block.splitlines()[1:] if line.strip() and not line.startswith(" ")}


def test_the_glossary_defines_the_books_core_terms():
    wanted = {"zero-cost proxy", "Kendall τ", "Spearman ρ", "supernet", "cell", "operator embedding", "GCN", "leave-one-benchmark-out"}
    wanted |= {"zero-shot", "Pareto front", "hypervolume", "differential evolution", "surrogate"}
    assert wanted <= _glossary_terms()


@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.name)
def test_every_term_a_page_uses_is_in_the_glossary(page):
    used = {(target or text).strip() for text, target in TERM.findall(page.read_text())}
    assert used <= _glossary_terms(), f"{page.name} uses terms the glossary lacks: {used - _glossary_terms()}"


def test_the_proxies_page_defines_all_thirteen_with_a_formula_and_a_citation():
    from tgnas.zerocost import proxy_names

    text = (ROOT / "book" / "proxies.md").read_text()
    sections = {
        match.group(1): match.group(2)
        for match in re.finditer(r"^\*\*(\w+)\*\* — (.*?)(?=^\*\*\w+\*\* — |^## |\Z)", text, re.DOTALL | re.MULTILINE)
    }
    assert sorted(sections) == sorted(proxy_names())
    assert all("$$" in body and "{cite}`" in body for body in sections.values())
