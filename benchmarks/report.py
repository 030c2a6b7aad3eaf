"""Turn the timings of `benchmarks.run` into docs/performance.md."""

from __future__ import annotations

import datetime
import os
import platform
import re
import statistics
from pathlib import Path

from benchmarks.workloads import WORKLOADS

MIB = 1024 * 1024
# The ratio targets: (implementation measured, baseline, bound).
TIME_TARGETS = {
    "W1": ("tinygrad_nn", "numpy", 2.0),
    "W2": ("tinygrad_nn", "numpy", 1.5),
    "W3": ("tinygrad_nn", "numpy", 1.10),
    "W4": ("tinygrad_nn", "numpy", 1.03),
    "W5": ("tinygrad_nn", "numpy", 2.5),
    "W6": ("tinygrad_nn", "numpy", 3.0),
    "W7": ("tinygrad_nn-modules", "pytorch", 1.5),
}
MEMORY_TARGETS = {"W3": 1.15, "W4": 1.15}
# tg.compile's targets: time against the numpy floor, and peak memory against its eager step.
COMPILED_TIME_TARGETS = {"W1": 1.0, "W2": 1.0, "W3": 1.0, "W4": 1.0, "W5": 0.75, "W6": 0.8}
COMPILED_MEMORY_TARGET = 1.1
# the eager step each compiled one records (benchmarks/impl_tinygrad_compiled.py)
COMPILED_FROM = {"W7": "tinygrad_nn-modules"}
CHECK_RTOL = {"float64": 1e-6, "float32": 2e-3}


