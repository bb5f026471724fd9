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

from gradviz.engines.torch_engine import _reachable as reachable
from gradviz.engines.torch_hooks import hook_nodes
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


def hooked_chain(n):
    """``chain``'s backward with a post-hook that does nothing on every node, registered
    as the engine registers its own (``gradviz/engines/torch_hooks.py``) after the same
    walk of the graph: the part of watching a backward that is torch calling Python."""
    x = torch.ones(1, requires_grad=True)
    y = x
    for _ in range(n):
        y = y * 1.0001
    start = time.process_time()
    nodes, _ = reachable([y.grad_fn])
    remove = hook_nodes(nodes, lambda grads_passed, grads_received: None)
    y.backward()
    remove()
    return time.process_time() - start


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
    hooked_chain(100)
    plain_f, plain_b, watch_f, watch_b, plain_t, watch_t, built = [], [], [], [], [], [], []
    hooked = []
    for _ in range(args.repeat):
        f, b = chain(n)
        plain_f.append(f / n * 1e6), plain_b.append(b / n * 1e6)
        hooked.append(hooked_chain(n) / n * 1e6)
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
    print(f"    of which torch calling a hook that does nothing on each node (and its "
          f"registration): {med(hooked) - med(plain_b):6.2f} us")
    print(f"  then the graph built from the records (the flush): {med(built) / n * 1e6:6.2f} us "
          "per op")
    print(f"transformer example, forward + backward: plain {med(plain_t) * 1e3:7.1f} ms  "
          f"watched {med(watch_t) * 1e3:7.1f} ms  ({med(watch_t) / med(plain_t):.2f}x, "
          "target <= 3x)")


def graph_on_screen(nodes: int = 3000, repeat: int = 3) -> None:
    """The transformer example's model run forward and backward again and again, every
    pass kept (the parameters shared), until the torch graph has ``nodes`` nodes; then the
    time from the recording's end to the graph laid out and painted in a 1400 x 900 view
    (offscreen), as the app opens it (collapsed by module) and with every node drawn
    (``expand_all``). Wall and CPU time (the process's: the layout thread included)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from gradviz.gui.render import ensure_qapp

    qapp = ensure_qapp()
    from gradviz.gui.graph_view import GraphView
    from gradviz.gui.theme import LIGHT

    figures: dict[str, list] = {"collapsed": [], "expanded": []}
    for _ in range(repeat):
        model = GraphModel(engine="torch")
        view = GraphView(model, LIGHT)
        view.resize(1400, 900)
        view.show()
        qapp.processEvents()
        batch = model.batch()  # one change for the whole program, as a statement is
        batch.__enter__()
        with model.recording():
            ns = runpy.run_path(str(EXAMPLE), run_name="bench")
            net, kept = ns["model"], [ns["loss"]]
            model.set_names({"model": net})
            while len(model.graph) < nodes:
                loss = net(torch.randint(0, 50, (2, 8))).logsumexp(1).mean()
                loss.backward()
                kept.append(loss)
        wall, cpu = time.perf_counter(), time.process_time()
        batch.__exit__(None, None, None)  # the flush: the view hears of the graph here
        on_screen(qapp, view)
        figures["collapsed"].append((time.perf_counter() - wall,
                                     time.process_time() - cpu, len(model.shown_graph())))
        wall, cpu = time.perf_counter(), time.process_time()
        model.expand_all()
        on_screen(qapp, view)
        figures["expanded"].append((time.perf_counter() - wall,
                                    time.process_time() - cpu, len(model.shown_graph())))
        n = len(model.graph)
        view.close()
        del kept, ns, net, loss
    med = statistics.median
    print(f"a {n:,}-node torch graph (the transformer, {len(figures['expanded'])} runs), "
          "from the recording's end to laid out and painted (target < 2 s):")
    for name, runs in figures.items():
        print(f"  {name:9} ({runs[0][2]:,} nodes drawn)  wall {med(r[0] for r in runs):5.2f} s"
              f"  CPU {med(r[1] for r in runs):5.2f} s")


def on_screen(qapp, view) -> None:
    """Let the view lay out what it was told of and paint it, fitted, synchronously."""
    qapp.processEvents()
    view.layout_driver.wait(300_000)
    qapp.processEvents()
    view.fit()
    view.repaint()


if __name__ == "__main__":
    main()
    graph_on_screen()
