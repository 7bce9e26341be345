"""What a chapter page shows: the runner's cleaning of executed notebooks and the browser check's reader rules.

The cleaning is tested on notebooks built in memory; the reader rules on small HTML fixtures (and,
where Chromium is installed, one real page for the sideways-scroll probe).
"""

from __future__ import annotations

import shutil

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tgnas.book.browser_check import check_book, dom_problems, parse_dom, probed_copy, reader_problems
from tgnas.book.clean import HIDE_INPUT, REMOVE_CELL, clean_notebook, is_progress_text, stderr_log

needs_chromium = pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")

BAR = "\rsearch:  40%|####      | 4/10 [00:01<00:02,  2.90it/s]"
WARNING = "/site/x.py:3: UserWarning: the thing is deprecated\n  warnings.warn(\n"


def _stream(name: str, text: str):
    return new_output("stream", name=name, text=text)


def _notebook():
    return new_notebook(
        cells=[
            new_markdown_cell("# Title"),
            new_code_cell('profile = "ci"', metadata={"tags": ["parameters"]}),
            new_code_cell('profile = "paper"', metadata={"tags": ["injected-parameters"]}),
            new_code_cell("run()", outputs=[_stream("stdout", "done\n"), _stream("stderr", BAR + BAR), _stream("stderr", WARNING)]),
            new_code_cell("secret()", metadata={"tags": ["remove-input"]}),
            new_code_cell("answer()", metadata={"tags": ["solution"]}),
        ]
    )


def test_clean_hides_code_removes_parameter_cells_and_keeps_the_chapters_own_tags():
    notebook = _notebook()
    clean_notebook(notebook)
    tags = [cell.metadata.get("tags", []) for cell in notebook.cells]
    assert tags == [[], ["parameters", REMOVE_CELL], ["injected-parameters", REMOVE_CELL], [HIDE_INPUT], ["remove-input"], ["solution"]]
    clean_notebook(notebook)  # idempotent: the runner may publish a notebook twice
    assert [cell.metadata.get("tags", []) for cell in notebook.cells] == tags


def test_clean_drops_progress_bars_and_returns_other_stderr_for_the_log():
    notebook = _notebook()
    report = clean_notebook(notebook)
    assert [output.get("name") for output in notebook.cells[3].outputs] == ["stdout"]
    assert report.progress_outputs == 1
    assert report.stderr == [(3, WARNING)]
    assert stderr_log(report) == "--- cell 3\n" + WARNING


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BAR, True),
        ("\r  0%|          | 0/20 [00:00<?, ?it/s]\n", True),
        ("\rquery searches:   5%|▌         | 1/20 [00:10<03:24, 10.77s/it]", True),
        ("UserWarning: 40%| of cells |  dropped", False),
        (BAR + "\nTraceback (most recent call last):\n", False),
        ("", False),
    ],
)
def test_progress_text_is_only_tqdm_redraws(text, expected):
    assert is_progress_text(text) is expected


# --- reader rules on HTML fixtures ---------------------------------------------------------


def _page(body: str, html_attributes: str = "") -> str:
    return f"<!DOCTYPE html><html{html_attributes}><head><title>t</title></head><body>{body}</body></html>"


def _output(inner: str) -> str:
    return f'<div class="cell_output docutils container">{inner}</div>'


CAPTIONED = '<figure><img src="_images/a.png" alt="NB201 test accuracy against parameters"><figcaption><p>Fig. 1</p></figcaption></figure>'