def format_seconds(seconds: float) -> str:
    """12.3 µs, 4.56 ms or 1.23 s."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else what `platform` knows."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        text = ""
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else (platform.processor() or platform.machine())


def _ratio(results: dict, key: str, impl: str, base: str) -> float | None:
    row = results.get(key, {})
    if impl not in row or base not in row:
        return None
    a, b = row[impl].median_s, row[base].median_s
    return a / b if a is not None and b else None


def _cell(outcome, floor) -> str:
    if outcome.status == "skip":
        return "—"
    if outcome.status == "unavailable":
        return "not installed"
    if outcome.status == "error":
        return "error"
    text = format_seconds(outcome.median_s)
    if floor is not None and floor.median_s and outcome is not floor:
        text += f" · **{outcome.median_s / floor.median_s:.2f}×**"
    return text


def _traced(outcome) -> float | None:
    return None if not outcome.memory else outcome.memory.get("traced_peak")


def _memory_cell(outcome, floor) -> str:
    if outcome.status != "ok" or not outcome.memory:
        return "—"
    traced, base = _traced(outcome), _traced(floor) if floor is not None else None
    parts = []
    if traced is not None:
        text = f"{traced / MIB:.2f}"
        if base and outcome is not floor:
            text += f" ({traced / base:.2f}×)"
        parts.append(text)
    else:
        parts.append("n/a")
    parts.append(f"{outcome.memory['rss_peak_delta'] / MIB:.1f}")
    return " / ".join(parts)


def _check_failures(results: dict, meta: dict) -> list[str]:
    failures = []
    for key, row in results.items():
        floor = row.get("numpy")
        if floor is None or floor.check is None:
            continue
        rtol = CHECK_RTOL["float64" if key in meta["float64"] else "float32"]
        want = [floor.check["loss"]] + floor.check["update_norms"]
        for impl, outcome in row.items():
            if outcome.check is None or impl == "numpy":
                continue
            got = [outcome.check["loss"]] + outcome.check["update_norms"]
            bad = len(got) != len(want) or any(
                abs(g - w) > rtol * max(abs(w), 1e-12) for g, w in zip(got, want, strict=True)
            )
            if bad:
                failures.append(f"{key} {impl}: loss and update norms {got} vs numpy {want}")
    return failures


def _verdicts(results: dict) -> list[str]:
    lines = ["| target | measured | verdict |", "| --- | --- | --- |"]
    for key, (impl, base, bound) in TIME_TARGETS.items():
        if key not in results:
            continue
        ratio = _ratio(results, key, impl, base)
        shown = "not measured" if ratio is None else f"{ratio:.2f}×"
        verdict = "—" if ratio is None else ("met" if ratio <= bound else "**missed**")
        lines.append(f"| {key} {impl} time ≤ {bound}× {base} | {shown} | {verdict} |")
        if key in TIME_TARGETS and impl == "tinygrad_nn" and base == "numpy":
            modules = _ratio(results, key, "tinygrad_nn-modules", base)
            if modules is not None:
                verdict = "met" if modules <= bound else "**missed**"
                target = f"{key} tinygrad_nn-modules time ≤ {bound}× {base}"
                lines.append(f"| {target} | {modules:.2f}× | {verdict} |")
    for key, bound in MEMORY_TARGETS.items():
        row = results.get(key, {})
        for impl in ("tinygrad_nn", "tinygrad_nn-modules"):
            if impl not in row or "numpy" not in row:
                continue
            mine, floor = _traced(row[impl]), _traced(row["numpy"])
            if mine is None or not floor:
                continue
            ratio = mine / floor
            verdict = "met" if ratio <= bound else "**missed**"
            lines.append(
                f"| {key} {impl} peak memory ≤ {bound}× numpy | {ratio:.2f}× | {verdict} |"
            )
    for key, bound in COMPILED_TIME_TARGETS.items():
        ratio = _ratio(results, key, "tinygrad_nn-compiled", "numpy")
        if ratio is not None:
            verdict = "met" if ratio <= bound else "**missed**"
            lines.append(f"| {key} tinygrad_nn-compiled time ≤ {bound}× numpy | {ratio:.2f}× "
                         f"| {verdict} |")
    for key, row in results.items():
        eager = COMPILED_FROM.get(key, "tinygrad_nn")
        if "tinygrad_nn-compiled" not in row or eager not in row:
            continue
        mine, base = _traced(row["tinygrad_nn-compiled"]), _traced(row[eager])
        if mine is not None and base:
            ratio = mine / base
            verdict = "met" if ratio <= COMPILED_MEMORY_TARGET else "**missed**"
            lines.append(f"| {key} tinygrad_nn-compiled peak memory ≤ {COMPILED_MEMORY_TARGET}× "
                         f"{eager} | {ratio:.2f}× | {verdict} |")
    return lines


def _overhead_lines(overhead: dict) -> list[str]:
    lines = ["## Per-op overhead (benchmarks/op_overhead.py)", ""]
    if "error" in overhead:
        return lines + [f"op_overhead failed: `{overhead['error'][0]}`"]
    lines += [
        f"A chain of {overhead['chain']:,} `z = z * y` on shape-(1,) float64 tensors, then "
        f"`backward()`; µs per op, median of {overhead['repeats']} chains.",
        "",
        "| implementation | forward µs/op | backward µs/op | total µs/op |",
        "| --- | --- | --- | --- |",
    ]
    for name, row in overhead["per_op"].items():
        lines.append(
            f"| {name} | {row['forward_us']:.2f} | {row['backward_us']:.2f} | "
            f"{row['total_us']:.2f} |"
        )
    deep = overhead["deep"]
    lines += [
        "",
        f"tinygrad_nn, a chain of {deep['ops']:,} ops: forward {deep['forward_s']:.3f} s, "
        f"backward {deep['backward_s']:.3f} s (no recursion limit; gradient "
        f"{'correct' if deep['grad_ok'] else '**wrong**'}).",
    ]
    return lines


def _machine_lines(meta: dict) -> list[str]:
    info = meta["info"]
    versions: dict = {}
    for impl_info in info.values():
        versions.update(impl_info.get("versions", {}))
    numpy_blas = info.get("numpy", {}).get("blas", [])
    kernel = (
        ", ".join(
            f"{lib.get('internal_api')} {lib.get('version')} kernel {lib.get('architecture')}, "
            f"threads: {lib.get('num_threads')}"
            for lib in numpy_blas
            if lib.get("internal_api")
        )
        or "unknown (threadpoolctl not installed)"
    )
    found = meta["openblas_found"]
    if not found:
        openblas = "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE were not set in this environment."
    elif meta["openblas_unset"]:
        openblas = (
            f"{', '.join(f'{k}={v}' for k, v in found.items())} were set in the "
            "environment; the benchmark unset both in its worker processes only."
        )
    else:
        openblas = (
            f"{', '.join(f'{k}={v}' for k, v in found.items())} were kept (--keep-openblas-env)."
        )
    torch_threads = info.get("pytorch", {}).get("torch_threads")
    lines = [
        f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; "
        f"whole run {meta['seconds']:.0f} s"
        + (" (--quick: tiny sizes, the numbers mean nothing)." if meta["quick"] else "."),
        f"- CPU: {cpu_model()}, {os.cpu_count()} cores; {platform.system()} {platform.release()}.",
        f"- Command: `{meta['command']}`; checkout {meta['revision']}.",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())) + ".",
        f"- numpy's BLAS: {kernel}.",
        f"- PyTorch threads: {torch_threads if torch_threads is not None else 'n/a'} "
        f"(set with `torch.set_num_threads` to numpy's BLAS thread count, {meta['threads']}).",
        f"- OpenBLAS environment: {openblas} Those variables exist here because older OpenBLAS "
        "builds crash or compute wrong results on some processors; they slow a current numpy, "
        "so the benchmark's own processes run without them. Tests and CI keep them.",
    ]
    return lines


def write_report(path: Path, results: dict, meta: dict) -> None:
    """Write the Markdown report of one run to `path`."""
    impls = []
    for row in results.values():
        impls += [impl for impl in row if impl not in impls]
    lines = [
        "# Performance",
        "",
        "Generated by `python -m benchmarks` (benchmarks/run.py); do not edit by hand.",
        "",
        "One training step — forward, loss, full backward, SGD update with lr 0.1 — timed "
        "alone, the median of many repeats after warm-up. Every implementation runs in its own "
        "process, from the same seeded weights and data, and the implementations take turns in "
        "shuffled rounds within one run. Ratios (**bold**) are to the hand-written numpy floor "
        "(the documents' closed-form gradients, `dZ_L = A − Y`, `dW = 1/m dZ Aᵀ`, …).",
        "`tinygrad_nn-compiled` is a tinygrad_nn step under `tg.compile`: recorded on its "
        "first call, replayed after (see [Capture and replay](compile.md)); its memory "
        "counts the buffers a replay keeps.",
        "",
        *_machine_lines(meta),
        "",
        "## Median step time",
        "",
        "| key | workload | " + " | ".join(impls) + " |",
        "| --- | --- | " + " | ".join("---" for _ in impls) + " |",
    ]
    for key, row in results.items():
        floor = row.get("numpy")
        cells = [_cell(row[impl], floor) if impl in row else "—" for impl in impls]
        lines.append(f"| {key} | {WORKLOADS[key].title} | " + " | ".join(cells) + " |")
    lines += ["", "## Targets (issue 6)", "", *_verdicts(results), ""]
    lines += [
        "## Peak memory of a step",
        "",
        "Each cell: tracemalloc's peak over two steps of a fresh instance, above what its "
        "parameters and data already held, in MiB (ratio to numpy) / growth of the process's "
        "peak RSS (VmHWM reset after setup) over the whole timing, in MiB. tracemalloc sees "
        "numpy's buffers and Python objects, not PyTorch's allocator (n/a); RSS sees everything, "
        "including BLAS work buffers and allocator caches. The memory targets use tracemalloc.",
        "",
        "| key | " + " | ".join(impls) + " |",
        "| --- | " + " | ".join("---" for _ in impls) + " |",
    ]
    for key, row in results.items():
        floor = row.get("numpy")
        cells = [_memory_cell(row[impl], floor) if impl in row else "—" for impl in impls]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Spread",
        "",
        "Wall-clock step times, and the median process CPU time of a step (all threads, so a "
        "BLAS thread spinning counts too). The load average is the machine's 1-minute load "
        f"before and after the workload, on {os.cpu_count()} cores: above the core count, other "
        "processes shared the CPU and the wall times are inflated (the CPU times much less).",
        "",
        "| key | implementation | steps timed | min | median | p90 | median CPU | load avg |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for key, row in results.items():
        before, after = meta["loads"].get(key, (float("nan"), float("nan")))
        for impl, outcome in row.items():
            if outcome.times_ns:
                times = sorted(outcome.times_ns)
                p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
                cpu = format_seconds(statistics.median(outcome.cpu_ns) / 1e9)
                lines.append(
                    f"| {key} | {impl} | {len(times)} | {format_seconds(times[0] / 1e9)} | "
                    f"{format_seconds(statistics.median(times) / 1e9)} | "
                    f"{format_seconds(p90 / 1e9)} | {cpu} | {before:.1f} → {after:.1f} |"
                )
    lines += ["", *_overhead_lines(meta["op_overhead"])]
    failures = _check_failures(results, meta)
    lines += ["", "## Cross-check", ""]
    if failures:
        lines += ["These implementations' first step disagreed with numpy's:", ""]
        lines += [f"- {f}" for f in failures]
    else:
        lines.append(
            "Every implementation's first step from the seeded start gave numpy's loss and the "
            "same norm of every parameter's update (relative tolerance "
            f"{CHECK_RTOL['float64']:g} in float64, {CHECK_RTOL['float32']:g} in float32): "
            "they all do the same arithmetic."
        )
    notes = []
    for key, row in results.items():
        for impl, outcome in row.items():
            if outcome.status in ("skip", "unavailable"):
                notes.append(f"- {key} {impl}: {outcome.note}")
            elif outcome.status == "error":
                last = outcome.note.strip().splitlines()[-1] if outcome.note.strip() else "?"
                notes.append(f"- {key} {impl}: error: `{last}`")
    if notes:
        lines += ["", "## Not measured", "", *notes]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
