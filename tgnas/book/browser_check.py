"""Load every page of the built book in headless Chromium and report what a reader would see broken.

Chromium renders each page (scripts run for a virtual 5 s) and dumps the resulting DOM; the checks
run on that DOM, so they also cover what the theme's JavaScript adds or removes. Reported: a
table-of-contents page missing from the build, an image that does not resolve to a non-empty file,
an internal link to a missing file or anchor, a chapter (a page built from an executed notebook)
that shows no figure, a page Chromium could not load, and what a reader would see wrong
(:func:`reader_problems`): a cell output rendered from stderr or showing a warning, a figure
without a caption or with alt text that is empty or a file name, a page that scrolls sideways at
1280 px, a mention of an issue, an emoji glyph, a formula MathJax did not typeset (the reader sees raw
TeX), a script loaded from the network.

Chromium resolves no host name (``--host-resolver-rules``): the page is checked as an offline reader sees it.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urljoin, urlsplit
from urllib.request import url2pathname

from tgnas.book.layout import TOC_NAME, find_book_root, toc_documents

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,900",  # a laptop screen: the theme shows its sidebars, as most readers see it
    "--host-resolver-rules=MAP * ~NOTFOUND",  # no network: what a CDN would have served stays missing
)
VIRTUAL_TIME_BUDGET_MS = 5000

# URLs with these schemes are not files of the book: links using them are not followed (the check
# runs offline), images using them are reported (the book must be readable offline).
_EXTERNAL_SCHEMES = {"http", "https", "mailto", "tel", "ftp", "javascript"}
_VOID_ELEMENTS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
_REFRESH_URL = re.compile(r"url\s*=\s*(\S+)", re.IGNORECASE)
# Directories of the build that hold assets, not pages.
_ASSET_DIRS = {"_static", "_sources", "_images", "_sphinx_design_static"}


class ChromiumNotFoundError(FileNotFoundError):
    """The Chromium executable is not installed (or not on PATH)."""


@dataclass
class PageDom:
    """What the checks need from one page's DOM."""

    ids: set[str] = field(default_factory=set)
    images: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    figures: int = 0
    """<img>/<svg> elements inside notebook cell outputs (class ``cell_output``) or <figure>s."""
    redirect: str | None = None
    """Target of a ``<meta http-equiv="refresh">`` (jupyter-book's index.html is one)."""
    stderr_outputs: int = 0
    """Cell output blocks rendered from stderr (myst-nb class ``stderr``)."""
    warnings: list[str] = field(default_factory=list)
    """Lines of cell outputs that are a Python warning (``SomethingWarning: ...``)."""
    uncaptioned: list[str] = field(default_factory=list)
    """Sources of figures (cell-output or <figure> images) without a <figcaption>; ``<svg>`` for inline SVG."""
    bad_alt: list[tuple[str, str | None]] = field(default_factory=list)
    """(src, alt) of figure images whose alt text is missing, empty or a file name."""
    scroll: tuple[int, int] | None = None
    """(scrollWidth, clientWidth) of the page as the browser laid it out (set by the check's probe script)."""
    text: list[str] = field(default_factory=list)
    """The page's text, outside <script> and <style>."""
    scripts: list[str] = field(default_factory=list)
    """``src`` of every <script> element."""
    raw_math: list[str] = field(default_factory=list)
    """Text of math elements (Sphinx class ``math``) that hold no MathJax output: the reader sees raw TeX."""


#: attribute the probe script puts on <html>: "scrollWidth clientWidth" of the laid-out page
SCROLL_ATTRIBUTE = "data-tgnas-scroll"
_PROBE = (
    '<script>window.addEventListener("load",function(){setTimeout(function(){'
    "var page=document.scrollingElement||document.documentElement;"
    f'document.documentElement.setAttribute("{SCROLL_ATTRIBUTE}",page.scrollWidth+" "+page.clientWidth);'
    "},500);});</script>"
)
_WARNING_LINE = re.compile(r"\b[A-Z][A-Za-z]*Warning: ")
_FILE_NAME = re.compile(r"^\S+\.(?:png|jpe?g|svg|gif|webp|pdf)$", re.IGNORECASE)
_ISSUE_MENTION = re.compile(r"\b[Ii]ssues? #")
# Characters drawn as colour emoji (Unicode Emoji_Presentation), which show as empty boxes where no
# emoji font is installed: the pictographic planes, the emoji among the BMP symbols, and the
# variation selector that turns a symbol into an emoji.
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u231a\u231b\u23e9-\u23ec\u23f0\u23f3\u25fd\u25fe\u2614\u2615\u2648-\u2653"
    "\u267f\u2693\u26a1\u26aa\u26ab\u26bd\u26be\u26c4\u26c5\u26ce\u26d4\u26ea\u26f2-\u26f5\u26fa\u26fd"
    "\u2705\u270a\u270b\u2728\u274c\u274e\u2753-\u2755\u2757\u2795-\u2797\u27b0\u27bf\u2b1b\u2b1c\u2b50\u2b55\ufe0f]"
)


