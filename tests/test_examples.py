"""Every script in examples/ runs to the end and prints the result it promises.

Each example runs in a fresh Python process, as a reader would run it, with the
repository root on ``PYTHONPATH`` (so a checkout works without installing) and
``TQDM_DISABLE=1`` so no progress bar mixes into the output.  The test checks the
exit code and reads the example's final number from its output.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# file -> (pattern of its key output line with one number, the check on that number)
EXPECTED = {
    "01_worked_example.py": (r"largest \|autograd - closed form\| = (\S+)", lambda v: v < 1e-12),
    "02_closed_form_vs_autograd.py": (
        r"largest difference over all networks, costs and gradients: (\S+)",
        lambda v: v < 1e-12,
    ),
    "03_xor.py": (r"final accuracy: (\S+)%", lambda v: v == 100.0),
    "04_moons.py": (r"final held-out accuracy: (\S+)%", lambda v: v >= 97.0),
    "05_spirals.py": (r"final held-out accuracy: (\S+)%", lambda v: v >= 95.0),
    "06_cnn.py": (r"final held-out accuracy: (\S+)%", lambda v: v > 90.0),
    "07_higher_order.py": (
        r"final max difference \(H v, autograd vs written out\): (\S+)",
        lambda v: v < 1e-12,
    ),
}


def _run(script: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, TQDM_DISABLE="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, str(script)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


# examples with a test file of their own (they write pictures, or need an extra)
TESTED_ELSEWHERE = {"08_digits_cnn.py": "tests/test_digits_example.py"}


def test_every_example_is_smoke_tested() -> None:
    tested = sorted([*EXPECTED, *TESTED_ELSEWHERE])
    assert sorted(path.name for path in EXAMPLES.glob("*.py")) == tested


@pytest.mark.parametrize("filename", sorted(EXPECTED))
def test_example_runs_and_prints_its_result(filename: str) -> None:
    result = _run(EXAMPLES / filename)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr  # no warnings, no progress bar
    pattern, check = EXPECTED[filename]
    match = re.search(pattern, result.stdout)
    assert match, f"{filename} did not print a line matching {pattern!r}:\n{result.stdout}"
    assert check(float(match.group(1))), match.group(0)


def test_worked_example_prints_the_documents_numbers_beside_the_exact_ones() -> None:
    output = _run(EXAMPLES / "01_worked_example.py").stdout
    # Each row: quantity, autograd value, closed-form value, the document's printed value.
    assert re.search(r"^Yhat\s+0\.77652\s+0\.77652\s+0\.776$", output, re.MULTILINE), output
    assert re.search(r"^Z2\s+1\.24550\s+1\.24550\s+1\.244$", output, re.MULTILINE), output
    assert re.search(r"^J\s+0\.25293\s+0\.25293\s+0\.253$", output, re.MULTILINE), output
    # One step of W := W - alpha dW lowers the cost.
    before, after = map(float, re.search(r"J: (\S+) -> (\S+)", output).groups())
    assert before == 0.25293 and after < before
