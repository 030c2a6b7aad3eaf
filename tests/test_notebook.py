"""examples/worked_example.ipynb runs top to bottom in a real Jupyter kernel.

The notebook is the documents' worked example step by step; executing it checks
its own numbers (its cells assert autograd equals the chain rule by hand), and
this test checks that its pictures came out inline: the graph from
``tg.viz.show``, the gradient flow from ``draw_graph``, and the explorer page.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "examples" / "worked_example.ipynb"


def _outputs(cell: nbformat.NotebookNode, kind: str) -> list[nbformat.NotebookNode]:
    return [o for o in cell.get("outputs", []) if o["output_type"] == kind]


def test_worked_example_notebook_runs_and_shows_its_pictures_inline(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))  # the kernel's import path
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code"), (
        "commit the notebook without outputs")
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    code = [c for c in notebook.cells if c.cell_type == "code"]
    sources = {c.source.splitlines()[0]: c for c in code}
    for cell in code:  # no warnings or errors printed anywhere
        assert not [o for o in _outputs(cell, "stream") if o["name"] == "stderr"], cell.source

    shown = _outputs(sources["tg.viz.show(J, params=params)"], "display_data")
    assert len(shown) == 1 and "<svg" in shown[0]["data"]["image/svg+xml"]
    assert "W1" in shown[0]["data"]["image/svg+xml"]

    drawn = _outputs(sources["tg.viz.draw_graph(J, params=params, backward=True)"],
                     "execute_result")
    assert len(drawn) == 1 and "<svg" in drawn[0]["data"]["image/svg+xml"]

    table = "".join(o["text"] for o in _outputs(sources["rows = tg.viz.explain(J, params=params)"],
                                                 "stream"))
    assert "binary_cross_entropy" in table and "W1" in table

    explorer_cell = next(c for c in code if "explorer=True" in c.source)
    frame = _outputs(explorer_cell, "display_data")
    assert len(frame) == 1 and frame[0]["data"]["text/html"].startswith("<iframe srcdoc=")
    assert "step-next" in frame[0]["data"]["text/html"]
    assert (tmp_path / "worked_example_explorer.html").stat().st_size > 10_000

    last = "".join(o["text"] for o in _outputs(code[-1], "stream"))
    assert last.strip() == "J: 0.25293 -> 0.20628"