def _alt_problem(src: str, alt: str | None) -> bool:
    """Whether ``alt`` says nothing a reader can use: absent, blank, or a file name (myst-nb's default is the path)."""
    if alt is None or not alt.strip():
        return True
    alt = alt.strip()
    return alt == src or alt == src.rsplit("/", 1)[-1] or _FILE_NAME.match(alt) is not None


@dataclass
class _Open:
    """An element the collector is inside of."""

    tag: str
    output: bool = False
    """a notebook cell output (class ``cell_output``)"""
    stderr: bool = False
    figure_images: list[str] | None = None
    """for a <figure>: the images inside it so far"""
    captioned: bool = False
    math: bool = False
    """a formula as Sphinx writes it (class ``math``), which MathJax replaces by an <mjx-container>"""
    typeset: bool = False
    math_text: list[str] = field(default_factory=list)


class _DomCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.dom = PageDom()
        self._open: list[_Open] = []

    def _inside_output(self) -> bool:
        return any(element.output for element in self._open)

    def _figure(self) -> _Open | None:
        return next((element for element in reversed(self._open) if element.figure_images is not None), None)

    def _collect_figure(self, tag: str, attributes: dict[str, str | None]) -> None:
        figure = self._figure()
        if figure is None and not self._inside_output():
            return
        self.dom.figures += 1
        src = (attributes.get("src") or "") if tag == "img" else "<svg>"
        if tag == "img" and _alt_problem(src, attributes.get("alt")):
            self.dom.bad_alt.append((src, attributes.get("alt")))
        if figure is not None:
            figure.figure_images.append(src)
        else:
            self.dom.uncaptioned.append(src)

    def _collect(self, tag: str, attributes: dict[str, str | None]) -> None:
        if attributes.get("id"):
            self.dom.ids.add(attributes["id"])
        if tag == "a" and attributes.get("name"):
            self.dom.ids.add(attributes["name"])
        if tag == "a" and attributes.get("href") is not None:
            self.dom.links.append(attributes["href"] or "")
        if tag == "img":
            self.dom.images.append(attributes.get("src") or "")
        if tag == "script" and attributes.get("src"):
            self.dom.scripts.append(attributes["src"] or "")
        if tag == "mjx-container":
            formula = next((element for element in reversed(self._open) if element.math), None)
            if formula is not None:
                formula.typeset = True
        # an <svg>'s parts are not figures, nor is the icon of a button (the copy button of an output)
        if tag in ("img", "svg") and not any(element.tag in ("svg", "button") for element in self._open):
            self._collect_figure(tag, attributes)
        if tag == "figcaption" and self._figure() is not None:
            self._figure().captioned = True
        if tag == "html" and attributes.get(SCROLL_ATTRIBUTE):
            widths = (attributes[SCROLL_ATTRIBUTE] or "").split()
            if len(widths) == 2 and all(width.isdigit() for width in widths):
                self.dom.scroll = (int(widths[0]), int(widths[1]))
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            match = _REFRESH_URL.search(attributes.get("content") or "")
            if match:
                self.dom.redirect = match.group(1).strip("'\" ")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self._collect(tag, attributes)
        if tag in _VOID_ELEMENTS:
            return
        classes = (attributes.get("class") or "").split()
        element = _Open(tag, output="cell_output" in classes, figure_images=[] if tag == "figure" else None)
        element.math = "math" in classes and tag in ("span", "div") and not any(open_.math for open_ in self._open)
        element.stderr = "stderr" in classes and (self._inside_output() or "output" in classes)
        if element.stderr:
            self.dom.stderr_outputs += 1
        self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._collect(tag, dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth].tag == tag:
                for closed in self._open[depth:]:
                    if closed.figure_images is not None and not closed.captioned:
                        self.dom.uncaptioned.extend(closed.figure_images)
                    if closed.math and not closed.typeset:
                        self.dom.raw_math.append(" ".join("".join(closed.math_text).split()))
                del self._open[depth:]
                return

    def handle_data(self, data: str) -> None:
        if any(element.tag in ("script", "style") for element in self._open):
            return
        self.dom.text.append(data)
        formula = next((element for element in reversed(self._open) if element.math), None)
        if formula is not None:
            formula.math_text.append(data)
        if self._inside_output():
            self.dom.warnings.extend(line.strip() for line in data.splitlines() if _WARNING_LINE.search(line))


