"""Benchmark of gradviz.model.layout.layered: speed, edge crossings vs graphviz dot, stability.

Graphs: random layered DAGs shaped like autograd graphs (``random_autograd_dag``), an
unrolled MLP training loop, a stack of attention blocks and an unrolled RNN whose shared
weights feed every step (``unrolled_rnn``: deep, with edges spanning thousands of layers),
built by hand with torch grad_fn names, and pathological inputs (plain chains up to 100,000
nodes, a star of 5,000 leaves feeding one node). For each: nodes, our layout time and
crossings, dot's time and crossings and the ratio.

Crossings are counted the same way for both drawings, with ``count_crossings``: an edge
spanning several layers is followed through the point where it is drawn at each layer it
crosses, and segments between adjacent layers cross when their ends are in opposite order.
For ours, those points are the bend points ``layered(..., routes=)`` returns (its virtual
nodes, which the view's curves pass through); for dot, the points where its drawn edge, the
B-spline of ``dot -Tplain``, passes each rank's height (where dot's virtual nodes put it).
Edges without such points (ours left out of the ordering) count as straight lines.

dot is used only if installed (``apt-get install graphviz``; "dot not installed" otherwise),
up to ``DOT_MAX_NODES`` nodes and ``DOT_TIMEOUT`` seconds (it takes minutes at 5,000 nodes).
Also reports incremental layout (``previous=``): nodes moved, time and mean displacement
when nodes are added to a laid-out graph (+5 on 1,000-node random and RNN graphs, +10 on a
5,000-node random graph).

First, ``versus_dot``: random autograd DAGs of 300, 1,000, 5,000 and 50,000 nodes over several
seeds, our CPU time (``time.process_time``, as the machine is shared) and crossings beside
dot's (CPU time of the child process; dot only up to ``DOT_MAX_NODES``), as mean ratios.

Targets (issue 10): random DAGs of 300 and 1,000 nodes with crossings <= dot's in a third of
dot's time or less; 50,000 nodes in under 5 s; +10 nodes on 5,000 moves no existing node, fast
(tens of ms). Also: RNN of 1,000 nodes <= 0.2 s, of 5,000 nodes <= 2 s; a 10,000-node chain
<= 2 s; the 100,000-node chain and the star in a few seconds.

    python3 scripts/bench_layout.py            # table on stdout
    python3 scripts/bench_layout.py --no-dot   # skip dot
    python3 scripts/bench_layout.py --vs-dot   # only the multi-seed comparison with dot
    python3 scripts/bench_layout.py --phases   # where the time goes at 300 and 1,000 nodes
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gradviz.model.layout import count_crossings, layered, mean_displacement  # noqa: E402

DOT_MAX_NODES = 5000
DOT_TIMEOUT = 60.0
# versus_dot: graph size -> seeds (dot only where it finishes within DOT_TIMEOUT)
VERSUS = {300: range(10), 1000: range(10), 5000: range(1), 50_000: range(1)}


# ---------------------------------------------------------------------------- graphs
def random_autograd_dag(n: int, seed: int = 0) -> nx.DiGraph:
    """A random DAG shaped like an autograd graph, edges from inputs towards the loss.

    Layers of random width (mean ~ max(3, sqrt(n) / 3)); every op node has 1-2 parents, the
    first from the previous layer with probability 0.85 (else from 2-5 layers up), the second
    from the previous layers or a fresh leaf (a parameter's AccumulateGrad). Nodes left without
    a consumer feed a node of the next layer; the last layer feeds a single loss node.
    """
    rng = np.random.default_rng(seed)
    g = nx.DiGraph()
    mean_w = max(3.0, np.sqrt(n) / 3.0)
    layers: list[list[int]] = []
    nid = 0

    def new(name):
        nonlocal nid
        g.add_node(nid, name=name)
        nid += 1
        return nid - 1

    first = [new("AccumulateGrad") for _ in range(max(1, int(rng.integers(1, 2 * mean_w))))]
    layers.append(first)
    while nid < n - 1:
        width = min(int(rng.integers(1, int(2 * mean_w) + 1)), n - 1 - nid)
        row = []
        for _ in range(width):
            if nid >= n - 1:
                break
            v = new(
                str(rng.choice(["MulBackward0", "AddBackward0", "MmBackward0", "ReluBackward0"]))
            )
            if len(layers) == 1 or rng.random() < 0.85:
                p1 = int(rng.choice(layers[-1]))
            else:
                k = int(rng.integers(2, min(5, len(layers)) + 1))
                p1 = int(rng.choice(layers[-k]))
            g.add_edge(p1, v)
            if rng.random() < 0.5:
                if rng.random() < 0.4 and nid < n - 1:
                    p2 = new("AccumulateGrad")
                else:
                    k = int(rng.integers(1, min(3, len(layers)) + 1))
                    p2 = int(rng.choice(layers[-k]))
                if p2 != p1:
                    g.add_edge(p2, v)
            row.append(v)
        if not row:
            break
        for u in layers[-1]:
            if g.out_degree(u) == 0:
                g.add_edge(u, int(rng.choice(row)))
        layers.append(row)
    loss = new("MseLossBackward0")
    for layer in layers:
        for u in layer:
            if g.out_degree(u) == 0:
                g.add_edge(u, loss)
    return g


class _Builder:
    def __init__(self):
        self.g = nx.DiGraph()
        self.n = 0

    def op(self, name, *parents):
        v = self.n
        self.n += 1
        self.g.add_node(v, name=name)
        for p in parents:
            self.g.add_edge(p, v)
        return v


def mlp_training_graph(steps: int, sizes=(3, 3)) -> nx.DiGraph:
    """Unrolled training loop of an MLP with in-graph SGD updates, losses summed.

    Step t: h = relu(x_t @ W.T + b) per layer, MSE loss, and W <- W - lr * g (SubBackward0
    of the previous W), so the parameters of step t+1 depend on those of step t.
    """
    b = _Builder()
    params = []
    for _ in range(len(sizes) + 1):
        params.append([b.op("AccumulateGrad"), b.op("AccumulateGrad")])
    total = None
    for _ in range(steps):
        h = None
        for k, (w, bias) in enumerate(params):
            wt = b.op("TBackward0", w)
            mm = b.op("MmBackward0", wt) if h is None else b.op("MmBackward0", h, wt)
            h = b.op("AddBackward0", mm, bias)
            if k < len(params) - 1:
                h = b.op("ReluBackward0", h)
        loss = b.op("MseLossBackward0", h)
        total = loss if total is None else b.op("AddBackward0", total, loss)
        params = [[b.op("SubBackward0", w), b.op("SubBackward0", bias)] for w, bias in params]
    b.op("MulBackward0", total)
    return b.g


def unrolled_rnn(steps: int) -> nx.DiGraph:
    """An Elman RNN unrolled over ``steps`` steps, as autograd records it.

    h_t = tanh(x_t @ W_ih.T + h_{t-1} @ W_hh.T + b): the three parameters are leaf tensors with
    one AccumulateGrad each, shared by every step (a TBackward0 per step for the weights, the
    bias added directly), so their edges span up to the whole depth. 7 nodes per step;
    ``steps = (n - 4) // 7`` gives about ``n`` nodes.
    """
    b = _Builder()
    w_ih, w_hh, bias = (b.op("AccumulateGrad", b.op("leaf")) for _ in range(3))
    h = None
    for _ in range(steps):
        x = b.op("MmBackward0", b.op("TBackward0", w_ih))
        if h is not None:
            x = b.op("AddBackward0", x, b.op("MmBackward0", h, b.op("TBackward0", w_hh)))
        h = b.op("TanhBackward0", b.op("AddBackward0", x, bias))
    b.op("MseLossBackward0", h)
    return b.g


def chain_graph(n: int) -> nx.DiGraph:
    """A plain chain of ``n`` ops."""
    return nx.path_graph(n, create_using=nx.DiGraph)


def star_graph(leaves: int) -> nx.DiGraph:
    """``leaves`` sources feeding one node (e.g. a torch.stack of many parameters)."""
    return nx.DiGraph((k, leaves) for k in range(leaves))


def attention_graph(blocks: int = 2, heads: bool = True) -> nx.DiGraph:
    """A stack of transformer blocks (self-attention + MLP, pre-norm, residuals)."""
    b = _Builder()

    def linear(x):
        w = b.op("AccumulateGrad")
        bias = b.op("AccumulateGrad")
        mm = b.op("MmBackward0", x, b.op("TBackward0", w))
        return b.op("AddBackward0", mm, bias)

    def layer_norm(x):
        return b.op("NativeLayerNormBackward0", x, b.op("AccumulateGrad"), b.op("AccumulateGrad"))

    def split_heads(x):
        return b.op("TransposeBackward0", b.op("ViewBackward0", x)) if heads else x

    x = b.op("EmbeddingBackward0", b.op("AccumulateGrad"))
    for _ in range(blocks):
        h = layer_norm(x)
        q, k, v = (split_heads(linear(h)) for _ in range(3))
        scores = b.op("BmmBackward0", q, b.op("TransposeBackward0", k))
        attn = b.op("SoftmaxBackward0", b.op("DivBackward0", scores))
        ctx = b.op("BmmBackward0", attn, v)
        ctx = b.op("ViewBackward0", b.op("TransposeBackward0", ctx)) if heads else ctx
        x = b.op("AddBackward0", x, linear(ctx))
        h = layer_norm(x)
        h = linear(b.op("GeluBackward0", linear(h)))
        x = b.op("AddBackward0", x, h)
    logits = linear(layer_norm(x))
    b.op("NllLossBackward0", b.op("LogSoftmaxBackward0", logits))
    return b.g


# ---------------------------------------------------------------------------- dot
def dot_positions(g: nx.DiGraph, timeout: float = DOT_TIMEOUT):
    """(seconds, positions with y down, routes) from ``dot -Tplain``; None if dot is missing
    or fails, "timeout" if it runs out of time. ``routes``: ``{(u, v): [(x, y), ...]}``, the
    points where dot's drawn edge (its B-spline) passes each rank strictly between its ends,
    i.e. where dot's virtual nodes put it (see ``spline_at``)."""
    exe = shutil.which("dot")
    if exe is None:
        return None
    ids = {v: i for i, v in enumerate(g.nodes)}
    lines = [
        "digraph G {",
        "nodesep=0.5; ranksep=1.0;",
        'node [shape=box, fixedsize=true, width=1, height=1, label=""];',
    ]
    lines += [f"n{ids[v]};" for v in g.nodes]
    lines += [f"n{ids[u]} -> n{ids[v]};" for u, v in g.edges() if u != v]
    lines.append("}")
    with tempfile.NamedTemporaryFile("w", suffix=".dot", delete=False) as f:
        f.write("\n".join(lines))
        path = f.name
    try:
        t0 = time.perf_counter()
        res = subprocess.run(
            [exe, "-Tplain", path], capture_output=True, text=True, timeout=timeout
        )
        dt = time.perf_counter() - t0
    except subprocess.TimeoutExpired:
        return "timeout"
    finally:
        Path(path).unlink(missing_ok=True)
    if res.returncode != 0:
        return None
    back = {f"n{i}": v for v, i in ids.items()}
    pos = {}
    splines = []
    for line in res.stdout.splitlines():
        parts = line.split()
        if parts and parts[0] == "node":
            pos[back[parts[1]]] = (float(parts[2]), -float(parts[3]))
        elif parts and parts[0] == "edge":
            k = int(parts[3])
            pts = [(float(parts[4 + 2 * j]), -float(parts[5 + 2 * j])) for j in range(k)]
            splines.append((back[parts[1]], back[parts[2]], pts))
    ranks = sorted({y for _, y in pos.values()})
    routes = {}
    for u, v, pts in splines:
        yu, yv = pos[u][1], pos[v][1]
        lo, hi = min(yu, yv), max(yu, yv)
        between = [y for y in ranks if lo < y < hi]
        if not between:
            continue
        if yu > yv:
            between.reverse()
        routes[u, v] = [(spline_at(pts, y), y) for y in between]
    return dt, pos, routes


def spline_at(pts, y: float) -> float:
    """x where the piecewise cubic Bezier ``pts`` (p0, then 3 points per piece, as dot's
    ``-Tplain`` writes an edge) passes height ``y`` (bisection in the piece spanning y; the
    nearest end point if none does)."""
    best = min(pts, key=lambda p: abs(p[1] - y))[0]
    for k in range(0, len(pts) - 3, 3):
        p0, p1, p2, p3 = pts[k : k + 4]
        if not min(p0[1], p3[1]) <= y <= max(p0[1], p3[1]):
            continue

        def at(t, c, p0=p0, p1=p1, p2=p2, p3=p3):
            s = 1.0 - t
            return s * s * s * p0[c] + 3 * s * s * t * p1[c] + 3 * s * t * t * p2[c] + t**3 * p3[c]

        lo, hi = 0.0, 1.0
        rising = p3[1] >= p0[1]
        for _ in range(40):
            mid = (lo + hi) / 2
            if (at(mid, 1) < y) == rising:
                lo = mid
            else:
                hi = mid
        return at((lo + hi) / 2, 0)
    return best


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def versus_dot(use_dot=True, versus=None):
    """Per size: (size, seeds, our mean CPU s, our mean crossings, dot mean CPU s or None,
    dot mean crossings, mean crossings ratio, mean CPU time ratio, dot runs that timed out).
    Ratios are means over the seeds where dot ran of ours / dot's."""
    rows = []
    for n, seeds in (versus or VERSUS).items():
        ours_t, ours_c, dot_t, dot_c, ratios, times, late = [], [], [], [], [], [], 0
        for seed in seeds:
            g = random_autograd_dag(n, 1000 + seed)
            layered(g) if n <= 1000 else None  # warm the caches of small graphs
            c0 = time.process_time()
            routes = {}
            pos = layered(g, routes=routes)
            t = time.process_time() - c0
            c = count_crossings(g, pos, routes)
            ours_t.append(t)
            ours_c.append(c)
            if not use_dot or n > DOT_MAX_NODES:
                continue
            d0 = _children_cpu()
            res = dot_positions(g)
            if res == "timeout":
                late += 1
                continue
            if res is None:
                continue
            dt = _children_cpu() - d0
            dc = count_crossings(g, res[1], res[2])
            dot_t.append(dt)
            dot_c.append(dc)
            ratios.append(c / dc if dc else (1.0 if c == 0 else float("inf")))
            times.append(t / dt)
        mean = lambda xs: sum(xs) / len(xs) if xs else None  # noqa: E731
        rows.append((n, len(seeds), mean(ours_t), mean(ours_c), mean(dot_t), mean(dot_c),
                     mean(ratios), mean(times), late))
    return rows


def _fmt_versus(row):
    n, k, t, c, dt, dc, ratio, tratio, late = row
    ours = f"{t * 1e3:,.0f} ms cpu, {c:,.0f} crossings (mean of {k})"
    if dt is None:
        ref = f"dot timed out (> {DOT_TIMEOUT:.0f} s)" if late else "dot not run"
    else:
        ref = (f"dot {dt * 1e3:,.0f} ms cpu, {dc:,.0f} crossings; crossings {ratio:.3f}x dot's, "
               f"time {tratio:.2f}x dot's")
    return f"random autograd DAG, {n:,} nodes", ours, ref


# ---------------------------------------------------------------------------- bench
def _time_layout(g, repeat=1, **kw):
    """(best wall-clock seconds, CPU seconds of that run, positions) over ``repeat`` runs."""
    best = None
    pos = None
    for _ in range(repeat):
        c0 = time.process_time()
        t0 = time.perf_counter()
        pos = layered(g, **kw)
        dt = time.perf_counter() - t0
        dc = time.process_time() - c0
        if best is None or dt < best[0]:
            best = (dt, dc)
    return best[0], best[1], pos


def graphs():
    return [
        ("random autograd DAG", random_autograd_dag(300, 1)),
        ("random autograd DAG", random_autograd_dag(1000, 2)),
        ("random autograd DAG", random_autograd_dag(2000, 3)),
        ("random autograd DAG", random_autograd_dag(5000, 4)),
        ("random autograd DAG", random_autograd_dag(50_000, 5)),
        ("unrolled MLP training", mlp_training_graph(8)),
        ("unrolled MLP training", mlp_training_graph(40)),
        ("unrolled MLP training", mlp_training_graph(200)),
        ("attention blocks x2", attention_graph(2)),
        ("attention blocks x12", attention_graph(12)),
        ("unrolled RNN", unrolled_rnn(40)),
        ("unrolled RNN", unrolled_rnn(143)),
        ("unrolled RNN", unrolled_rnn(714)),
        ("chain", chain_graph(10_000)),
        ("chain", chain_graph(100_000)),
        ("star of leaves", star_graph(5000)),
    ]


def measure(use_dot=True):
    """Rows: (graph, nodes, our s, our CPU s, our crossings, dot s | None, dot crossings)."""
    rows = []
    for name, g in graphs():
        n = g.number_of_nodes()
        routes = {}
        t, cpu, pos = _time_layout(g, repeat=3 if n <= 2000 else 2 if n <= 20_000 else 1,
                                   routes=routes)
        ours = count_crossings(g, pos, routes)
        dt = dc = None
        if not use_dot:
            dt = "not installed" if shutil.which("dot") is None else "skipped"
        if use_dot and n > DOT_MAX_NODES:
            dt = "not run"
        elif use_dot:
            res = dot_positions(g)
            if res == "timeout":
                dt = "timeout"
            elif res is not None:
                dt, dpos, droutes = res
                dc = count_crossings(g, dpos, droutes)
        rows.append((name, n, t, cpu, ours, dt, dc))
    return rows


def incremental(g=None, added=5, seed=7):
    """(mean displacement of the old nodes with ``previous=``, the same from scratch, seconds
    of the ``previous=`` call, old nodes moved) when ``added`` nodes join a laid-out graph
    (default: a random 1,000-node autograd DAG)."""
    g = random_autograd_dag(1000, seed) if g is None else g
    pos = layered(g)
    rng = np.random.default_rng(seed)
    g2 = g.copy()
    old = list(g.nodes)
    nxt = max(old) + 1
    for k in range(added):
        g2.add_edge(int(rng.choice(old)), nxt + k)
        if k:
            g2.add_edge(nxt + k - 1, nxt + k)
    dt = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        pos2 = layered(g2, previous=pos)
        dt = min(dt, time.perf_counter() - t0)
    moved = sum(1 for v in g if pos2[v] != pos[v])
    fresh = layered(g2)
    return mean_displacement(pos, pos2), mean_displacement(pos, fresh), dt, moved


def incremental_graphs():
    """(name, graph, nodes added)."""
    return [
        ("a 1000-node random DAG", random_autograd_dag(1000, 7), 5),
        ("a 1005-node RNN", unrolled_rnn(143), 5),
        ("a 5000-node random DAG", random_autograd_dag(5000, 8), 10),
    ]


def _fmt_rows(rows):
    for name, n, t, cpu, c, dt, dc in rows:
        if dt is None:
            dts, dcs, ratio = "failed", "n/a", "n/a"
        elif dt == "timeout":
            dts, dcs, ratio = f"timeout (> {DOT_TIMEOUT:.0f}s)", "n/a", "n/a"
        elif dt == "not run":
            dts, dcs, ratio = f"not run (> {DOT_MAX_NODES} nodes)", "n/a", "n/a"
        elif dt in ("not installed", "skipped"):
            dts, dcs, ratio = dt, "n/a", "n/a"
        else:
            dts, dcs = f"{dt:.2f}s", str(dc)
            ratio = f"{c / dc:.2f}" if dc else ("1.00" if c == 0 else "inf")
        yield name, n, f"{t:.3f}s", f"{cpu:.3f}s", c, dts, dcs, ratio


def run(report, use_dot=True):
    """Report one row per graph and one for incremental stability: report(name, value, ref)."""
    use_dot = use_dot and shutil.which("dot") is not None
    for row in versus_dot(use_dot):
        report(*_fmt_versus(row))
    for name, n, ts, cpu, c, dts, dcs, ratio in _fmt_rows(measure(use_dot)):
        report(
            f"{name} ({n} nodes)",
            f"{ts} (cpu {cpu}), {c} crossings",
            f"dot {dts}, {dcs} crossings, ratio {ratio}",
        )
    for name, g, added in incremental_graphs():
        d_prev, d_fresh, dt, moved = incremental(g, added)
        report(
            f"incremental +{added} nodes on {name} (old nodes moved)",
            f"{moved} moved, {dt * 1e3:.0f} ms",
            f"mean displacement {d_prev:.3f} (from scratch {d_fresh:.3f})",
        )


def phases(sizes=(300, 1000), seeds=range(10)):
    """Per size: ``{step: mean CPU seconds}`` of one layout of the versus_dot graphs, by step:
    ranks (of which the network simplex), the proper graph (virtual nodes), the ordering,
    x placement, and the rest (indexing, cycles, components, routes), from wrappers put
    around the layout's steps for the measurement."""
    import gradviz.model._layout_rank as rank
    import gradviz.model.layout as lay

    spent: dict[str, float] = {}

    def timed(fn, step):
        def run(*args, **kwargs):
            c0 = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[step] = spent.get(step, 0.0) + time.process_time() - c0
        return run

    saved = [(lay, "assign_layers"), (rank, "tighten"), (lay, "assign_x"),
             (lay.Proper, "__init__"), (lay.Proper, "minimize")]
    originals = [getattr(obj, name) for obj, name in saved]
    steps = ("ranks", "of which network simplex", "x placement", "proper graph", "ordering")
    out = {}
    try:
        for (obj, name), fn, step in zip(saved, originals, steps, strict=True):
            setattr(obj, name, timed(fn, step))
        for n in sizes:
            spent.clear()
            total = 0.0
            for seed in seeds:
                g = random_autograd_dag(n, 1000 + seed)
                c0 = time.process_time()
                layered(g, routes={})
                total += time.process_time() - c0
            k = len(seeds)
            row = {"whole layout": total / k, **{s: spent.get(s, 0.0) / k for s in steps}}
            row["rest"] = row["whole layout"] - sum(row[s] for s in steps if not s.startswith("of"))
            out[n] = row
    finally:
        for (obj, name), fn in zip(saved, originals, strict=True):
            setattr(obj, name, fn)
    return out


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if "--phases" in argv:
        for n, row in phases().items():
            print(f"random autograd DAG, {n:,} nodes (CPU ms, mean of 10): "
                  + ", ".join(f"{step} {t * 1e3:.1f}" for step, t in row.items()))
        return
    use_dot = "--no-dot" not in argv and shutil.which("dot") is not None
    if not use_dot:
        print("dot not installed (apt-get install graphviz) or --no-dot: no comparison")
    for row in versus_dot(use_dot):
        name, ours, ref = _fmt_versus(row)
        print(f"{name:<36} {ours:<52} {ref}", flush=True)
    print()
    if "--vs-dot" in argv:
        return
    head = ("graph", "nodes", "ours", "ours cpu", "crossings", "dot", "dot crossings", "ratio")
    widths = (24, 7, 9, 10, 11, 24, 15, 7)
    print(
        "".join(
            f"{h:<{w}}" if i == 0 else f"{h:>{w}}" for i, (h, w) in enumerate(zip(head, widths))
        )
    )
    for row in _fmt_rows(measure(use_dot)):
        print(
            "".join(
                f"{c:<{w}}" if i == 0 else f"{c!s:>{w}}"
                for i, (c, w) in enumerate(zip(row, widths))
            )
        )
    print()
    for name, g, added in incremental_graphs():
        d_prev, d_fresh, dt, moved = incremental(g, added)
        print(
            f"incremental: +{added} nodes on {name}: {moved} old nodes moved, {dt * 1e3:.0f} ms;"
            f" mean displacement {d_prev:.3f} with previous=, {d_fresh:.3f} from scratch"
        )


if __name__ == "__main__":
    main()
