"""One implementation in its own process, driven by `benchmarks.run` over JSON lines.

Commands (one JSON object per line on stdin, one answer per line on the original stdout):
`setup` a workload, `check` (one step: loss and update norms), `run` n timed steps,
`memory` (peak RSS growth while timing, and tracemalloc's peak over two steps of a fresh
instance), `info` (versions and BLAS), `quit`.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import platform
import resource
import sys
import time
import traceback
import tracemalloc

import numpy as np

from benchmarks.workloads import WORKLOADS, make_data

MODULES = {
    "numpy": "benchmarks.impl_numpy",
    "tinygrad_nn": "benchmarks.impl_tinygrad",
    "tinygrad_nn-modules": "benchmarks.impl_tinygrad_nn",
    "tinygrad_nn-compiled": "benchmarks.impl_tinygrad_compiled",
    "pytorch": "benchmarks.impl_torch",
    "hips-autograd": "benchmarks.impl_hips",
    "micrograd": "benchmarks.impl_micrograd",
}
# Implementations whose arrays tracemalloc sees (numpy registers its buffers with it).
TRACEMALLOC_VISIBLE = {
    "numpy", "tinygrad_nn", "tinygrad_nn-modules", "tinygrad_nn-compiled", "hips-autograd",
    "micrograd",
}  # fmt: skip
MIB = 1024 * 1024


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak_rss() -> tuple[int, str]:
    """Make the peak RSS start from now; return the current RSS in bytes and the method used.

    On Linux, writing 5 to /proc/self/clear_refs resets VmHWM; elsewhere the growth of
    `ru_maxrss` over its value now is used, which misses peaks below an earlier high-water mark.
    """
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return _status_kib("VmRSS") * 1024, "VmHWM"
    except (OSError, TypeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "ru_maxrss"


def peak_rss(method: str) -> int:
    """The peak RSS in bytes since `reset_peak_rss`, by the method it used."""
    if method == "VmHWM":
        return _status_kib("VmHWM") * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def blas_info() -> list[dict]:
    """Which BLAS numpy (and torch) loaded, its kernel and thread count, via threadpoolctl."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return [{"note": "threadpoolctl not installed"}]
    keep = ("internal_api", "version", "architecture", "num_threads", "threading_layer", "prefix")
    return [{k: lib.get(k) for k in keep} for lib in threadpool_info()]


class Worker:
    """Holds the implementation module and the current workload's step object."""

    def __init__(self, impl: str, quick: bool, threads: int) -> None:
        self.impl = impl
        self.quick = quick
        self.module = importlib.import_module(MODULES[impl])
        if impl == "pytorch":
            import torch

            torch.set_num_threads(threads)
        self.key: str | None = None
        self.bench = None
        self.start_params: list[np.ndarray] = []
        self.rss_base, self.rss_method = 0, ""

    def _build(self, key: str):
        kind = WORKLOADS[key].kind
        return self.module.BUILDERS[kind](make_data(key, self.quick))

    def setup(self, key: str) -> dict:
        self.bench = None
        gc.collect()
        skip = getattr(self.module, "SKIP", {}).get(key)
        if skip is None and WORKLOADS[key].kind not in self.module.BUILDERS:
            skip = "not written for this workload"
        if skip is not None:
            return {"skip": skip}
        self.key = key
        self.bench = self._build(key)
        self.start_params = [np.array(p, dtype=np.float64) for p in self.bench.parameters()]
        gc.collect()
        self.rss_base, self.rss_method = reset_peak_rss()
        return {"ok": True}

    def check(self) -> dict:
        """One step from the seeded start: its loss and the norm of each parameter's update."""
        self.bench.step()
        after = self.bench.parameters()
        norms = [
            float(np.linalg.norm(np.asarray(a, np.float64) - b))
            for a, b in zip(after, self.start_params, strict=True)
        ]
        self.start_params = []
        return {"loss": self.bench.loss_value(), "update_norms": norms}

    def run(self, n: int) -> dict:
        """n steps: the wall time of each, and the process CPU time (all threads) of each."""
        step, clock, cpu_clock = self.bench.step, time.perf_counter_ns, time.process_time_ns
        times, cpu_times = [], []
        for _ in range(n):
            cpu_start = cpu_clock()
            start = clock()
            step()
            times.append(clock() - start)
            cpu_times.append(cpu_clock() - cpu_start)
        return {"times_ns": times, "cpu_ns": cpu_times}

    def memory(self) -> dict:
        result = {
            "rss_peak_delta": peak_rss(self.rss_method) - self.rss_base,
            "rss_method": self.rss_method,
            "traced_peak": None,
        }
        if self.impl in TRACEMALLOC_VISIBLE:
            self.bench = None
            gc.collect()
            tracemalloc.start()
            bench = self._build(self.key)
            base = tracemalloc.get_traced_memory()[0]
            # a compiled step's first call records: its steady state is what a step costs,
            # preallocated buffers included (they stay above `base`)
            for _ in range(getattr(self.module, "MEMORY_WARM_STEPS", 0)):
                bench.step()
            tracemalloc.reset_peak()
            bench.step()
            bench.step()
            result["traced_peak"] = tracemalloc.get_traced_memory()[1] - base
            tracemalloc.stop()
        return result

    def info(self) -> dict:
        versions = {"python": platform.python_version(), "numpy": np.__version__}
        for name in ("tinygrad_nn", "torch", "autograd", "micrograd"):
            if name in sys.modules:
                versions[name] = _version(name)
        out = {"versions": versions, "blas": blas_info()}
        if self.impl == "pytorch":
            import torch

            out["torch_threads"] = torch.get_num_threads()
        return out


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return getattr(sys.modules[name], "__version__", "unknown")


def main() -> None:
    """Serve commands from `benchmarks.run` until `quit` or end of input."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("impl", choices=sorted(MODULES))
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    # Answers go to the real stdout alone; anything a library prints goes to stderr.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    sys.stdout = sys.stderr
    try:
        worker = Worker(args.impl, args.quick, args.threads)
    except ImportError as error:
        answers.write(json.dumps({"unavailable": f"{type(error).__name__}: {error}"}) + "\n")
        answers.flush()
        return
    answers.write(json.dumps({"ready": True}) + "\n")
    answers.flush()
    for line in sys.stdin:
        command = json.loads(line)
        try:
            name = command["cmd"]
            if name == "quit":
                break
            if name == "setup":
                answer = worker.setup(command["key"])
            elif name == "run":
                answer = worker.run(command["n"])
            else:
                answer = getattr(worker, name)()
        except Exception:  # noqa: BLE001 - reported to the driver, which shows it in the table
            answer = {"error": traceback.format_exc()}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