def parse_dom(html: str) -> PageDom:
    """Ids, image sources, link targets and the figure count of an HTML document."""
    collector = _DomCollector()
    collector.feed(html)
    collector.close()
    return collector.dom


def built_pages(html_dir: Path) -> list[Path]:
    """Every .html page of the build, skipping asset directories."""
    html_dir = Path(html_dir)
    return sorted(
        path for path in html_dir.rglob("*.html") if not any(part in _ASSET_DIRS for part in path.relative_to(html_dir).parts[:-1])
    )


# --- resolving URLs ------------------------------------------------------------------------


def _local_target(page: Path, url: str) -> tuple[Path | None, str]:
    """(file the URL points at, decoded fragment); file None for external or non-file URLs."""
    parts = urlsplit(urljoin(page.resolve().as_uri(), url))
    if parts.scheme != "file":
        return None, ""
    return Path(url2pathname(parts.path)), unquote(parts.fragment)


def _data_uri_problem(uri: str) -> str | None:
    header, comma, payload = uri.partition(",")
    if not comma:
        return "is a data: URI without a ',' separator"
    try:
        content = base64.b64decode("".join(payload.split()), validate=True) if header.endswith(";base64") else unquote_to_bytes(payload)
    except (binascii.Error, ValueError) as error:
        return f"is a data: URI that does not decode ({error})"
    return None if content else "is an empty data: URI"


def _image_problem(page: Path, src: str, html_dir: Path) -> str | None:
    if not src.strip():
        return "has an empty src"
    if src.startswith("data:"):
        return _data_uri_problem(src)
    scheme = urlsplit(src).scheme
    if scheme in _EXTERNAL_SCHEMES:
        return "is loaded from the network (the book must be readable offline)"
    target, _ = _local_target(page, src)
    if target is None:
        return f"has an unsupported URL scheme {scheme!r}"
    if not _is_within(target, html_dir):
        return f"points outside the built book ({target})"
    if not target.is_file() or target.stat().st_size == 0:
        return f"does not resolve to a non-empty file ({target})"
    return None


def _is_within(path: Path, directory: Path) -> bool:
    return path.resolve().is_relative_to(directory.resolve())


def _relative(path: Path, directory: Path) -> str:
    return path.resolve().relative_to(directory.resolve()).as_posix()


def _link_problem(page: Path, href: str, html_dir: Path, doms: Mapping[Path, PageDom]) -> str | None:
    if urlsplit(href).scheme in _EXTERNAL_SCHEMES or href.startswith("data:"):
        return None
    target, fragment = _local_target(page, href)
    if target is None:
        return None
    if not _is_within(target, html_dir):
        return f"points outside the built book ({target})"
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return f"points at a missing file ({_relative(target, html_dir)})"
    if not fragment or target.suffix != ".html":
        return None
    dom = doms.get(target.resolve())
    ids = dom.ids if dom is not None else parse_dom(target.read_text(encoding="utf-8", errors="replace")).ids
    if fragment not in ids:
        return f"points at a missing anchor #{fragment} in {_relative(target, html_dir)}"
    return None


# --- checks --------------------------------------------------------------------------------


