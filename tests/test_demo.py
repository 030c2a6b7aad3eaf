"""The command line: ``python -m tinygrad_nn demo`` end to end, and ``--version``."""

from __future__ import annotations

import os
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


def test_loss_curve_spans_the_losses_from_top_to_bottom() -> None:
    losses = [1.0 / (epoch + 1) for epoch in range(100)]
    lines = loss_curve(losses, width=20, height=5).splitlines()
    assert len(lines) == 5 + 2
    assert lines[0].split("|")[0].strip() == f"{sum(losses[:5]) / 5:.4f}"
    assert lines[0].split("|")[1] == "*"  # the first epochs are the highest
    assert lines[4].split("|")[1].endswith("*")  # the last ones the lowest
    assert "epoch 100" in lines[-1]
