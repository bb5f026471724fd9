"""Timing of gradviz's random factories (torch's generator reproduced in NumPy) beside torch's.

    python scripts/bench_random.py                  # sizes 10, 1000, 100000, 1000000
    python scripts/bench_random.py 100 10000        # other sizes

Best-of-5 single-threaded wall times; torch 2.13 CPU as the reference when installed.
Each line also checks that both drew the same numbers from the same seed.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import gradviz  # noqa: E402

try:  # the optional reference
    import torch

    torch.set_num_threads(1)
except ImportError:  # pragma: no cover - depends on the machine
    torch = None

SIZES = (10, 1_000, 100_000, 1_000_000)


def cases(lib, n):
    """(name, draw) for each timed factory, drawing ``n`` values from ``lib``."""
    return [
        ("randn float32", lambda: lib.randn(n)),
        ("randn float64", lambda: lib.randn(n, dtype=lib.float64)),
        ("rand float32", lambda: lib.rand(n)),
        ("randint(0, 10)", lambda: lib.randint(0, 10, (n,))),
        ("randperm", lambda: lib.randperm(n)),
    ]


def best(fn, reps=5):
    out = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out = min(out, time.perf_counter() - t)
    return out


def same_numbers(name, n, seed=0):
    """Whether gradviz and torch draw the same values for ``name`` after the same seed."""
    gradviz.manual_seed(seed)
    ours = dict(cases(gradviz, n))[name]().numpy()
    torch.manual_seed(seed)
    theirs = dict(cases(torch, n))[name]().numpy()
    return ours.dtype == theirs.dtype and np.allclose(ours, theirs, rtol=1e-6, atol=1e-12)


def run(sizes=SIZES, reps=5):
    """Print one line per factory and size; return ``{(name, n): (gradviz_s, torch_s)}``."""
    results = {}
    print(f"  {'factory':<16} {'n':>9} {'gradviz':>12} {'torch':>12} {'ratio':>8}  same")
    for n in sizes:
        for name, draw in cases(gradviz, n):
            ours = best(draw, reps)
            theirs = best(dict(cases(torch, n))[name], reps) if torch is not None else None
            same = same_numbers(name, n) if torch is not None else "-"
            ref = f"{theirs * 1e3:10.3f}ms {ours / theirs:7.1f}x" if theirs else f"{'-':>21}"
            print(f"  {name:<16} {n:>9} {ours * 1e3:10.3f}ms {ref}  {same}")
            results[name, n] = (ours, theirs)
    return results


if __name__ == "__main__":
    run(tuple(int(a) for a in sys.argv[1:]) or SIZES)
