"""Profile one implementation's training step on one workload with cProfile.

    python -m benchmarks.profile W2                      # tinygrad_nn, 2 s of steps
    python -m benchmarks.profile W1 --impl tinygrad_nn-modules --sort tottime --limit 30

Prints where the time of the timed steps goes (after a warm-up), sorted by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import pstats
import time

from benchmarks.worker import MODULES
from benchmarks.workloads import WORKLOADS, make_data


def main() -> None:
    """Run the profile and print the statistics."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("--impl", default="tinygrad_nn", choices=sorted(MODULES))
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=40)
    args = parser.parse_args()
    module = importlib.import_module(MODULES[args.impl])
    bench = module.BUILDERS[WORKLOADS[args.workload].kind](make_data(args.workload))
    for _ in range(3):
        bench.step()
    profiler = cProfile.Profile()
    steps, start = 0, time.perf_counter()
    profiler.enable()
    while time.perf_counter() - start < args.seconds:
        bench.step()
        steps += 1
    profiler.disable()
    print(f"{args.impl} {args.workload}: {steps} steps profiled")
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.limit)


if __name__ == "__main__":
    main()
