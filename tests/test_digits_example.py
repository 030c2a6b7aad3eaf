"""examples/08_digits_cnn.py: a CNN on scikit-learn's bundled digits, and its three pictures.

The script runs as a reader would run it (a fresh process, the checkout on
``PYTHONPATH``); it must reach 97 % on the held-out fifth of the digits and write
three real PNG pictures. scikit-learn and matplotlib come from the ``examples``
extra, which CI installs.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "examples" / "08_digits_cnn.py"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's header chunk, after checking the file is a PNG."""
    header = path.read_bytes()[:24]
    assert header[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG"
    assert header[12:16] == b"IHDR", f"{path.name} has no PNG header chunk"
    return struct.unpack(">II", header[16:24])


def test_digits_cnn_reaches_97_percent_and_draws_its_pictures(tmp_path: Path) -> None:
    # One BLAS thread: pytest -n 2 already keeps both cores busy, and OpenBLAS threads
    # waiting on each other on a busy machine made this 4 s script take minutes.
    env = dict(os.environ, TQDM_DISABLE="1", MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1",
               OMP_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr  # no warnings, no progress bar
    match = re.search(r"final held-out accuracy: (\S+)%", result.stdout)
    assert match, result.stdout
    assert float(match.group(1)) >= 97.0, result.stdout
    assert re.search(r"^1438 training and 359 held-out images", result.stdout, re.MULTILINE)
    for name in ("curves.png", "misclassified.png", "filters.png"):
        width, height = _png_size(tmp_path / name)
        assert width >= 400 and height >= 150, (name, width, height)


def test_digits_example_names_the_extra_it_needs_when_sklearn_is_missing(tmp_path: Path) -> None:
    # A stand-in "sklearn" that fails to import, first on the path.
    (tmp_path / "sklearn").mkdir()
    (tmp_path / "sklearn" / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'sklearn'\", name='sklearn')\n"
    )
    env = dict(os.environ, TQDM_DISABLE="1")
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(ROOT)])
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path / "out")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert 'sklearn is missing): pip install -e ".[examples]"' in result.stderr, result.stderr
