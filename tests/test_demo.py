"""The command line: ``python -m tinygrad_nn demo`` end to end, and ``--version``."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import tinygrad_nn as tg
from tinygrad_nn.__main__ import loss_curve, main

PICTURES = ("worked_example", "mlp_forward", "mlp_gradients")


def run_cli(*args: str, env: dict | None = None) -> tuple[subprocess.CompletedProcess, float]:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "tinygrad_nn", *args],
        capture_output=True, text=True, timeout=120, env=env,
        cwd=Path(__file__).resolve().parents[1],
    )
    return result, time.perf_counter() - start


def test_demo_runs_end_to_end_in_under_a_minute_and_writes_its_pictures(tmp_path) -> None:
    result, seconds = run_cli("demo", "--out", str(tmp_path / "pictures"))
    assert result.returncode == 0, result.stderr
    assert seconds < 60
    out = result.stdout
    # the worked example: each computed value beside the document's printed one
    for quantity, computed, printed in [
        ("dZ2", "-0.22348", "-0.224"),
        ("dW2", "[-0.13540, -0.17998]", "[-0.136, -0.180]"),
        ("dZ1", "[-0.01601, -0.02452]", "[-0.0161, -0.0246]"),
        ("J", "0.25293", "0.253"),
    ]:
        (line,) = [row for row in out.splitlines() if row.split()[:1] == [quantity]]
        assert computed in line and printed in line
    # the two documents by title, and the step-by-step table it announces
    assert "'Neural Networks'" in out and "'Core Concepts and Backpropagation Derivations'" in out
    assert "document 000" not in out
    table = out.split("tg.viz.explain(J)")[1]
    assert re.search(r"^\s+14\s+matmul\s+matmul\s", table, re.MULTILINE)  # its last row
    # training: a progress bar with loss and accuracy, then the loss curve
    assert "acc=" in result.stderr and "loss=" in result.stderr
    assert "epoch 150" in out
    final_accuracy = float(out.split("accuracy ")[1].split("%")[0])
    assert final_accuracy > 90
    for name in PICTURES:
        for suffix in ("svg", "png", "dot"):
            path = tmp_path / "pictures" / f"{name}.{suffix}"
            assert path.stat().st_size > 0
            assert str(path) in out
        assert ET.parse(tmp_path / "pictures" / f"{name}.svg").getroot().tag.endswith("svg")


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


@pytest.mark.parametrize("epochs", [1, 3, 12])
def test_demo_numbers_agree_with_its_bar_and_curve_and_its_pictures_fit_a_screen(
    tmp_path, epochs: int
) -> None:
    result, _ = run_cli("demo", "--out", str(tmp_path), "--epochs", str(epochs))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    final = re.search(rf"after epoch {epochs}: loss (\d\.\d+), accuracy (\d+\.\d)%", out)
    assert final, out
    bar = re.findall(r"acc=(\d+\.\d)%, loss=(\d\.\d+)", result.stderr)[-1]
    assert bar == (final.group(2), final.group(1))
    curve = out.split("loss curve")[1].split("3. Pictures")[0].splitlines()
    axis_lines = [line for line in curve if re.match(r"^\s+\d\.\d{4} \|", line)]
    plotted = [line for line in curve if "|" in line]
    last_column = max(len(line.split("|", 1)[1]) for line in plotted)
    (ends_on,) = [line for line in plotted if len(line.split("|", 1)[1]) == last_column]
    assert ends_on in axis_lines and final.group(1) in ends_on  # the lowest, last point
    assert all(float(line.split()[0]) <= 1 for line in axis_lines)
    ticks = curve[curve.index(next(line for line in curve if "+-" in line)) + 1]
    assert re.fullmatch(r"\s+epochs? 1(\s+epoch \d+| to \d+)?", ticks), ticks
    # a 1600 px wide screen shows each picture at full size: text stays >= 12 px (9 pt)
    for name in PICTURES:
        width, _ = png_size(tmp_path / f"{name}.png")
        assert width <= 1600, f"{name}.png is {width} px wide"
        svg = ET.parse(tmp_path / f"{name}.svg").getroot()
        sizes = [float(t.get("font-size")) for t in svg.iter("{http://www.w3.org/2000/svg}text")]
        assert min(sizes) >= 9


def test_an_out_path_that_is_a_file_is_refused_before_any_work(tmp_path) -> None:
    existing = tmp_path / "notes.txt"
    existing.write_text("keep me")
    result, seconds = run_cli("demo", "--out", str(existing))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"tinygrad-nn demo: error: --out {existing} is an existing file, not a folder")
    assert existing.read_text() == "keep me"
    nested = existing / "pictures"
    result, _ = run_cli("demo", "--out", str(nested))
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(f"tinygrad-nn demo: error: --out {nested}: cannot create")


def test_demo_without_graphviz_writes_dot_files_and_says_how_to_install(tmp_path) -> None:
    env = {**os.environ, "PATH": ""}
    result, _ = run_cli("demo", "--out", str(tmp_path), "--epochs", "5", env=env)
    assert result.returncode == 0, result.stderr
    assert "apt-get install graphviz" in result.stdout and "brew install graphviz" in result.stdout
    for name in PICTURES:
        assert (tmp_path / f"{name}.dot").read_text().startswith("digraph")
        assert not (tmp_path / f"{name}.svg").exists()


def test_version_flag_prints_the_version(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"tinygrad_nn {tg.__version__}"


def test_no_command_prints_help_and_fails(capsys) -> None:
    assert main([]) == 2
    assert "demo" in capsys.readouterr().out


def test_loss_curve_spans_the_losses_from_top_to_bottom_and_ends_at_the_last() -> None:
    losses = [1.0 / (epoch + 1) for epoch in range(100)]
    lines = loss_curve(losses, width=20, height=5).splitlines()
    assert len(lines) == 5 + 2
    assert lines[0].split("|")[0].strip() == f"{losses[4]:.4f}"  # column 1 ends at epoch 5
    assert lines[0].split("|")[1] == "*"  # the first epochs are the highest
    assert lines[4].split("|")[0].strip() == f"{losses[-1]:.4f}"  # the last loss, lowest
    assert lines[4].split("|")[1].endswith("*")
    assert lines[-1].split() == ["epoch", "1", "epoch", "100"]


@pytest.mark.parametrize("epochs", range(1, 30))
def test_loss_curve_epoch_labels_never_run_together(epochs: int) -> None:
    ticks = loss_curve([1.0 / (e + 1) for e in range(epochs)]).splitlines()[-1]
    assert re.fullmatch(r"\s+(epoch 1|epoch 1 +epoch \d+|epochs 1 to \d+)", ticks), ticks
    assert str(epochs) in ticks
