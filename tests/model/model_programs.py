"""Programs written once and run on gradviz or torch, and the graphs they make.

A program is a list of leaves ``(requires_grad, values)`` and a list of steps
``(op, i, j)`` whose ``i``/``j`` pick earlier tensors (modulo the pool size, so any
integers are valid). ``i == j`` reuses one tensor twice, as in ``a * a``. The result
sums every tensor that requires grad, so every recorded node is reachable from it.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

SHAPE = (3, 3)


def _index(lib, a, b):
    return a[[2, 0, 1]]


def _cat(lib, a, b):
    return lib.cat([a[1:], b[:1]])


OPS = {
    "add": lambda lib, a, b: a + b,
    "mul": lambda lib, a, b: a * b,
    "square": lambda lib, a, b: a * a,
    "matmul": lambda lib, a, b: lib.matmul(a, b),
    "sum": lambda lib, a, b: a.sum() * b,
    "exp": lambda lib, a, b: lib.exp(a),
    "relu": lambda lib, a, b: lib.relu(a),
    "index": _index,
    "cat": _cat,
}


def random_program(rng: np.random.Generator, n_leaves=None, n_steps=None):
    """A seeded random program (see the module docstring)."""
    n_leaves = int(rng.integers(1, 5)) if n_leaves is None else n_leaves
    n_steps = int(rng.integers(1, 9)) if n_steps is None else n_steps
    flags = [bool(f) for f in rng.integers(0, 2, n_leaves)]
    flags[int(rng.integers(n_leaves))] = True  # something to differentiate
    leaves = [(f, rng.uniform(-0.5, 0.5, SHAPE).astype(np.float32)) for f in flags]
    names = sorted(OPS)
    steps = [(names[int(rng.integers(len(names)))], int(rng.integers(100)), int(rng.integers(100)))
             for _ in range(n_steps)]
    return leaves, steps


def run_program(lib, leaves, steps):
    """Run the program with ``lib`` (gradviz or torch); returns ``(leaves, pool, out)``."""
    with np.errstate(all="ignore"):  # exp chains may overflow: only the structure matters
        tensors = [lib.tensor(values.copy(), requires_grad=flag) for flag, values in leaves]
        pool = list(tensors)
        for op, i, j in steps:
            pool.append(OPS[op](lib, pool[i % len(pool)], pool[j % len(pool)]))
        out = None
        for t in pool:
            if t.requires_grad:
                out = t.sum() if out is None else out + t.sum()
    return tensors, pool, out


def source(leaves, steps) -> str:
    """The program as text, for failure messages."""
    lines = [f"t{k} = tensor(..., requires_grad={flag})" for k, (flag, _) in enumerate(leaves)]
    n = len(leaves)
    for op, i, j in steps:
        lines.append(f"t{n} = {op}(t{i % n}, t{j % n})")
        n += 1
    return "\n".join(lines)


def walked_graph(root) -> nx.MultiDiGraph:
    """The graph reached from ``root`` through ``next_functions``, edges from the input
    side to the consumer, nodes named ``type(fn).__name__`` (works for torch and gradviz)."""
    g = nx.MultiDiGraph()
    keep = {id(root): root}  # holds every node, so id() cannot be reused during the walk
    stack = [root]
    g.add_node(id(root), name=type(root).__name__)
    while stack:
        fn = stack.pop()
        for i, (nxt, _) in enumerate(fn.next_functions):
            if nxt is None:
                continue
            if id(nxt) not in keep:
                keep[id(nxt)] = nxt
                g.add_node(id(nxt), name=type(nxt).__name__)
                stack.append(nxt)
            g.add_edge(id(nxt), id(fn), input_nr=i)
    return g


def function_subgraph(model) -> nx.MultiDiGraph:
    """The model's function nodes and ``next`` edges."""
    g = nx.MultiDiGraph()
    for nid, d in model.graph.nodes(data=True):
        if d["kind"] == "function":
            g.add_node(nid, name=d["name"])
    for u, v, d in model.graph.edges(data=True):
        if d["kind"] == "next":
            g.add_edge(u, v, input_nr=d["input_nr"])
    return g


def same_graph(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> bool:
    """Isomorphic with equal names, and equal ``input_nr`` multisets on parallel edges."""
    node_match = nx.algorithms.isomorphism.categorical_node_match("name", None)
    edge_match = nx.algorithms.isomorphism.categorical_multiedge_match("input_nr", None)
    return nx.is_isomorphic(a, b, node_match=node_match, edge_match=edge_match)


def describe(g: nx.MultiDiGraph) -> list:
    """A sorted edge list by names, for readable assertion messages."""
    names = nx.get_node_attributes(g, "name")
    return sorted((names[u], names[v], d.get("input_nr")) for u, v, d in g.edges(data=True))


def torch_execution_order(torch, root, run):
    """Names of torch's grad_fn nodes in the order its engine runs them during ``run()``."""
    order = []
    handles = []
    for fn in walked_graph_objects(root):
        handles.append(fn.register_prehook(lambda go, fn=fn: order.append(type(fn).__name__)))
    try:
        run()
    finally:
        for h in handles:
            h.remove()
    return order


def walked_graph_objects(root) -> list:
    seen = {id(root): root}
    stack = [root]
    while stack:
        fn = stack.pop()
        for nxt, _ in fn.next_functions:
            if nxt is not None and id(nxt) not in seen:
                seen[id(nxt)] = nxt
                stack.append(nxt)
    return list(seen.values())