def dom_problems(
    html_dir: Path,
    doms: Mapping[Path, str],
    expected_pages: Iterable[str],
    chapter_pages: Iterable[str] = (),
) -> list[str]:
    """The problems found in the dumped DOMs ``doms`` (page path → HTML) of the build in ``html_dir``.

    ``expected_pages`` and ``chapter_pages`` are docnames (``book/status``); chapters must show a
    figure. Pure: Chromium is only needed to produce ``doms``.
    """
    html_dir = Path(html_dir).resolve()
    parsed = {Path(page).resolve(): parse_dom(html) for page, html in doms.items()}
    problems = []
    for docname in expected_pages:
        if not (html_dir / f"{docname}.html").is_file():
            problems.append(f"{docname}: listed in {TOC_NAME} but {docname}.html is missing from the build")
    for docname in chapter_pages:
        dom = parsed.get(html_dir / f"{docname}.html")
        if dom is not None and dom.figures == 0:
            problems.append(f"{docname}.html: chapter shows no figure (no <img>/<svg> in its cell outputs)")
    for page, dom in sorted(parsed.items()):
        name = _relative(page, html_dir)
        problems += [f"{name}: {problem}" for problem in reader_problems(dom)]
        if dom.redirect is not None:
            problem = _link_problem(page, dom.redirect, html_dir, parsed)
            if problem:
                problems.append(f"{name}: redirect to {dom.redirect!r} {problem}")
        for src in dom.images:
            problem = _image_problem(page, src, html_dir)
            if problem:
                shown = f"{src[:40]}..." if src.startswith("data:") and len(src) > 40 else src
                problems.append(f"{name}: <img src={shown!r}> {problem}")
        for href in dom.links:
            problem = _link_problem(page, href, html_dir, parsed)
            if problem:
                problems.append(f"{name}: <a href={href!r}> {problem}")
    return list(dict.fromkeys(problems))  # the theme repeats links (page toc, sidebar): report once


def _shorten(src: str) -> str:
    return f"{src[:40]}..." if src.startswith("data:") and len(src) > 40 else src


def reader_problems(dom: PageDom) -> list[str]:
    """What a reader of the page would see wrong: stderr or warnings, figures without caption or alt
    text, a page wider than the window, raw TeX, scripts from the network, a mention of an issue, emoji glyphs."""
    problems = []
    if dom.stderr_outputs:
        problems.append(f"{dom.stderr_outputs} cell output block(s) rendered from stderr (warnings, log lines, progress bars)")
    problems += [f"a cell output shows a warning: {line[:160]!r}" for line in dict.fromkeys(dom.warnings)]
    if dom.uncaptioned:
        problems.append(f"{len(dom.uncaptioned)} figure(s) without a caption (first: {_shorten(dom.uncaptioned[0])})")
    if dom.bad_alt:
        src, alt = dom.bad_alt[0]
        problems.append(
            f"{len(dom.bad_alt)} figure image(s) whose alt text is missing, empty or a file name (first: {_shorten(src)}, alt={alt!r})"
        )
    if dom.scroll is not None and dom.scroll[0] > dom.scroll[1]:
        problems.append(f"the page scrolls sideways ({dom.scroll[0]} px of content in a {dom.scroll[1]} px wide window)")
    text = " ".join(" ".join(dom.text).split())  # text nodes joined as a reader sees them, runs of space as one
    mention = _ISSUE_MENTION.search(text)
    if mention:
        problems.append(f"mentions an issue ({text[max(0, mention.start() - 30) : mention.end() + 10].strip()!r}); book pages never do")
    if dom.raw_math:
        problems.append(
            f"{len(dom.raw_math)} formula(s) not typeset by MathJax, shown as raw TeX (first: {dom.raw_math[0][:60]!r}); "
            "MathJax must be served with the book"
        )
    remote = [src for src in dom.scripts if urlsplit(src).scheme in ("http", "https") or src.startswith("//")]
    if remote:
        problems.append(f"loads {len(remote)} script(s) from the network (first: {remote[0][:80]}); an offline reader gets none of them")
    emoji = sorted(set(_EMOJI.findall(text)))
    if emoji:
        shown = " ".join(f"U+{ord(char):04X}" for char in emoji)
        problems.append(f"shows emoji ({shown}), an empty box where no emoji font is installed; use plain text marks")
    return problems


