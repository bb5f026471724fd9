"""Overheads of the debugging tools (issue 13): where each node came from, NaN/Inf origin,
saved bytes, gradient flow and compare.

    python scripts/bench.py debug        # or python scripts/bench_debug.py

The recording cost of provenance is the 10,000-op chain recorded by an attached
``GraphModel`` with and without the stack walk (alternating runs, best of each and the
median of the pairs: on a busy machine the two disagree by more than the cost), and the
walk alone, called through four gradviz frames under a console statement's; the
rest are one call each on a 5,000-node graph, a NaN in a 10-million-element tensor, the
cost per backward node of the run history's flow numbers, and the app's debugging actions
on a 5,000-node graph (offscreen, 1280 x 800), each with a repaint after.
Times are CPU time (``time.process_time``): on a shared machine wall time mostly measures
the other processes.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import gradviz  # noqa: E402
from gradviz.model import GraphModel  # noqa: E402

N_OPS = 10_000
REPS = 9
NODES = 5_000
BIG = 10_000_000  # elements of the tensor a NaN hides in


def _chain_us(with_provenance: bool, watch_nonfinite: bool = False) -> float:
    model = GraphModel()
    model.watch_nonfinite = watch_nonfinite
    if not with_provenance:
        model.provenance.where = lambda: None  # the walk skipped, everything else the same
    model.attach()
    x = gradviz.ones(1, requires_grad=True)
    y = x
    t = time.process_time()
    for _ in range(N_OPS):
        y = y * 1.0001
    spent = (time.process_time() - t) / N_OPS * 1e6
    model.detach()
    del y, model
    gc.collect()
    return spent


def bench_provenance(report):
    on, off = [], []
    for _ in range(2 * REPS):  # alternate, so both see the same machine
        off.append(_chain_us(False))
        on.append(_chain_us(True))
    best = min(on) - min(off)
    paired = statistics.median(a - b for a, b in zip(on, off, strict=True))
    verdict = "ok" if min(best, paired) <= 1.0 else "ABOVE TARGET"
    report(f"chain of {N_OPS:,} ops recorded, where each node came from",
           f"{min(on):.2f} us/op", f"without: {min(off):.2f} us/op, +{best:.2f} us/op best "
           f"of each, +{paired:.2f} us/op median of pairs (target <= 1 us/op: {verdict})")


_FRAMES = """
def op(p):          # gradviz's frames between a user's op and the model's event handler
    return emit(p)
def emit(p):
    return dispatch(p)
def dispatch(p):
    return handler(p)
def handler(p):
    return p.where()
def op_only(p):     # the same frames, no stack walk
    return emit_only(p)
def emit_only(p):
    return dispatch_only(p)
def dispatch_only(p):
    return handler_only(p)
def handler_only(p):
    return None
"""
_LOOP = """
def typed(p, n, op):    # a statement typed in the console
    t = time.process_time()
    for _ in range(n):
        op(p)
    return time.process_time() - t
