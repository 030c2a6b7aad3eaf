"""Time one training step of every implementation on W1–W7 and write docs/performance.md.

Each implementation runs in its own worker process (`benchmarks.worker`), so peak memory is its
own. Timed steps are interleaved: in every round each implementation runs a batch of steps, in a
shuffled order, one process at a time, so slow drifts of the machine hit all of them alike. The
median step time of each implementation is divided by the hand-written numpy floor's.

    python -m benchmarks                 # full run, writes docs/performance.md
    python -m benchmarks --quick --out /tmp/perf.md
    python -m benchmarks --only W1,W2 --impls numpy,tinygrad_nn,pytorch
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.report import write_report
from benchmarks.worker import MODULES
from benchmarks.workloads import WORKLOADS

ROOT = Path(__file__).resolve().parent.parent
IMPLS = [
    "numpy", "tinygrad_nn", "tinygrad_nn-modules", "tinygrad_nn-compiled", "pytorch",
    "hips-autograd", "micrograd",
]  # fmt: skip
# Set on some processors here for old OpenBLAS builds; they slow a current numpy.
OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
ROUNDS, QUICK_ROUNDS = 5, 2
WARMUP_S = 0.3
FLOAT64_WORKLOADS = {"W1", "W5", "W6"}


@dataclass
class Outcome:
    """What one implementation gave on one workload."""

    status: str = "ok"  # "ok", "skip", "unavailable" or "error"
    note: str = ""
    times_ns: list[int] = field(default_factory=list)
    cpu_ns: list[int] = field(default_factory=list)
    check: dict | None = None
    memory: dict | None = None

    @property
    def median_s(self) -> float | None:
        return statistics.median(self.times_ns) / 1e9 if self.times_ns else None


class WorkerProcess:
    """A running `benchmarks.worker` for one implementation, spoken to over JSON lines."""

    def __init__(self, impl: str, quick: bool, threads: int, env: dict) -> None:
        self.impl = impl
        command = [sys.executable, "-m", "benchmarks.worker", impl, "--threads", str(threads)]
        if quick:
            command.append("--quick")
        # stderr goes to a file: a chatty worker must never block on a full pipe.
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
        )
        self.unavailable: str | None = None

    def wait_ready(self) -> None:
        answer = self._read()
        if "unavailable" in answer:
            self.unavailable = answer["unavailable"]

    def send(self, cmd: str, **kw) -> None:
        self.process.stdin.write(json.dumps({"cmd": cmd, **kw}) + "\n")
        self.process.stdin.flush()

    def ask(self, cmd: str, **kw) -> dict:
        self.send(cmd, **kw)
        return self._read()

    def _read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            self.process.wait()
            self.stderr.seek(0)
            return {
                "error": f"worker exited ({self.process.returncode}): " + self.stderr.read()[-2000:]
            }
        return json.loads(line)

    def close(self) -> None:
        if self.process.poll() is None:
            self.send("quit")
            self.process.wait(timeout=60)
        self.process.stdin.close()
        self.process.stdout.close()
        self.stderr.close()


def worker_env(keep_openblas: bool) -> tuple[dict, dict]:
    """The workers' environment: the repo importable, the OpenBLAS overrides removed together."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    found = {name: env[name] for name in OPENBLAS_VARS if name in env}
    if not keep_openblas:
        for name in OPENBLAS_VARS:
            env.pop(name, None)
    return env, found


def git_revision() -> str:
    """The checkout's commit, and whether tinygrad_nn/ had uncommitted changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "tinygrad_nn"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    if not commit:
        return "unknown"
    return commit + (" with uncommitted changes in tinygrad_nn/" if dirty else "")


def blas_threads() -> int:
    """numpy's BLAS thread count (threadpoolctl), which PyTorch is then set to use too."""
    try:
        from threadpoolctl import threadpool_info

        counts = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
        if counts:
            return counts[0]
    except ImportError:
        pass
    return os.cpu_count() or 1


