"""The documentation runs: every Python block of docs/ and README.md, and the site build.

A page's blocks run in order in one namespace (docs/gen_doc_images.py), and where
the page shows what a block prints (a ``text`` block after the marker
``<!--pytest-codeblocks:expected-output-->``) the printed output must match it.
"""

from __future__ import annotations

import html
import importlib.util
import inspect
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("pytest_codeblocks")  # the dev extra installs it; it parses the pages
from pytest_codeblocks import extract_from_file  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SVG = "{http://www.w3.org/2000/svg}"

_spec = importlib.util.spec_from_file_location("gen_doc_images", DOCS / "gen_doc_images.py")
gen_doc_images = importlib.util.module_from_spec(_spec)
sys.modules["gen_doc_images"] = gen_doc_images  # dataclasses look their module up there
_spec.loader.exec_module(gen_doc_images)

PAGES = gen_doc_images.pages()
PAGES_WITH_CODE = [page for page in PAGES if gen_doc_images.python_blocks(page)]


def _page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


def test_every_page_with_code_is_collected() -> None:
    names = {_page_id(p) for p in PAGES_WITH_CODE}
    for expected in ("README.md", "docs/index.md", "docs/documents.md", "docs/autograd.md",
                     "docs/extending.md", "docs/differences.md", "docs/training.md"):
        assert expected in names


@pytest.mark.parametrize("page", PAGES_WITH_CODE, ids=_page_id)
def test_page_code_runs_and_prints_what_the_page_shows(page: Path, tmp_path: Path) -> None:
    runs = gen_doc_images.run_page(page, tmp_path)
    for run in runs:
        if run.expected is not None:
            assert gen_doc_images.normalized(run.printed) == gen_doc_images.normalized(
                run.expected
            ), f"{_page_id(page)}:{run.lineno}: the block printed\n{run.printed}"
    # every picture the page's code draws is the one the page shows
    for svg in tmp_path.rglob("*.svg"):
        assert (gen_doc_images.IMAGES / svg.name).is_file(), (
            f"{_page_id(page)} draws {svg.name} but docs/images/autograd/ lacks it: "
            "run python docs/gen_doc_images.py"
        )


def test_every_picture_is_shown_on_a_page_and_links_to_its_full_size() -> None:
    text = "".join(page.read_text(encoding="utf-8") for page in PAGES)
    pictures = sorted(p for p in (DOCS / "images").rglob("*") if p.is_file())
    assert pictures
    for picture in pictures:
        path = picture.relative_to(DOCS).as_posix()
        assert f"{path})" in text, f"docs/{path} is on no page"
    shown = re.findall(r"!\[[^\n]*?\]\(([^)]+)\)", text)
    assert all(re.search(rf"\]\({re.escape(src)}\)\]\({re.escape(src)}\)", text)
               for src in shown), "a picture that is not a link to its full-size file"


SITE_COLUMN_PX = 690  # the width of Material's content column in a 1280 px wide window
LEGIBLE_PX = 9


@pytest.mark.parametrize("svg", sorted((DOCS / "images").rglob("*.svg")), ids=lambda p: p.name)
def test_every_picture_is_legible_at_the_width_the_site_shows_it(svg: Path) -> None:
    """Shrunk to the page column, the smallest text of the picture is still >= 9 px high."""
    root = ET.parse(svg).getroot()
    natural_px = float(root.get("width").removesuffix("pt")) * 4 / 3  # CSS: 1pt = 4/3 px
    sizes = [float(t.get("font-size")) * 4 / 3 for t in root.iter(f"{SVG}text")]
    shown_px = min(sizes) * min(1.0, SITE_COLUMN_PX / natural_px)
    assert shown_px >= LEGIBLE_PX, (
        f"{svg.name} is {natural_px:.0f} px wide: in the {SITE_COLUMN_PX} px column its "
        f"smallest text is {shown_px:.1f} px; draw it with rankdir='TB' or make it smaller"
    )


def test_every_shown_output_belongs_to_a_python_block() -> None:
    for page in PAGES:
        for block in extract_from_file(page):
            if block.expected_output is not None:
                where = f"{_page_id(page)}:{block.lineno}"
                assert block.syntax.split()[0] in gen_doc_images.PYTHON, where
                assert block.expected_output.strip(), where


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once for this module's tests with ``mkdocs build --strict``."""
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    folder = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict",
         "--config-file", str(ROOT / "mkdocs.yml"), "--site-dir", str(folder)],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return folder


