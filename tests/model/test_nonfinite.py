"""NaN and Inf traced to their origin by ``GraphModel.find_nonfinite``."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np

import gradviz
from gradviz.model import GraphModel
from gradviz.model.nonfinite import scan


def _name(model, nid):
    return model.graph.nodes[nid]["name"]


def test_nan_from_log_of_a_negative_three_ops_deep_is_the_origin():
    model = GraphModel()
    with model.recording(), np.errstate(invalid="ignore"):
        x = gradviz.tensor([1.0, 2.0], requires_grad=True)
        a = x - 3          # [-2, -1]
        b = a * 2
        c = b.log()        # NaN born here, three ops deep
        d = c.exp() + 1    # carried on
        loss = d.sum()
    origin = model.find_nonfinite()
    assert _name(model, origin) == "LogBackward0"
    marked = {_name(model, n) for n, data in model.graph.nodes(data=True)
              if data.get("nonfinite") == "forward"}
    assert marked == {"LogBackward0", "ExpBackward0", "AddBackward0", "SumBackward0"}
    assert [n for n, data in model.graph.nodes(data=True)
            if data.get("nonfinite_origin")] == [origin]
    assert model.last_nonfinite.phase == "forward"
    assert "LogBackward0" in model.last_nonfinite.describe(model)
    del loss


def test_all_finite_gives_none_and_clears_marks():
    model = GraphModel()
    with model.recording():
        x = gradviz.tensor([1.0, 2.0], requires_grad=True)
        y = (x * 2).sum()
        y.backward()
    assert model.find_nonfinite() is None
    assert not any(d.get("nonfinite") for _, d in model.graph.nodes(data=True))


def test_backward_origin_is_the_node_that_turned_finite_grads_non_finite():
    model = GraphModel()
    with model.recording(), np.errstate(all="ignore"):
        x = gradviz.tensor([0.0, 1.0], requires_grad=True)
        y = x.sqrt()                # finite forward; its backward divides by 0
        loss = (y * 2).sum()
        loss.backward()
    origin = model.find_nonfinite()
    assert model.last_nonfinite.phase == "backward"
    assert _name(model, origin) == "SqrtBackward0"
    assert model.graph.nodes[origin]["nonfinite"] == "backward"
    assert not model.last_nonfinite.forward


def test_a_leaf_holding_nan_is_its_own_origin():
    model = GraphModel()
    with model.recording():
        w = gradviz.tensor([float("nan"), 1.0], requires_grad=True)
        z = (w * 2).sum()
    origin = model.find_nonfinite()
    assert model.graph.nodes[origin]["kind"] == "tensor" or _name(model, origin) == (
        "AccumulateGrad")
    del z


def test_released_values_are_reported_as_unknown():
    model = GraphModel(release_policy="keep")
    with model.recording():
        x = gradviz.tensor([1.0], requires_grad=True)
        y = (x * 2).exp()
        z = y.sum()
    del y, z
    gc.collect()
    model.flush()
    assert model.find_nonfinite() is None
    text = model.last_nonfinite.describe(model)
    assert "released" in text and "can no longer be seen" in text
    assert sorted(_name(model, n) for n in model.last_nonfinite.unknown) == [
        "ExpBackward0", "MulBackward0", "SumBackward0"]  # the graph died with z


def test_nan_in_ten_million_elements_found_with_at_most_one_copy():
    model = GraphModel()
    data = np.ones(10_000_000, dtype=np.float32)
    data[7_654_321] = np.nan
    with model.recording():
        x = gradviz.tensor([1.0], requires_grad=True)
        big = x * gradviz.from_numpy(data)  # the NaN rides in with the constant
    tracemalloc.start()
    origin = model.find_nonfinite()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert origin is not None
    assert peak < 1.5 * data.nbytes  # not a float copy and a mask: at most one copy
    report = scan(model)
    assert model.node_of(big.grad_fn) in report.forward


def _log_of_temporaries(model):
    with model.recording(), np.errstate(invalid="ignore"):
        x = gradviz.tensor([1.0, 2.0], requires_grad=True)
        loss = ((x - 3) * 2).log().sum()  # every intermediate a temporary, released
    return loss


def test_watching_outputs_finds_an_origin_whose_output_was_released():
    model = GraphModel()
    model.watch_nonfinite = True
    loss = _log_of_temporaries(model)
    origin = model.find_nonfinite()
    assert _name(model, origin) == "LogBackward0"
    assert model.last_nonfinite.certain
    del loss


def test_without_watching_the_first_node_seen_is_reported_with_a_doubt():
    model = GraphModel()
    loss = _log_of_temporaries(model)
    origin = model.find_nonfinite()
    assert _name(model, origin) == "SumBackward0"  # the log's output is gone unchecked
    assert not model.last_nonfinite.certain
    assert "may have been born earlier" in model.last_nonfinite.describe(model)
    del loss
