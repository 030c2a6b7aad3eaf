"""Run the Python blocks of the docs pages, as the tests do, and keep the pictures they draw.

    python docs/gen_doc_images.py                  # redraw docs/images/autograd/*.svg
    python docs/gen_doc_images.py --write-outputs  # also rewrite the pages' Output blocks

A page's blocks run in order in one namespace (like a notebook), inside a scratch
directory. Every ``.svg`` a page writes there is copied to ``docs/images/autograd/``,
where the page shows it: each picture on the site is drawn by the code printed
beside it. ``tests/test_docs.py`` runs the pages the same way and compares what
they print with the ``text`` block that follows a code block after the marker
``<!--pytest-codeblocks:expected-output-->`` (pytest-codeblocks' convention, which
also does the Markdown parsing here). When the library's output changes on purpose,
``--write-outputs`` puts the new output into the pages: read the diff before
committing it, since it is what the tests will hold the library to.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pytest_codeblocks import extract_from_file

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
IMAGES = DOCS / "images" / "autograd"
PYTHON = ("python", "py", "python3")


@dataclass
class BlockRun:
    """One code block of a page, what the page says it prints, and what it printed."""

    page: Path
    lineno: int
    code: str
    expected: str | None
    printed: str


def pages() -> list[Path]:
    """Every Markdown page of the site, and the README."""
    return sorted(DOCS.rglob("*.md")) + [ROOT / "README.md"]


def python_blocks(page: Path) -> list:
    """The page's Python code blocks (pytest-codeblocks ``CodeBlock``s), in page order."""
    return [
        block for block in extract_from_file(page)
        if block.syntax and block.syntax.split()[0].strip("{.") in PYTHON
    ]


def normalized(text: str) -> str:
    """Output without trailing spaces on each line or blank lines at either end."""
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def run_page(page: Path, workdir: Path) -> list[BlockRun]:
    """Run the page's Python blocks in order, in one namespace, with ``workdir`` as cwd.

    An exception in a block propagates; its traceback shows the page's own line numbers.
    """
    namespace: dict = {"__name__": "__docs__"}
    runs = []
    previous = os.getcwd()
    os.chdir(workdir)
    try:
        for block in python_blocks(page):
            # pad with blank lines so tracebacks point at the line in the Markdown file
            source = "\n" * block.lineno + block.code
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                exec(compile(source, str(page), "exec"), namespace)
            runs.append(BlockRun(page, block.lineno + 1, block.code, block.expected_output,
                                 printed.getvalue()))
    finally:
        os.chdir(previous)
    return runs


def _fence_end(lines: list[str], start: int) -> int:
    """Index of the first line at or after ``start`` that opens or closes a fence."""
    return next(i for i in range(start, len(lines)) if lines[i].lstrip().startswith("```"))


def write_outputs(page: Path, runs: list[BlockRun]) -> None:
    """Replace the body of each Output block of ``page`` with what its code block printed."""
    lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
    for run in reversed([r for r in runs if r.expected is not None]):
        code_end = _fence_end(lines, run.lineno - 1)
        output_open = _fence_end(lines, code_end + 1)
        output_close = _fence_end(lines, output_open + 1)
        indent = lines[output_open][: len(lines[output_open]) - len(lines[output_open].lstrip())]
        body = [indent + line if line.strip() else "\n"
                for line in normalized(run.printed).splitlines(keepends=False)]
        lines[output_open + 1:output_close] = [line.rstrip() + "\n" for line in body]
    page.write_text("".join(lines), encoding="utf-8")


def main(argv: list[str]) -> int:
    """Run every page, copy the pictures it draws, and with ``--write-outputs`` its output."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    for page in pages():
        with tempfile.TemporaryDirectory() as scratch:
            runs = run_page(page, Path(scratch))
            for svg in sorted(Path(scratch).rglob("*.svg")):
                shutil.copyfile(svg, IMAGES / svg.name)
                print(f"{page.relative_to(ROOT)}: {IMAGES.relative_to(ROOT) / svg.name}")
        if "--write-outputs" in argv:
            write_outputs(page, runs)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
