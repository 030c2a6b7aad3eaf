"""The benchmark runs end to end on tiny sizes and writes a table with every workload."""

import subprocess
import sys
from pathlib import Path

from benchmarks.run import IMPLS
from benchmarks.workloads import WORKLOADS

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmark_writes_a_row_per_workload_and_all_implementations_agree(tmp_path):
    out = tmp_path / "performance.md"
    subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--out", str(out)],
        cwd=ROOT,
        check=True,
        timeout=120,
        capture_output=True,
    )
    text = out.read_text()
    step_table = text.split("## Median step time")[1].split("## Targets")[0]
    rows = [line for line in step_table.splitlines() if line.startswith("| W")]
    assert [row.split("|")[1].strip() for row in rows] == list(WORKLOADS)
    header = next(line for line in step_table.splitlines() if line.startswith("| key"))
    assert [c.strip() for c in header.split("|")[3:-1]] == IMPLS
    # numpy and tinygrad_nn are always installed: their cells hold a time, not a gap.
    for row in rows:
        numpy_cell, tinygrad_cell = (c.strip() for c in row.split("|")[3:5])
        assert numpy_cell.endswith(("µs", "ms", " s"))
        if row.startswith("| W7"):
            continue  # tinygrad_nn's W7 goes through nn.functional: the modules column
        assert "×" in tinygrad_cell
    assert "error" not in step_table
    assert "first step disagreed" not in text
