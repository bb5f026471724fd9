"""What recording costs: the GraphModel's per-op overhead and its memory over training.

    python scripts/bench_model.py

Sections (issue 3, "Cost and memory"):
- a 10,000-op chain on a 1-element tensor, forward per-op cost: nobody subscribed (the
  event seam is one attribute check), a subscriber that ignores every event (what building
  the events costs) and an attached GraphModel (target <= 6 us/op, issue 10: the model
  keeps each op raw, see ``gradviz/model/record_buffer.py``), then the flush that builds
  the graph from those records, per op, and the two together;
- a 1,000-step training loop of a small MLP, SGD by hand under no_grad, graphs released
  every step, model with the ``remove`` policy: node count and process RSS at steps 10,
  100 and 1,000 (both must stay flat).

Times are single-threaded best-of-N CPU times (the machine is shared), garbage collector
on (what a user gets).
"""

from __future__ import annotations

import gc
import os
import resource
import sys
import time
import timeit

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import gradviz  # noqa: E402
from gradviz.events import dispatcher  # noqa: E402
from gradviz.model import GraphModel  # noqa: E402

TARGET_US = 6.0
N_OPS = 10_000
STEPS = (10, 100, 1_000)
REPS = 7  # best of REPS chains


def report(name, value, reference=""):
    print(f"  {name:<52} {value:>18}   {reference}")


# ---------------------------------------------------------------- chain of tiny ops
def chain_us(n=None, keep=None):
    """Microseconds (CPU time) per op for the forward of ``n`` multiplications of a
    1-element tensor; the result is appended to ``keep`` when given (the user holds it)."""
    n = N_OPS if n is None else n
    x = gradviz.ones(1, requires_grad=True)
    y = x
    t = time.process_time()
    for _ in range(n):
        y = y * 1.0001
    spent = time.process_time() - t
    if keep is not None:
        keep.append(y)
    return spent / n * 1e6


def best_chain(setup=None, teardown=None):
    """Best per-op time over ``REPS`` fresh chains; each run's graph is freed before the next."""
    out = float("inf")
    for _ in range(REPS):
        state = setup() if setup is not None else None
        out = min(out, chain_us())
        if teardown is not None:
            teardown(state)
        gc.collect()
    return out


def _subscribe_noop():
    return dispatcher.subscribe(lambda event: None)


def _attach_model():
    model = GraphModel()
    model.attach()
    return model


def _detach_model(model):
    model.detach()


def bench_chain(report):
    assert not dispatcher.active, "something else is subscribed: figures would be wrong"
    plain = best_chain()
    seam = min(timeit.repeat("d.active", globals={"d": dispatcher}, number=1_000_000,
                             repeat=5))  # seconds per million checks = us per check
    report(f"chain of {N_OPS:,} ops, nobody subscribed", f"{plain:.2f} us/op",
           f"the seam: one check per op, {seam * 1e3:.0f} ns ({seam / plain:.1%} of an op)")
    noop = best_chain(_subscribe_noop, dispatcher.unsubscribe)
    report("  a subscriber that ignores every event", f"{noop:.2f} us/op",
           f"building the events: +{noop - plain:.2f} us/op")
    recorded = best_chain(_attach_model, _detach_model)
    verdict = "ok" if recorded <= TARGET_US else "ABOVE TARGET"
    report("  recorded by an attached GraphModel", f"{recorded:.2f} us/op",
           f"target <= {TARGET_US:.0f} us/op ({verdict}); unrecorded {plain:.2f} us/op "
           f"({recorded / plain:.2f}x)")
    flush_ms, added = float("inf"), 0
    for _ in range(REPS):
        model, held = _attach_model(), []
        chain_us(keep=held)
        t = time.process_time()
        change = model.flush()
        flush_ms = min(flush_ms, (time.process_time() - t) * 1e3)
        added = len(change.added)
        model.detach()
        del model, change, held
        gc.collect()
    per_op = flush_ms * 1e3 / N_OPS
    report("  then one flush to listeners (builds the graph)", f"{flush_ms:.1f} ms",
           f"{added:,} nodes added in one notification: {per_op:.2f} us/op; recorded and "
           f"built {recorded + per_op:.2f} us/op")
    after = best_chain()
    report("  nobody subscribed again, after detach()", f"{after:.2f} us/op",
           f"before attaching: {plain:.2f} us/op")
    return recorded


