"""dot-style crossing reduction in plain Python (gradviz.model._layout_mincross): exact
crossing counts, orderings that only get better, and the constraints the layout relies on
(nodes kept in their slot, pinned pairs never swapped, components kept grouped). No Qt."""

from __future__ import annotations

import random

import pytest

from gradviz.model._layout_mincross import Mincross


def random_proper(seed, layers=6, width=7, weighted=False, comps=1):
    """A random proper layered graph: (layers, up, upw, down, downw, comp, edges)."""
    rng = random.Random(seed)
    ids = 0
    lays = []
    for _ in range(layers):
        k = rng.randint(1, width)
        lays.append(list(range(ids, ids + k)))
        ids += k
    comp = [0] * ids
    for lay in lays:  # each layer's nodes grouped by component, left to right
        for k, v in enumerate(lay):
            comp[v] = min(comps - 1, k * comps // len(lay))
    up = [[] for _ in range(ids)]
    down = [[] for _ in range(ids)]
    upw = [None] * ids
    downw = [None] * ids
    edges = {}
    for a, b in zip(lays, lays[1:]):
        for v in b:
            same = [u for u in a if comp[u] == comp[v]]
            for u in rng.sample(same, min(len(same), rng.randint(0, 3))):
                edges[u, v] = rng.randint(1, 4) if weighted else 1
    for (u, v), w in edges.items():
        down[u].append(v)
        up[v].append(u)
        if w != 1:
            if upw[v] is None:
                upw[v] = [1] * (len(up[v]) - 1)
            if downw[u] is None:
                downw[u] = [1] * (len(down[u]) - 1)
        if upw[v] is not None:
            upw[v].append(w)
        if downw[u] is not None:
            downw[u].append(w)
    return lays, up, upw, down, downw, comp, edges


def brute_crossings(layers, edges):
    pos = {v: k for lay in layers for k, v in enumerate(lay)}
    es = list(edges.items())
    c = 0
    for i, ((a, b), w) in enumerate(es):
        for (u, v), x in es[i + 1 :]:
            if pos[a] < pos[u] and pos[b] > pos[v] or pos[a] > pos[u] and pos[b] < pos[v]:
                if any(a in lay and u in lay for lay in layers):
                    c += w * x
    return c


def make(seed, keep=(), pinned=(), **kw):
    lays, up, upw, down, downw, comp, edges = random_proper(seed, **kw)
    n = len(up)
    k = [v in keep for v in range(n)]
    p = [v in pinned for v in range(n)]
    return Mincross(lays, up, upw, down, downw, k, p, comp), lays, edges


@pytest.mark.parametrize("weighted", [False, True])
def test_crossings_are_counted_exactly(weighted):
    for seed in range(30):
        m, lays, edges = make(seed, weighted=weighted)
        assert m.crossings() == brute_crossings(lays, edges)


@pytest.mark.parametrize("weighted", [False, True])
def test_run_never_worsens_and_reports_its_ordering(weighted):
    gained = 0
    for seed in range(30):
        m, lays, edges = make(seed, weighted=weighted)
        before = m.crossings()
        reversed_start = [lay[::-1] for lay in lays]
        best = m.run([(None, 0), (reversed_start, 2)])
        assert best <= before
        assert best == brute_crossings(m.layers, edges)
        assert [sorted(lay) for lay in m.layers] == [sorted(lay) for lay in lays]
        gained += before - best
    assert gained > 0


def test_tangled_pair_is_untangled():
    # two parallel edges drawn crossed: one swap removes the crossing
    m = Mincross([[0, 1], [2, 3]], [[], [], [1], [0]], [None] * 4, [[3], [2], [], []],
                 [None] * 4, [False] * 4, [False] * 4, [0] * 4)
    assert m.crossings() == 1
    assert m.run([(None, 0)]) == 0
    assert m.crossings() == brute_crossings(m.layers, {(0, 3): 1, (1, 2): 1})


def test_kept_nodes_keep_their_slot_in_sweeps_and_pinned_ones_their_order():
    for seed in range(20):
        lays = random_proper(seed, width=8)[0]
        pinned = {lay[0] for lay in lays} | {lay[-1] for lay in lays if len(lay) > 2}
        m, lays, _ = make(seed, width=8, keep=pinned, pinned=pinned)
        slot = {v: k for lay in lays for k, v in enumerate(lay)}
        for down in (True, False):
            m.sweep(down)
            assert all(m.pos[v] == slot[v] for v in pinned)
        m.run([(None, 1)])
        for lay in m.layers:
            mine = [v for v in lay if v in pinned]
            assert mine == sorted(mine, key=slot.get)


def test_components_stay_grouped_within_layers():
    for seed in range(20):
        m, lays, _ = make(seed, width=9, comps=3)
        # starts grouped by component in increasing order, as the layout gives them
        flipped = [sorted(lay[::-1], key=m.comp.__getitem__) for lay in lays]
        m.run([(None, 2), (flipped, 0)])
        for lay in m.layers:
            seq = [m.comp[v] for v in lay]
            assert seq == sorted(seq)


def test_work_budget_bounds_the_effort():
    m, lays, _ = make(3, layers=12, width=9)
    free = Mincross(lays, m.up, m.upw, m.down, m.downw, m.keep, m.pinned, m.comp)
    free.run([(None, 0)])
    capped = Mincross(lays, m.up, m.upw, m.down, m.downw, m.keep, m.pinned, m.comp)
    capped.run([(None, 0)], work=1)
    assert 0 < capped.work < free.work
