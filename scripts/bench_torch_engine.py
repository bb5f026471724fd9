"""What watching a torch program costs: recording overhead per op on tiny ops, and the
transformer example's forward + backward under watch against plain torch.

    python scripts/bench_torch_engine.py [--repeat N]

Each figure is the median of N alternating runs (plain, then watched), CPU time, on one
thread. "Watched" records into a ``GraphModel(engine="torch")`` (the model included).
"""

from __future__ import annotations

import argparse
import runpy
import statistics
import time
from pathlib import Path

import torch

from gradviz.model import GraphModel

EXAMPLE = Path(__file__).resolve().parents[1] / "resources" / "examples" / "torch_transformer.py"


def chain(n, between=None):
    """n tiny ops on a 1-element tensor, then backward: (forward s, backward s);
    ``between()`` runs between the two, untimed."""
    x = torch.ones(1, requires_grad=True)
    start = time.process_time()
    y = x
    for _ in range(n):
        y = y * 1.0001
    middle = time.process_time()
    if between is not None:
        between()
    middle_end = time.process_time()
    y.backward()
    return middle - start, time.process_time() - middle_end


def watched(run, *args, built=None):
    """``run(*args)`` recorded into a model. With ``built``, the graph the forward
    recorded is built from its records (``gradviz/model/record_buffer.py``) between
    forward and backward, and that flush's CPU time goes to ``built``: otherwise the
    backward, whose end builds it, would count it."""
    model = GraphModel(engine="torch", release_policy="remove")

    def flush():
        start = time.process_time()
        model.flush()
        built.append(time.process_time() - start)

    with model.recording():
        if built is None:
            return run(*args)
        return run(*args, between=flush)


def transformer():
    start = time.process_time()
    runpy.run_path(str(EXAMPLE), run_name="bench")
    return time.process_time() - start


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--ops", type=int, default=2000)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    n = args.ops
    chain(100), watched(chain, 100, built=[]), transformer(), watched(transformer)  # warm up
    plain_f, plain_b, watch_f, watch_b, plain_t, watch_t, built = [], [], [], [], [], [], []
    for _ in range(args.repeat):
        f, b = chain(n)
        plain_f.append(f / n * 1e6), plain_b.append(b / n * 1e6)
        f, b = watched(chain, n, built=built)
        watch_f.append(f / n * 1e6), watch_b.append(b / n * 1e6)
        plain_t.append(transformer())
        watch_t.append(watched(transformer))
    med = statistics.median
    print(f"tiny ops ({n} multiplies of a 1-element tensor), per op:")
    print(f"  forward  plain {med(plain_f):6.2f} us  watched {med(watch_f):6.2f} us  "
          f"overhead {med(watch_f) - med(plain_f):6.2f} us (target <= 10)")
    print(f"  backward plain {med(plain_b):6.2f} us  watched {med(watch_b):6.2f} us  "
          f"overhead {med(watch_b) - med(plain_b):6.2f} us (target <= 10)")
    print(f"  then the graph built from the records (the flush): {med(built) / n * 1e6:6.2f} us "
          "per op")
    print(f"transformer example, forward + backward: plain {med(plain_t) * 1e3:7.1f} ms  "
          f"watched {med(watch_t) * 1e3:7.1f} ms  ({med(watch_t) / med(plain_t):.2f}x, "
          "target <= 3x)")


if __name__ == "__main__":
    main()
