"""Per-op overhead: forward + backward µs per `x * y` on shape-(1,) tensors, and deep backward.

    python -m benchmarks.op_overhead            # prints a table
    python -m benchmarks.op_overhead --json     # one JSON object (benchmarks.run reads it)

A chain `z = z * y` of n multiplications, then `z.sum().backward()`: the time of the forward
and of the backward, each divided by n, median of repeats. Beside tinygrad_nn: plain numpy
(`a * b` on shape-(1,) arrays, forward only: the cost of one numpy call), PyTorch and
micrograd when installed. Last, the time to run backward over a 100,000-op chain.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time

import numpy as np

import tinygrad_nn as tg

CHAIN, REPEATS, DEEP = 10_000, 7, 100_000


def _median_split(build, backward, n: int, repeats: int) -> tuple[float, float]:
    """Median forward and backward seconds per op over `repeats` chains of `n` ops."""
    forward_times, backward_times = [], []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        root = build(n)
        middle = time.perf_counter()
        backward(root)
        end = time.perf_counter()
        forward_times.append((middle - start) / n)
        backward_times.append((end - middle) / n)
    return statistics.median(forward_times), statistics.median(backward_times)


def measure_tinygrad(n: int, repeats: int) -> tuple[float, float]:
    """tinygrad_nn: a chain of `z * y`, then backward."""
    x = tg.Tensor(np.array([1.0]), requires_grad=True)
    y = tg.Tensor(np.array([1.0]), requires_grad=True)

    def build(n: int) -> tg.Tensor:
        z = x
        for _ in range(n):
            z = z * y
        return z.sum()

    return _median_split(build, lambda root: root.backward(), n, repeats)


def measure_numpy(n: int, repeats: int) -> tuple[float, float]:
    """Plain numpy `a * b` on shape-(1,) arrays (no graph, no backward)."""
    a, b = np.array([1.0]), np.array([1.0])

    def build(n: int) -> np.ndarray:
        z = a
        for _ in range(n):
            z = z * b
        return z

    return _median_split(build, lambda root: None, n, repeats)


def measure_torch(n: int, repeats: int) -> tuple[float, float]:
    """PyTorch eager: a chain of `z * y` on shape-(1,) float64 tensors, then backward."""
    import torch

    x = torch.ones(1, dtype=torch.float64, requires_grad=True)
    y = torch.ones(1, dtype=torch.float64, requires_grad=True)

    def build(n: int):
        z = x
        for _ in range(n):
            z = z * y
        return z.sum()

    return _median_split(build, lambda root: root.backward(), n, repeats)


def measure_micrograd(n: int, repeats: int) -> tuple[float, float]:
    """micrograd: a chain of `z * y` on Values, then its (recursive) backward."""
    import sys

    from micrograd.engine import Value

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 3 * n))
    x, y = Value(1.0), Value(1.0)

    def build(n: int):
        z = x
        for _ in range(n):
            z = z * y
        return z

    return _median_split(build, lambda root: root.backward(), n, repeats)


def deep_backward(n: int) -> dict:
    """Seconds to build a chain of n `z * y` ops in tinygrad_nn and to run its backward."""
    x = tg.Tensor(np.array([1.0]), requires_grad=True)
    y = tg.Tensor(np.array([1.0]), requires_grad=True)
    gc.collect()
    start = time.perf_counter()
    z = x
    for _ in range(n):
        z = z * y
    root = z.sum()
    middle = time.perf_counter()
    root.backward()
    end = time.perf_counter()
    return {
        "ops": n,
        "forward_s": middle - start,
        "backward_s": end - middle,
        "grad_ok": bool(y.grad.item() == n),
    }


def measure(
    chain: int = CHAIN, repeats: int = REPEATS, deep: int = DEEP, rivals: bool = True
) -> dict:
    """Every measurement of this module, as a JSON-able dict (µs per op, seconds).

    `rivals=False` leaves PyTorch and micrograd out (the smoke test's quick run).
    """
    rows = {}
    measurers = [
        ("tinygrad_nn", measure_tinygrad),
        ("numpy (a * b, forward only)", measure_numpy),
    ]
    if rivals:
        measurers += [("pytorch", measure_torch), ("micrograd", measure_micrograd)]
    for name, measurer in measurers:
        try:
            forward, backward = measurer(chain, repeats)
        except ImportError:
            continue
        rows[name] = {
            "forward_us": forward * 1e6,
            "backward_us": backward * 1e6,
            "total_us": (forward + backward) * 1e6,
        }
    return {"chain": chain, "repeats": repeats, "per_op": rows, "deep": deep_backward(deep)}


def main() -> None:
    """Print the table, or the JSON with --json."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true", help="short chains (smoke test)")
    args = parser.parse_args()
    result = measure(200, 2, 1_000, rivals=False) if args.quick else measure()
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"per op, chain of {result['chain']} `z * y` on shape-(1,), median of {result['repeats']}"
    )
    print(f"{'':30} {'forward µs':>11} {'backward µs':>12} {'total µs':>9}")
    for name, row in result["per_op"].items():
        print(
            f"{name:30} {row['forward_us']:11.2f} {row['backward_us']:12.2f} {row['total_us']:9.2f}"
        )
    deep = result["deep"]
    print(
        f"tinygrad_nn, {deep['ops']:,} ops: forward {deep['forward_s']:.3f} s, "
        f"backward {deep['backward_s']:.3f} s, gradient correct: {deep['grad_ok']}"
    )


if __name__ == "__main__":
    main()
