"""Load session gives a consistent snapshot: values and grads from the file, nothing
marked new, new statements in nodes of their own (issue 9 section 2)."""

import numpy as np

from tests.gui.conftest import node_named, type_in


def test_loaded_session_is_a_snapshot_with_values(app, tmp_path, qtbot):
    session = app.session
    ns = session.namespace
    type_in(app, "loss2 = torch.nn.functional.binary_cross_entropy_with_logits(x @ w + b, y)",
            "loss2.backward()")  # w's timeline: the tutorial's backward, then this one
    labels = [e.label for e in app.model.history(node_named(app.model, "w"))]
    assert labels[-1] == "backward 2"
    w_grad = ns["w"].grad.numpy().copy()
    w_value = ns["w"].detach().numpy().copy()
    path = tmp_path / "s.json"
    session.save_session(path)
    session.load_session(path)
    model = app.model
    w = node_named(model, "w")
    assert model.tensor(w) is None  # a snapshot: no live tensors
    np.testing.assert_array_equal(model.value(w), w_value)
    np.testing.assert_array_equal(model.grad(w), w_grad)
    assert [e.label for e in model.history(w)] == labels
    assert not any(d.get("new") for _, d in model.graph.nodes(data=True))
    session.select(w)
    tv = app.inspector.tensor_view
    assert not tv.grad.summary.text().startswith("None"), tv.grad.summary.text()
    assert "not available" not in tv.value.summary.text()
    assert tv.value.heatmap.image.image.shape == w_value.shape
    loaded = set(model.graph)
    assert all(n < 0 for n in loaded)
    type_in(app, "y2 = w * 2")  # w is still alive in the namespace: a node of its own
    new = set(model.graph) - loaded
    assert new and all(n > 0 for n in new)
    assert not any(model.graph.has_edge(u, v) for u in new for v in loaded)
    assert not any(model.graph.has_edge(u, v) for u in loaded for v in new)
    assert {d.get("name") for n, d in model.graph.nodes(data=True) if d.get("new")} >= {"y2"}
    assert all(not model.graph.nodes[n].get("new") for n in loaded)


def test_capped_session_says_so(app, tmp_path, monkeypatch):
    from gradviz.model import stored_values
    from gradviz.model.export import load_session, save_session

    path = tmp_path / "s.json"
    left_out = save_session(app.model, path, values_cap=64)
    assert left_out > 0
    loaded = load_session(path)
    assert len(loaded.values_left_out) == left_out
    kept = [n for n in loaded.graph if loaded.value(n) is not None]
    assert kept and sum(loaded.value(n).nbytes for n in kept) <= 64
    monkeypatch.setattr(stored_values, "VALUES_CAP", 64)
    app.session.save_session(path)
    assert f"values of {left_out} tensors not kept" in app.message.text()
