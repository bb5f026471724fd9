"""Compare a graph with a baseline: what a detach() changes, values and grads that moved."""

from __future__ import annotations

import gc

import gradviz
from gradviz.model import GraphModel
from gradviz.model.compare import compare, mark, snapshot
from gradviz.model.export import load_session, save_session


def _names(model, ids):
    return sorted(model.graph.nodes[n].get("name") or model.graph.nodes[n].get("label")
                  for n in ids)


def _small_graph():
    """x -> y = x * 2 -> loss = (y * 3).sum(), named; the model still recording."""
    model = GraphModel()
    ns = {}
    with model.recording():
        ns["x"] = x = gradviz.ones(3, requires_grad=True)
        ns["y"] = y = x * 2
        ns["loss"] = (y * 3).sum()
        model.set_names(ns)
    return model, ns


def test_baseline_before_and_after_a_detach():
    model, ns = _small_graph()
    x, y = ns["x"], ns["y"]
    baseline = snapshot(model)
    with model.recording():
        ns["y"] = y = y.detach().requires_grad_()  # cut: y is a new leaf
        ns["loss"] = (y * 3).sum()
        model.set_names(ns)
        ns["loss"].backward()
    gc.collect()
    model.flush()
    result = compare(baseline, snapshot(model))
    added = _names(model, result.added)
    assert "AccumulateGrad" in added and "MulBackward0" in added and "SumBackward0" in added
    assert "y" in added  # the detached leaf
    # the old y * 3 and its sum died with the old loss: released (faded) or removed
    assert len(result.released) + len(result.removed) >= 2
    # x never got a gradient: the detach cut it off; the new leaf y got 3s
    assert model.node_of(x) not in result.changed or "grad" not in result.changed[
        model.node_of(x)]
    assert result.edges_added >= 3
    mark(model, result)
    assert model.graph.nodes[model.node_of(y)]["compare"] == "added"
    assert "added" in result.describe()


def test_grads_changed_with_the_largest_difference():
    model = GraphModel()
    with model.recording():
        w = gradviz.ones(2, requires_grad=True)
        (w * 2).sum().backward()
    baseline = snapshot(model)
    assert not compare(baseline, snapshot(model))
    with model.recording():
        (w * 5).sum().backward()  # w.grad: 2 -> 7
    result = compare(baseline, snapshot(model))
    assert result.changed[model.node_of(w)]["grad"] == 5.0
    assert result.largest[0] == model.node_of(w) and result.largest[2] == 5.0


def test_two_saved_sessions_are_matched_by_structure(tmp_path):
    paths = []
    for scale in (2.0, 4.0):
        model = GraphModel()
        with model.recording():
            w = gradviz.ones(2, requires_grad=True)
            loss = (w * scale).sum()
            if scale == 4.0:
                loss = loss.exp()
            loss.backward()
        paths.append(tmp_path / f"{scale}.json")
        save_session(model, paths[-1])
    a, b = (load_session(p) for p in paths)
    result = compare(snapshot(a), snapshot(b), match="structure")
    assert _names(b, result.added) == ["ExpBackward0"]
    assert not result.removed
    assert result.changed  # the grads differ


def test_the_screenshot_lesson_released_nodes_are_not_changes_and_x_grad_grew():
    model, ns = _small_graph()
    x, y = ns["x"], ns["y"]
    with model.recording():
        ns["loss"].backward()  # x.grad = 6
    baseline = snapshot(model)
    with model.recording():
        ns["loss"] = (y.detach() * 3).sum() + (x * 4).sum()
        model.set_names(ns)
        ns["loss"].backward()  # x.grad = 10: nothing through the detached y
    gc.collect()
    model.flush()
    result = compare(baseline, snapshot(model))
    assert result.released and not set(result.released) & set(result.changed)
    assert all(v == v for changes in result.changed.values() for v in changes.values())  # no NaN
    assert result.largest == (model.node_of(x), "grad", 4.0)
    assert repr(result) == f"Comparison({result.describe()})"
    assert "largest difference 4 in grad of x" in repr(result)