# ---------------------------------------------------------------- training loop memory
def rss_mb():
    """Resident set size now (from /proc/self/statm, else the peak from getrusage)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # not Linux: the peak is the best available figure
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def make_mlp(rng):
    """A 4-16-1 MLP: gradviz.nn when it has Linear/ReLU/Sequential, else hand-built tensors."""
    nn = gradviz.nn
    if all(hasattr(nn, name) for name in ("Linear", "ReLU", "Sequential")):
        gradviz.manual_seed(0)
        net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))
        return net, list(net.parameters()), "gradviz.nn"
    w1 = gradviz.tensor(rng.standard_normal((4, 16)).astype(np.float32) * 0.5, requires_grad=True)
    b1 = gradviz.zeros(16, requires_grad=True)
    w2 = gradviz.tensor(rng.standard_normal((16, 1)).astype(np.float32) * 0.5, requires_grad=True)
    b2 = gradviz.zeros(1, requires_grad=True)

    def net(x):
        return gradviz.relu(x @ w1 + b1) @ w2 + b2

    return net, [w1, b1, w2, b2], "hand-built tensors"


def training_loop(steps=None, checkpoints=None, lr=0.05):
    """Train while a GraphModel (remove policy) records; ``{step: (nodes, rss_mb, loss)}``."""
    checkpoints = STEPS if checkpoints is None else checkpoints
    steps = checkpoints[-1] if steps is None else steps
    rng = np.random.default_rng(0)
    x = gradviz.tensor(rng.standard_normal((32, 4)).astype(np.float32))
    y = gradviz.tensor(rng.standard_normal((32, 1)).astype(np.float32))
    net, params, kind = make_mlp(rng)
    model = GraphModel(release_policy="remove")
    model.attach()
    seen = {}
    try:
        for step in range(1, steps + 1):
            loss = ((net(x) - y) ** 2).mean()
            loss.backward()
            with gradviz.no_grad():
                for p in params:
                    p -= lr * p.grad
                    p.grad = None
            model.flush()  # the app flushes after every statement
            if step in checkpoints:
                gc.collect()
                model.flush()
                seen[step] = (model.graph.number_of_nodes(), rss_mb(), loss.item())
    finally:
        model.detach()
    return seen, kind


def bench_training(report):
    seen, kind = training_loop()
    first = seen[STEPS[0]]
    for step, (nodes, rss, loss) in seen.items():
        report(f"training loop ({kind}), step {step:,}", f"{nodes} nodes, {rss:.1f} MB",
               f"loss {loss:.4f}; at step {STEPS[0]}: {first[0]} nodes, {first[1]:.1f} MB")
    nodes = {n for n, _, _ in seen.values()}
    growth = seen[STEPS[-1]][1] - first[1]
    flat = len(nodes) == 1 and growth < 5.0
    report(f"  node count and RSS flat from step {STEPS[0]:,} to {STEPS[-1]:,}",
           "yes" if flat else "NO",
           f"RSS {growth:+.1f} MB")
    return flat


def run(report):
    """Every figure of this benchmark, one ``report(name, value, reference)`` row each."""
    recorded = bench_chain(report)
    flat = bench_training(report)
    return recorded <= TARGET_US and flat


if __name__ == "__main__":
    print(f"  {'GraphModel cost and memory':<52} {'value':>18}   reference")
    ok = run(report)
    sys.exit(0 if ok else 1)