"""


def bench_where(report):
    """``Provenance.where`` alone, called as the model calls it (four gradviz frames under
    a console statement's), less the same calls without it: the walk's own cost."""
    from gradviz.model.provenance import PACKAGE, Provenance

    inside = {}
    exec(compile(_FRAMES, PACKAGE + "bench_frames.py", "exec"), inside)
    console = {"time": time}
    exec(compile(_LOOP, "<console>", "exec"), console)
    typed, n = console["typed"], 20 * N_OPS
    p = Provenance()
    p.begin("y = y * 1.0001")
    typed(p, 100, inside["op"])
    walks, calls = [], []
    for _ in range(REPS):
        walks.append(typed(p, n, inside["op"]))
        calls.append(typed(p, n, inside["op_only"]))
    cost = (min(walks) - min(calls)) / n * 1e6
    seen = {"op": inside["op"], "p": p}
    exec(compile("found = op(p)", "<console>", "exec"), seen)
    report("  the stack walk alone (Provenance.where, in a console statement)",
           f"{cost:.2f} us/op", f"finds {seen['found']} (file, line, statement)")


def bench_watch_nonfinite(report):
    on, off = [], []
    for _ in range(REPS):
        off.append(_chain_us(True))
        on.append(_chain_us(True, watch_nonfinite=True))
    report("  outputs checked for NaN/Inf as made (the app's setting)", f"{min(on):.2f} us/op",
           f"without: {min(off):.2f} us/op, +{min(on) - min(off):.2f} us/op")


def _wide_graph(n_nodes=None):
    """About ``n_nodes`` nodes: a 2-layer tanh MLP applied many times, then backward."""
    rng = np.random.default_rng(0)
    w = gradviz.tensor(rng.standard_normal((8, 8)).astype(np.float32), requires_grad=True)
    x = gradviz.tensor(rng.standard_normal((4, 8)).astype(np.float32))
    model = GraphModel()
    keep = []
    with model.recording():
        h = x
        while model.graph.number_of_nodes() < (n_nodes or NODES):
            h = (h @ w).tanh()
            keep.append(h)
        loss = h.sum()
        loss.backward(retain_graph=True)
    return model, loss, keep


def bench_nonfinite(report):
    model, loss, keep = _wide_graph()
    t = time.process_time()
    origin = model.find_nonfinite()
    report(f"find_nonfinite on {model.graph.number_of_nodes():,} nodes, all finite",
           f"{(time.process_time() - t) * 1e3:.0f} ms", f"origin {origin}")
    data = np.ones(BIG, np.float32)
    data[-3] = np.inf
    big_model = GraphModel()
    with big_model.recording():
        a = gradviz.ones(1, requires_grad=True)
        b = a * gradviz.from_numpy(data)
    tracemalloc.start()
    t = time.process_time()
    big_model.find_nonfinite()
    spent = time.process_time() - t
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    report(f"find_nonfinite, an Inf in {BIG:,} float32", f"{spent * 1e3:.0f} ms",
           f"peak extra memory {peak / 1e6:.1f} MB (the tensor is {data.nbytes / 1e6:.0f} MB)")
    del b


def _timed(fn):
    t = time.process_time()
    out = fn()
    return out, (time.process_time() - t) * 1e3


def bench_graph_tools(report):
    from gradviz.model.compare import compare, snapshot
    from gradviz.model.gradient_flow import gradient_flow
    from gradviz.model.saved_memory import timeline, total_saved_bytes

    model, loss, keep = _wide_graph()
    n = model.graph.number_of_nodes()
    total, ms = _timed(lambda: total_saved_bytes(model))
    report(f"total saved bytes, {n:,} nodes", f"{ms:.0f} ms", f"{total:,} bytes")
    points, ms = _timed(lambda: timeline(model))
    report("  saved-memory timeline", f"{ms:.0f} ms", f"{len(points):,} points")
    flow, ms = _timed(lambda: gradient_flow(model))
    report(f"gradient flow, {n:,} nodes", f"{ms:.0f} ms", f"{len(flow.edges):,} edges coloured")
    base, ms = _timed(lambda: snapshot(model))
    report(f"compare: baseline snapshot, {n:,} nodes", f"{ms:.0f} ms")
    with model.recording():
        loss.backward()
    result, ms = _timed(lambda: compare(base, snapshot(model)))
    report("  compare after another backward", f"{ms:.0f} ms",
           f"{len(result.changed):,} nodes changed")


def _backward_us(measure_saved: bool = False, track_flow: bool = False, n=None) -> float:
    n = n or N_OPS
    model = GraphModel()
    model.track_saved_memory = measure_saved
    model.track_flow = track_flow
    model.attach()
    x = gradviz.ones(1, requires_grad=True)
    y = x
    for _ in range(n):
        y = (y * 1.0001).exp()
    t = time.process_time()
    y.backward()
    spent = (time.process_time() - t) / (2 * n) * 1e6
    model.detach()
    del y, model
    gc.collect()
    return spent


def bench_backward_measure(report):
    off, saved, flow = [], [], []
    for _ in range(max(1, REPS // 2)):
        off.append(_backward_us())
        saved.append(_backward_us(measure_saved=True))
        flow.append(_backward_us(track_flow=True))
    report(f"backward of {2 * N_OPS:,} recorded nodes, saved bytes measured first",
           f"{min(saved):.2f} us/node", f"without (track_saved_memory off, the model's "
           f"default): {min(off):.2f} us/node, +{min(saved) - min(off):.2f} us/node")
    report("  the run history's flow numbers measured as it ends (track_flow)",
           f"{min(flow):.2f} us/node", f"+{min(flow) - min(off):.2f} us/node")


def bench_gui(report):
    """The app's debugging actions on a 5,000-node graph: the action, then one repaint
    with the whole graph in view and one at 1:1 (where labels and badges are drawn)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from gradviz.gui.app import App
    from gradviz.gui.render import ensure_qapp

    qapp = ensure_qapp()
    window = App(theme="light", tutorial=False)
    window.resize(1280, 800)
    window.show()
    try:
        with window.model.batch(), np.errstate(all="ignore"):
            rng = np.random.default_rng(0)
            w = gradviz.tensor(rng.standard_normal((8, 8)).astype(np.float32),
                               requires_grad=True)
            h = gradviz.tensor(rng.standard_normal((4, 8)).astype(np.float32))
            keep = []
            while window.model.graph.number_of_nodes() < NODES:
                h = (h @ w).tanh()
                keep.append(h)
            loss = h.log().sum()  # NaN where tanh went below 0: an origin to find
            loss.backward(retain_graph=True)
        window.view.layout_driver.wait(600_000)
        qapp.processEvents()
        n = window.model.graph.number_of_nodes()
        view = window.view

        def frames():
            view.fit()
            t = time.process_time()
            view.repaint()
            fit = time.process_time() - t
            view.zoom(1.0 / view.scale)
            view.center_on(view.scene.ids[len(view.scene.ids) // 2])
            t = time.process_time()
            view.repaint()
            return f"frame: fit {fit * 1e3:.0f} ms, 1:1 {(time.process_time() - t) * 1e3:.0f} ms"

        report(f"gui at {n:,} nodes, no marks", "", frames())
        for name, action in (
                ("Find NaN (select, centre)", window.find_nonfinite),
                ("Gradient flow on", window.show_gradient_flow),
                ("Saved bytes on (badges, total)", window.show_saved_bytes),
                ("Mark baseline", window.mark_baseline),
                ("Compare with baseline", window.compare)):
            if name.startswith("Compare"):
                with window.model.batch():
                    loss.backward(retain_graph=True)  # every gradient doubles: all changed
                qapp.processEvents()
            t = time.process_time()
            action()
            spent = time.process_time() - t
            report(f"  {name}", f"{spent * 1e3:.0f} ms", frames())
        del keep, loss
    finally:
        window.close()
        window.deleteLater()
        qapp.processEvents()


def run(report):
    bench_provenance(report)
    bench_where(report)
    bench_watch_nonfinite(report)
    bench_nonfinite(report)
    bench_graph_tools(report)
    bench_backward_measure(report)
    bench_gui(report)


if __name__ == "__main__":
    def _print(name, value, reference=""):
        print(f"{name:<66} {value:>12}  {reference}", flush=True)

    run(_print)