def time_workload(
    key: str, workers: dict[str, WorkerProcess], quick: bool, scale: float, rng: random.Random
) -> dict[str, Outcome]:
    """Set up, cross-check, warm up and time every implementation on workload `key`."""
    outcomes: dict[str, Outcome] = {}
    for impl, worker in workers.items():
        if worker.unavailable:
            outcomes[impl] = Outcome("unavailable", worker.unavailable)
            continue
        answer = worker.ask("setup", key=key)
        if "skip" in answer:
            outcomes[impl] = Outcome("skip", answer["skip"])
        elif "error" in answer:
            outcomes[impl] = Outcome("error", answer["error"])
        else:
            outcomes[impl] = Outcome()
    live = [impl for impl, o in outcomes.items() if o.status == "ok"]
    for impl in live:
        answer = workers[impl].ask("check")
        if "error" in answer:
            outcomes[impl] = Outcome("error", answer["error"])
        else:
            outcomes[impl].check = answer
    live = [impl for impl in live if outcomes[impl].status == "ok"]
    estimates = {}
    for impl in live:
        warm: list[int] = []
        start = time.perf_counter()
        while len(warm) < (1 if quick else 3) or (
            not quick and time.perf_counter() - start < WARMUP_S * scale
        ):
            answer = workers[impl].ask("run", n=1)
            if "error" in answer:
                outcomes[impl] = Outcome("error", answer["error"])
                break
            warm += answer["times_ns"]
        # the later warm-up steps: the first ones pay for caches and lazy set-up
        estimates[impl] = statistics.median(warm[len(warm) // 2 :]) / 1e9 if warm else None
    live = [impl for impl in live if outcomes[impl].status == "ok"]
    rounds = QUICK_ROUNDS if quick else ROUNDS
    budget = (0.01 if quick else WORKLOADS[key].budget_s * scale) / rounds
    for _ in range(rounds):
        order = list(live)
        rng.shuffle(order)
        for impl in order:
            if outcomes[impl].status != "ok":
                continue
            n = max(1, min(100_000, round(budget / max(estimates[impl], 1e-7))))
            answer = workers[impl].ask("run", n=n)
            if "error" in answer:
                outcomes[impl] = Outcome("error", answer["error"])
            else:
                outcomes[impl].times_ns += answer["times_ns"]
                outcomes[impl].cpu_ns += answer["cpu_ns"]
                estimates[impl] = outcomes[impl].median_s
    for impl in live:
        if outcomes[impl].status == "ok":
            answer = workers[impl].ask("memory")
            outcomes[impl].memory = None if "error" in answer else answer
    return outcomes


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the report; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes, few repeats (smoke test)")
    parser.add_argument("--only", default=",".join(WORKLOADS), help="workloads, e.g. W1,W2")
    parser.add_argument("--impls", default=",".join(IMPLS), help="implementations to run")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every time budget")
    parser.add_argument(
        "--keep-openblas-env",
        action="store_true",
        help="pass OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE on to the workers",
    )
    parser.add_argument(
        "--blas-threads",
        type=int,
        help="BLAS / OpenMP threads for every implementation (default: numpy's own count); "
        "1 keeps a shared, busy machine from stalling multi-threaded BLAS",
    )
    args = parser.parse_args(argv)
    keys = [k.strip().upper() for k in args.only.split(",") if k.strip()]
    impls = [i.strip() for i in args.impls.split(",") if i.strip()]
    unknown = [k for k in keys if k not in WORKLOADS] + [i for i in impls if i not in MODULES]
    if unknown:
        parser.error(
            f"unknown workload or implementation: {', '.join(unknown)}; "
            f"workloads are {', '.join(WORKLOADS)}, implementations {', '.join(MODULES)}"
        )
    if "numpy" not in impls:
        impls.insert(0, "numpy")  # the floor every ratio is taken against
    env, openblas_found = worker_env(args.keep_openblas_env)
    if args.blas_threads:
        # numpy's OpenBLAS reads these at import; PyTorch is set to the same count below
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[name] = str(args.blas_threads)
    threads = args.blas_threads or blas_threads()
    rng = random.Random(0)
    started = time.time()
    results: dict[str, dict[str, Outcome]] = {}
    info: dict[str, dict] = {}
    shared: dict[str, WorkerProcess] = {}
    loads: dict[str, tuple[float, float]] = {}
    for key in keys:
        # A fresh process per workload keeps each peak its own; --quick shares one per impl.
        if args.quick and shared:
            workers = shared
        else:
            workers = {impl: WorkerProcess(impl, args.quick, threads, env) for impl in impls}
            for worker in workers.values():
                worker.wait_ready()
            if args.quick:
                shared = workers
        for impl, worker in workers.items():
            if impl not in info and not worker.unavailable:
                info[impl] = worker.ask("info")
        print(f"{key}: timing {', '.join(workers)}", file=sys.stderr, flush=True)
        load_before = os.getloadavg()[0]
        results[key] = time_workload(key, workers, args.quick, args.scale, rng)
        loads[key] = (load_before, os.getloadavg()[0])
        if not args.quick:
            for worker in workers.values():
                worker.close()
    for worker in shared.values():
        worker.close()
    print("op overhead", file=sys.stderr, flush=True)
    overhead = subprocess.run(
        [sys.executable, "-m", "benchmarks.op_overhead", "--json"]
        + (["--quick"] if args.quick else []),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    op_overhead = (
        json.loads(overhead.stdout)
        if overhead.returncode == 0
        else {"error": overhead.stderr.strip().splitlines()[-1:] or ["?"]}
    )
    meta = {
        "quick": args.quick,
        "threads": threads,
        "openblas_found": openblas_found,
        "openblas_unset": not args.keep_openblas_env,
        "seconds": time.time() - started,
        "info": info,
        "float64": FLOAT64_WORKLOADS,
        "loads": loads,
        "op_overhead": op_overhead,
        "revision": git_revision(),
        "command": " ".join(["python -m benchmarks", *(sys.argv[1:] if argv is None else argv)]),
    }
    write_report(args.out, results, meta)
    if args.json:
        args.json.write_text(
            json.dumps(
                {k: {i: vars(o) for i, o in r.items()} for k, r in results.items()}, indent=1
            )
        )
    print(f"wrote {args.out} in {meta['seconds']:.0f} s", file=sys.stderr)
    return 0