def test_a_clean_page_has_no_reader_problems():
    html = _page(
        _output(CAPTIONED)
        + _output('<div class="output stream"><pre>done</pre><button class="copybtn"><svg><path d="M0"/></svg></button></div>')
        + '<img class="logo" src="_static/logo.png" alt="">'  # theme images are not figures
        + "<p>Kendall τ → 0.61 × 2 ✓</p>"
        + '<span class="math notranslate nohighlight"><mjx-container class="MathJax"><mjx-math></mjx-math></mjx-container></span>'
        + '<script src="_static/mathjax/tex-chtml.js"></script>',
        ' data-tgnas-scroll="1265 1265"',
    )
    assert reader_problems(parse_dom(html)) == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (_output('<div class="output stderr"><pre>oops</pre></div>'), "1 cell output block(s) rendered from stderr"),
        (_output("<pre>/x.py:1: FutureWarning: use y\n</pre>"), "a cell output shows a warning: '/x.py:1: FutureWarning: use y'"),
        (_output('<img src="_images/a.png" alt="a chart">'), "1 figure(s) without a caption (first: _images/a.png)"),
        ('<figure><img src="_images/a.png" alt="a chart"></figure>', "1 figure(s) without a caption"),
        (_output("<svg><g><path/></g></svg>"), "1 figure(s) without a caption (first: <svg>)"),
        (_output('<figure><img src="_images/a.png"><figcaption>c</figcaption></figure>'), "alt text is missing, empty or a file name"),
        (_output('<figure><img src="_images/a.png" alt=" "><figcaption>c</figcaption></figure>'), "alt=' '"),
        (_output('<figure><img src="../_images/a.png" alt="../_images/a.png"><figcaption>c</figcaption></figure>'), "a file name"),
        (_output('<figure><img src="_images/a.png" alt="plot.svg"><figcaption>c</figcaption></figure>'), "a file name"),
        ("<p>trained on NB101 only, issue #3</p>", "only, issue #3'); book pages never do"),
        ("<p>See Issue #12.</p>", "mentions an issue"),
        ("<td>\u2705</td>", "shows emoji (U+2705)"),
        ("<td>ok \U0001f680</td>", "shows emoji (U+1F680)"),
        (
            '<p>so <span class="math notranslate nohighlight">\\(\\tau \\geq 0\\)</span></p>',
            "1 formula(s) not typeset by MathJax, shown as raw TeX",
        ),
        ('<div class="math notranslate nohighlight">\\[ a \\]</div><span class="math">\\(b\\)</span>', "2 formula(s) not typeset"),
        ('<script async src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>', "loads 1 script(s) from the network"),
        ('<script src="//cdn.example.org/x.js"></script>', "(first: //cdn.example.org/x.js)"),
    ],
)
def test_each_reader_rule_fires(body, expected):
    problems = reader_problems(parse_dom(_page(body)))
    assert len(problems) == 1 and expected in problems[0], problems


def test_a_page_wider_than_its_window_is_reported_and_scripts_are_not_text():
    dom = parse_dom(_page("<script>var s = 'issue #1 \u2705';</script>", ' data-tgnas-scroll="2400 1265"'))
    assert reader_problems(dom) == ["the page scrolls sideways (2400 px of content in a 1265 px wide window)"]


def test_dom_problems_name_the_page_of_a_reader_problem(tmp_path):
    page = tmp_path / "book" / "x.html"
    page.parent.mkdir()
    page.write_text(_page("<p>issue #4</p>"))
    [problem] = dom_problems(tmp_path, {page: page.read_text()}, ["book/x"])
    assert problem.startswith("book/x.html: mentions an issue (") and "issue #4" in problem


def test_the_probed_copy_resolves_relative_urls_against_the_original(tmp_path):
    page = tmp_path / "site" / "p.html"
    page.parent.mkdir()
    page.write_text("<html><head><title>t</title></head><body><img src='a.png'></body></html>")
    copy = probed_copy(page, tmp_path)
    html = copy.read_text()
    assert copy.name == "p.html" and copy.parent == tmp_path
    assert html.index(f'<base href="{page.resolve().as_uri()}">') < html.index("<title>")
    assert html.index("data-tgnas-scroll") < html.index("</body>")


@needs_chromium
def test_chromium_measures_a_page_that_scrolls_sideways(tmp_path):
    (tmp_path / "wide.html").write_text(_page('<div style="width: 3000px">wide</div>'))
    (tmp_path / "narrow.html").write_text(_page("<p>narrow</p>"))
    problems = check_book(tmp_path, expected_pages=[], chapter_pages=[])
    assert len(problems) == 1 and problems[0].startswith("wide.html: the page scrolls sideways (3")