def test_site_builds_with_strict_warnings(site: Path) -> None:
    assert (site / "index.html").is_file()
    _assert_pages_need_no_network(site)
    # every public name with a docstring of its own has its entry in the API reference
    reference = "".join(
        page.read_text(encoding="utf-8")
        for page in (site / "reference").rglob("index.html")
    )
    anchors = set(re.findall(r'id="(tinygrad_nn[\w.]*)"', reference))
    absent = []
    for name, obj in _public_api():
        target = obj.fget if isinstance(obj, property) else obj
        if getattr(target, "__doc__", None):
            if f"{target.__module__}.{target.__qualname__}" not in anchors:
                absent.append(name)
    assert not absent, f"missing from the API reference pages: {absent}"


def _assert_pages_need_no_network(site: Path) -> None:
    """Every formula is MathML written at build time, and no page loads anything from a host."""
    formulas = 0
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        where = page.relative_to(site)
        for tag in re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", text):
            assert not re.search(r'(?:src|href)="(?:https?:)?//', tag), f"{where}: {tag}"
        prose = re.sub(r"<(script|style|pre|code)\b.*?</\1>", "", text, flags=re.DOTALL)
        raw = re.findall(r"\\\(|\\\[|\$\$|\$[^$<\s][^$<]*\$", html.unescape(prose))
        assert not raw, f"{where}: TeX the browser would show raw: {raw[:3]}"
        formulas += text.count("<math ")
    assert formulas > 80  # the documents' equations, and the other pages' few


def test_chromium_offline_shows_the_equations_rendered_not_as_tex(site: Path) -> None:
    """Headless Chromium, every host unresolvable, loads the documents page from disk.

    The page as the browser holds it after its scripts ran has the equations as
    MathML and no TeX left in its text (MathJax from a CDN left ~110 of them raw).
    """
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Chromium is needed (apt-get install chromium; .ci/run installs it)"
    page = site / "documents" / "index.html"
    result = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=3000",
         "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    dom = result.stdout
    assert "<math" in dom, result.stderr[-2000:]
    assert dom.count("<math") == page.read_text(encoding="utf-8").count("<math")
    body = re.sub(r"<(script|style|pre|code|math)\b.*?</\1>", "", dom, flags=re.DOTALL)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    for tex in ("\\frac", "\\partial", "\\mathbb", "\\begin", "\\(", "$$"):
        assert tex not in text, f"raw TeX {tex!r} in the page as Chromium shows it"


def _public_api() -> list[tuple[str, object]]:
    """Every public name the API reference documents: modules' exports and class members."""
    import tinygrad_nn as tg
    import tinygrad_nn.nn.functional as F
    from tinygrad_nn import nn, optim
    from tinygrad_nn.nn import init
    from tinygrad_nn.optim import lr_scheduler

    names: list[tuple[str, object]] = []
    for module in (tg, nn, F, init, optim, lr_scheduler, tg.data, tg.reference, tg.viz):
        exported = getattr(module, "__all__", None) or [
            n for n, v in vars(module).items()
            if not n.startswith("_") and getattr(v, "__module__", None) == module.__name__
        ]
        for name in exported:
            obj = getattr(module, name)
            if callable(obj) and not inspect.ismodule(obj):
                names.append((f"{module.__name__}.{name}", obj))
    for qualname, obj in list(names):
        if inspect.isclass(obj):
            for member, value in vars(obj).items():
                if not member.startswith("_") and (callable(value) or isinstance(value, property)):
                    names.append((f"{qualname}.{member}", getattr(obj, member)))
    return names


def test_every_public_name_has_a_docstring_for_the_api_reference() -> None:
    api = _public_api()
    names = {name for name, _ in api}
    for expected in ("tinygrad_nn.Tensor.backward", "tinygrad_nn.nn.Linear.forward",
                     "tinygrad_nn.optim.Optimizer.step", "tinygrad_nn.viz.explain"):
        assert expected in names
    undocumented = [name for name, obj in api if not (inspect.getdoc(obj) or "").strip()]
    assert not undocumented, f"the API reference would show these undescribed: {undocumented}"