def probed_copy(page: Path, directory: Path) -> Path:
    """A copy of ``page`` in ``directory`` (same file name) that loads as the original and records its layout.

    A ``<base>`` element makes every relative URL resolve against the original page; the probe
    script puts the page's scroll and client width on <html> (:data:`SCROLL_ATTRIBUTE`) once it has loaded.
    """
    html = Path(page).read_text(encoding="utf-8", errors="replace")
    base = f'<base href="{Path(page).resolve().as_uri()}">'
    head = re.search(r"<head\b[^>]*>", html, re.IGNORECASE)
    html = html[: head.end()] + base + html[head.end() :] if head else base + html
    body_end = html.lower().rfind("</body>")
    html = html[:body_end] + _PROBE + html[body_end:] if body_end >= 0 else html + _PROBE
    copy = Path(directory) / Path(page).name
    copy.write_text(html, encoding="utf-8")
    return copy


def dump_dom(page: Path, chromium: str = "chromium", timeout_s: float = 60.0) -> str:
    """The DOM of ``page`` after headless Chromium loaded it (through :func:`probed_copy`); RuntimeError when Chromium fails."""
    with (
        tempfile.TemporaryDirectory(prefix="tgnas-chromium-") as profile_dir,
        tempfile.TemporaryDirectory(prefix="tgnas-page-") as copy_dir,
    ):
        command = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile_dir}",
            f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}",
            "--dump-dom",
            probed_copy(page, Path(copy_dir)).as_uri(),
        ]
        # Own session, so that on timeout the whole Chromium process tree can be killed at once.
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True) as process:
            try:
                stdout, stderr = process.communicate(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.communicate()
                raise RuntimeError(f"Chromium did not finish within {timeout_s:g} s") from None
    if process.returncode != 0 or not stdout.strip():
        last_lines = " | ".join(stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"Chromium exited with status {process.returncode} and no DOM ({last_lines})")
    return stdout


def _default_pages(html_dir: Path) -> tuple[list[str], list[str]]:
    """(toc docnames, chapter docnames) of the book whose build is ``html_dir``."""
    for candidate in Path(html_dir).resolve().parents:
        if (candidate / TOC_NAME).is_file():
            documents = toc_documents(candidate)
            return documents, [doc for doc in documents if (candidate / f"{doc}.ipynb").is_file()]
    raise ValueError(f"no {TOC_NAME} above {html_dir}; pass expected_pages= and chapter_pages=")


def check_book(
    html_dir: Path | None = None,
    chromium: str = "chromium",
    expected_pages: Iterable[str] | None = None,
    chapter_pages: Iterable[str] | None = None,
    *,
    timeout_s: float = 60.0,
    workers: int = 4,
) -> list[str]:
    """Load every page of ``html_dir`` in headless Chromium; return the problems found (empty: ok).

    ``html_dir`` defaults to ``_build/html`` of the book root (:func:`find_book_root`).
    ``expected_pages``/``chapter_pages`` default to the docnames in the book's _toc.yml (found
    above ``html_dir``) and those among them built from an ``.ipynb``. Each Chromium run gets a
    fresh profile directory; pages load in parallel (``workers``).
    """
    html_dir = find_book_root() / "_build" / "html" if html_dir is None else Path(html_dir)
    if not html_dir.is_dir():
        raise ValueError(f"{html_dir} is not a directory; build the book first (`tgnas book build`)")
    if shutil.which(chromium) is None:
        raise ChromiumNotFoundError(
            f"Chromium executable {chromium!r} not found; install it (Debian: apt-get install -y chromium) or pass chromium= with its path"
        )
    if expected_pages is None or chapter_pages is None:
        toc_pages, toc_chapters = _default_pages(html_dir)
        expected_pages = toc_pages if expected_pages is None else expected_pages
        chapter_pages = toc_chapters if chapter_pages is None else chapter_pages
    pages = built_pages(html_dir)

    def load(page: Path) -> tuple[Path, str | None, str | None]:
        try:
            return page, dump_dom(page, chromium, timeout_s), None
        except RuntimeError as error:
            return page, None, str(error)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        loaded = list(pool.map(load, pages))
    problems = [f"{page.relative_to(html_dir).as_posix()}: {error}" for page, _, error in loaded if error]
    doms = {}
    for page, dom, _ in loaded:
        if dom is None:
            continue
        raw = page.read_text(encoding="utf-8", errors="replace")
        # Chromium follows a redirect page and dumps its target's DOM, whose relative URLs would
        # then be resolved against the wrong page: check the redirect itself instead.
        doms[page] = raw if parse_dom(raw).redirect is not None else dom
    return problems + dom_problems(html_dir, doms, list(expected_pages), list(chapter_pages))
