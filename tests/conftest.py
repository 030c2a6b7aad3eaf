"""Shared test settings: in CI nothing may skip its way to green."""

from __future__ import annotations

import os

import pytest

# Skips allowed even in CI: a CUDA device cannot be had on CI's machine.
_ALLOWED_SKIP = ("needs a GPU",)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    """With TINYGRAD_NN_REQUIRE_ALL=1 (set by .ci/run), a skipped test fails instead."""
    outcome = yield
    report = outcome.get_result()
    if (
        os.environ.get("TINYGRAD_NN_REQUIRE_ALL") == "1"
        and report.skipped
        and not hasattr(report, "wasxfail")
    ):
        reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else ""
        if not any(allowed in reason for allowed in _ALLOWED_SKIP):
            report.outcome = "failed"
            report.longrepr = f"skipped in CI, which must run everything: {reason}"
