"""GUI performance at 5,000 and 50,000 nodes: repaint while panning and zooming, appending a
statement.

    python scripts/bench_gui.py                 # offscreen, prints the table
    python scripts/bench_gui.py 5000            # one size only

``run(report)`` is what ``scripts/bench.py`` calls; ``report(name, value, reference)``.
The graph is an unrolled training loop (three 8x8 layers and an MSE loss per step, the
parameters shared), grown until it has 5,000 (then 50,000) nodes; the view is 1400 x 900
pixels, painted synchronously (``repaint``) on Qt's offscreen raster platform. Targets
(issues 4 and 10): a repaint at fit, during pan or zoom <= 16 ms (60 fps), a statement's new
nodes on screen <= 50 ms.
Each figure is "median wall / worst wall / median CPU time of the GUI thread" (the CPU time
is what to compare on a busy machine).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gradviz as torch  # noqa: E402
from gradviz.gui.render import ensure_qapp  # noqa: E402
from gradviz.model import GraphModel  # noqa: E402

NODES = (5000, 50_000)
FRAME = "<= 16 ms (60 fps)"


def training_graph(model: GraphModel, nodes: int = NODES[0]):
    """Grow an unrolled training loop in ``model`` to ``nodes`` nodes; returns what to keep."""
    params = [torch.randn(8, 8, requires_grad=True) for _ in range(3)]
    keep = [params]
    with model.batch():
        while model.graph.number_of_nodes() < nodes:
            keep.append(step(params))
    return keep


def step(params):
    h = torch.randn(4, 8)
    for w in params:
        h = (h @ w).relu()
    return (h - 1).pow(2).mean()


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms"


def run(report, sizes=NODES) -> dict:
    """Every figure at each size in ``sizes``; returns {size: {figure: (median, worst, cpu)}}."""
    return {nodes: run_one(report, nodes) for nodes in sizes}


def run_one(report, nodes: int) -> dict:
    qapp = ensure_qapp()
    from gradviz.gui.graph_view import GraphView
    from gradviz.gui.theme import LIGHT

    model = GraphModel()
    model.attach()
    try:
        view = GraphView(model, LIGHT)
        view.resize(1400, 900)
        view.show()
        qapp.processEvents()
        t = time.perf_counter()
        keep = training_graph(model, nodes)
        build = time.perf_counter() - t
        view.layout_driver.wait(300_000)
        qapp.processEvents()
        n = model.graph.number_of_nodes()
        report(f"gui: record {n:,} nodes and draw them (first layout in background)",
               _ms(build), "")

        cpu = []

        def paint() -> float:
            t, c = time.perf_counter(), time.thread_time()
            view.repaint()
            cpu.append(time.thread_time() - c)
            return time.perf_counter() - t

        def figure(walls):
            """median wall / worst wall / median CPU of the last len(walls) paints"""
            return statistics.median(walls), max(walls), statistics.median(cpu[-len(walls):])

        def text(f):
            return f"{_ms(f[0])} / {_ms(f[1])} / {_ms(f[2])}"

        figures = {}
        view.fit()
        paint()
        figures["fit"] = figure([paint() for _ in range(10)])
        view.zoom(1.0 / view.scale)  # 1:1, labels readable
        view.center_on(view.scene.ids[n // 2])
        pans = []
        for k in range(40):
            view.pan(37 if k % 2 else -29, 23 if k % 3 else -31)
            pans.append(paint())
        figures["pan"] = figure(pans)
        zooms = []
        for k in range(30):
            view.zoom(0.82 if k < 15 else 1 / 0.82)
            zooms.append(paint())
        figures["zoom"] = figure(zooms)
        at = f"at {n:,} nodes"
        report(f"gui: repaint {at}, whole graph in view (fit)", text(figures["fit"]), FRAME)
        report(f"gui: repaint {at} while panning at 1:1", text(figures["pan"]), FRAME)
        report(f"gui: repaint {at} while zooming 1:1 to 1:20 and back",
               text(figures["zoom"]), FRAME)

        # a backward step painted over it: half the graph run, one node current
        mid = view.scene.ids[n // 2]
        view.set_step_highlight(set(view.scene.ids[: n // 2]), mid,
                                [(u, mid, k) for u, _, k in model.graph.in_edges(mid, keys=True)])
        view.zoom(1.0 / view.scale)
        view.center_on(mid)
        paint()
        steps = []
        for k in range(40):
            view.pan(37 if k % 2 else -29, 23 if k % 3 else -31)
            steps.append(paint())
        view.fit()
        steps += [paint() for _ in range(10)]
        figures["step"] = figure(steps)
        view.set_step_highlight()
        report(f"gui: repaint with a backward step shown ({n // 2:,} nodes run), pan and fit",
               text(figures["step"]), FRAME)

        appends = []
        for _ in range(10):
            t, c = time.perf_counter(), time.thread_time()
            with model.batch():  # record; the flush reaches the view (provisional positions)
                keep.append(step(keep[0]))
            view.repaint()
            appends.append(time.perf_counter() - t)
            cpu.append(time.thread_time() - c)
        figures["append"] = figure(appends)
        report(f"gui: a statement (10 new nodes) recorded and on screen at {n:,} nodes",
               text(figures["append"]), "<= 50 ms")
        t = time.perf_counter()
        view.layout_driver.wait(300_000)
        qapp.processEvents()
        report("gui: background layered layout of the grown graph lands after",
               _ms(time.perf_counter() - t), "(the GUI stays responsive meanwhile)")
        del keep
        view.close()
        return figures
    finally:
        model.detach()


def main() -> None:
    def report(name, value, reference=""):
        print(f"  {name:<72} {value:>20}   {reference}")

    print("gradviz GUI benchmark (offscreen raster, 1400 x 900 view); "
          "times are median wall / worst wall / median CPU")
    sizes = tuple(int(a) for a in sys.argv[1:]) or NODES
    run(report, sizes)


if __name__ == "__main__":
    main()
