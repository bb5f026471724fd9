"""The inspector panel against the real GraphModel, both directions: gradviz code
changes the model and the panel shows it; clicks on the panel reach the window."""

import time

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

import gradviz as torch
from gradviz.gui.inspector import InspectorPanel
from gradviz.model import GraphModel
from gradviz.session import array_summary as V


@pytest.fixture
def model():
    m = GraphModel()
    yield m
    m.detach()


@pytest.fixture
def panel(qtbot, model):
    p = InspectorPanel(model)
    qtbot.addWidget(p)
    p.resize(440, 900)
    p.show()
    return p


def row_texts(panel):
    lst = panel.tensor_view.timeline.list
    return [lst.item(i).text() for i in range(lst.count())]


def tutorial(model):
    """The tutorial's Jacobian-product example, up to (not including) the first backward."""
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    model.set_names({"inp": inp, "out": out})
    model.flush()
    return inp, out


FIRST = [[4, 2, 2, 2, 2], [2, 4, 2, 2, 2], [2, 2, 4, 2, 2], [2, 2, 2, 4, 2]]


def as_cells(rows):
    return [[str(v) for v in row] for row in rows]


# ------------------------------------------------------------------ values (no Qt)
def test_fmt_uses_four_significant_digits():
    assert [V.fmt(x) for x in (2 / 3, 4.0, 12345.678, 1e-7, -0.0, np.nan, -np.inf)] == [
        "0.6667", "4", "1.235e+04", "1e-07", "0", "nan", "-inf"]
    assert V.fmt(np.int64(3)) == "3" and V.fmt(True) == "True" and V.fmt(None) == "—"


def test_summarize_ignores_nan_and_inf_but_counts_them():
    s = V.summarize(np.array([np.nan, np.inf, -np.inf, 3.0, -4.0], dtype=np.float32))
    assert (s.count, s.nan, s.inf, s.min, s.max, s.mean, s.norm) == (5, 1, 2, -4.0, 3.0, -0.5, 5.0)
    empty = V.summarize(np.array([np.nan]))
    assert empty.min is None and empty.nan == 1
    assert V.summarize(np.array([True, False])).max == 1.0


def test_table_cells_lay_out_every_rank():
    assert V.table_cells(np.array(2.5)) == ([["2.5"]], [""], [""])
    rows, rl, cl = V.table_cells(np.arange(3))
    assert rows == [["0", "1", "2"]] and cl == ["0", "1", "2"]
    rows, rl, cl = V.table_cells(np.arange(12))
    assert len(rows) == 12 and rl[-1] == "11"
    rows, rl, cl = V.table_cells(np.zeros((2, 3, 4)))
    assert len(rows) == 6 and rl[:2] == ["0,0", "0,1"] and len(cl) == 4


# ------------------------------------------------------------------ tensors
def test_empty_panel_invites_a_selection(panel):
    assert panel.nid is None
    assert "Select a node" in panel.subtitle.text()
    assert panel.tensor_view.isHidden() and panel.function_view.isHidden()


def test_leaf_fields_value_and_heatmap(panel, model):
    with model.recording():
        inp, out = tutorial(model)
        panel.show_node(model.node_of(inp))
    tv = panel.tensor_view
    assert panel.title.text() == "inp"
    assert "leaf tensor" in panel.subtitle.text()
    assert tv.fields["shape"].text().startswith("4 × 5")
    assert tv.fields["dtype"].text() == "float32"
    assert tv.fields["requires_grad"].text() == "True"
    assert tv.fields["is_leaf"].text() == "True"
    assert tv.fields["version"].text() == "0"
    assert tv.grad_fn.text() == "None"
    assert tv.value.table.cell_texts() == as_cells(np.eye(4, 5, dtype=int).tolist())
    assert tv.value.stats["max"].text() == "1" and tv.value.stats["mean"].text() == "0.2"
    assert tv.value.heatmap_shown() and not tv.value.histogram_shown()
    assert tv.value.heatmap.image.image.shape == (4, 5)
    assert tv.grad.summary.text().startswith("None")
    assert tv.timeline.list.isHidden() and not tv.timeline.empty.isHidden()


def test_one_dimensional_tensor_has_no_heatmap(panel, model):
    with model.recording():
        b = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
        loss = (b * b).sum()
        model.set_names({"b": b, "loss": loss})
        model.flush()
        panel.show_node(model.node_of(b))
    assert panel.tensor_view.value.table.cell_texts() == [["1", "-2", "3"]]
    assert not panel.tensor_view.value.heatmap_shown()


def test_tutorial_grad_timeline_first_second_and_after_zeroing(panel, model):
    with model.recording():
        inp, out = tutorial(model)
        panel.show_node(model.node_of(inp))
        out.backward(torch.ones_like(out), retain_graph=True)
        model.flush()
        tv = panel.tensor_view
        assert tv.grad.table.cell_texts() == as_cells(FIRST)
        assert row_texts(panel) == ["1  backward 1   min 2  max 4  mean 2.4  norm 11.31"]

        out.backward(torch.ones_like(out), retain_graph=True)
        model.flush()
        assert tv.grad.table.cell_texts() == as_cells(2 * np.array(FIRST))
        assert tv.grad.stats["max"].text() == "8" and tv.grad.stats["min"].text() == "4"

        inp.grad.zero_()
        out.backward(torch.ones_like(out), retain_graph=True)
        model.flush()
    rows = row_texts(panel)
    assert [r.split()[1:3] for r in rows] == [
        ["backward", "1"], ["backward", "2"], ["zeroed", "min"], ["backward", "3"]]
    assert "min 2  max 4" in rows[0]
    assert "min 4  max 8" in rows[1]
    assert "min 0  max 0" in rows[2]
    assert "min 2  max 4" in rows[3]
    assert tv.grad.table.cell_texts() == as_cells(FIRST)
    # the plot has one point per entry: the norm of the grad
    _, ys = tv.timeline.plot.curve.getData()
    np.testing.assert_allclose(ys, [11.31, 22.63, 0.0, 11.31], rtol=1e-3)
    # picking an entry shows it in full
    tv.timeline.list.setCurrentRow(1)
    assert tv.timeline.entry.table.cell_texts() == as_cells(2 * np.array(FIRST))
    assert tv.timeline.entry.summary.text().startswith("backward 2")


def test_grad_set_to_none_is_a_gap_in_the_timeline(panel, model):
    with model.recording():
        w = torch.ones(3, requires_grad=True)
        loss = (w * 3).sum()
        model.set_names({"w": w, "loss": loss})
        model.flush()
        panel.show_node(model.node_of(w))
        loss.backward()
        w.grad = None
        model.flush()
    rows = row_texts(panel)
    assert len(rows) == 2 and rows[1].split()[1:] == ["set", "to", "None", "None"]
    assert panel.tensor_view.grad.summary.text().startswith("None")
    _, ys = panel.tensor_view.timeline.plot.curve.getData()
    assert ys[0] == pytest.approx(np.sqrt(27)) and np.isnan(ys[1])


def test_output_grad_fn_link_selects_its_function(qtbot, panel, model):
    with model.recording():
        inp, out = tutorial(model)
        panel.show_node(model.node_of(out))
    tv = panel.tensor_view
    assert tv.fields["is_leaf"].text() == "False"
    assert tv.grad_fn_link.text() == "TBackward0"
    assert tv.grad.summary.text().startswith("None (a non-leaf")
    with qtbot.waitSignal(panel.nodeActivated) as sig:
        qtbot.mouseClick(tv.grad_fn_link, _left())
    assert sig.args == [model.node_of(out.grad_fn)]


def test_in_place_change_refreshes_version_and_value(panel, model):
    with model.recording():
        w = torch.zeros(2, 2, requires_grad=True)
        loss = (w * 2).sum()
        model.set_names({"w": w, "loss": loss})
        model.flush()
        panel.show_node(model.node_of(w))
        assert panel.tensor_view.fields["version"].text() == "0"
        with torch.no_grad():
            w.add_(1.5)
        model.flush()
    assert panel.tensor_view.fields["version"].text() == "1"
    assert panel.tensor_view.value.table.cell_texts() == [["1.5", "1.5"], ["1.5", "1.5"]]


def test_ghost_constant_is_explained(panel, model):
    with model.recording():
        x = torch.ones(5)
        w = torch.randn(5, 3, requires_grad=True)
        z = torch.matmul(x, w)
        model.set_names({"x": x, "w": w, "z": z})
        model.flush()
        nid = model.node_of(x)
        assert nid is not None, "the tutorial's x is a ghost constant in the graph"
        panel.show_node(nid)
    assert "ghost" in panel.subtitle.text()
    assert "did not record" in panel.tensor_view.status.text()


def test_nan_and_inf_are_counted(panel, model):
    a = np.arange(6, dtype=np.float32)
    a[0], a[1], a[2] = np.nan, np.inf, -np.inf
    with model.recording():
        t = torch.tensor(a, requires_grad=True)
        s = (t * 1).sum()
        model.set_names({"t": t, "s": s})
        model.flush()
        panel.show_node(model.node_of(t))
    stats = panel.tensor_view.value.stats
    assert (stats["NaN"].text(), stats["Inf"].text()) == ("1", "2")
    assert (stats["min"].text(), stats["max"].text(), stats["mean"].text()) == ("3", "5", "4")


def test_ten_million_elements_are_summarised_fast(qtbot, panel, model):
    with model.recording():
        big = torch.randn(10_000_000, requires_grad=True)
        s = big.sum()
        model.set_names({"big": big, "s": s})
        model.flush()
    start = time.perf_counter()
    panel.show_node(model.node_of(big))
    qtbot.wait(1)
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"showing a 10M-element tensor took {elapsed:.2f} s"
    view = panel.tensor_view.value
    data = big.detach().numpy()
    assert view.stats["min"].text() == V.fmt(data.min())
    assert view.stats["max"].text() == V.fmt(data.max())
    assert view.stats["norm"].text() == V.fmt(np.linalg.norm(data.astype(np.float64)))
    assert view.table.isHidden() and view.histogram_shown() and not view.heatmap_shown()
    assert "10,000,000 elements" in view.summary.text()
    assert "sample" in view.note.text()


def test_large_matrix_shows_a_strided_heatmap_and_histogram(panel, model):
    with model.recording():
        m = torch.randn(1200, 300, requires_grad=True)
        s = m.sum()
        model.set_names({"m": m, "s": s})
        model.flush()
        panel.show_node(model.node_of(m))
    view = panel.tensor_view.value
    assert view.heatmap_shown() and view.histogram_shown() and view.table.isHidden()
    assert view.heatmap.image.image.shape == (400, 300)
    assert "1 in 3 rows" in view.note.text()


# ------------------------------------------------------------------ functions
def test_function_node_formula_next_functions_and_saved(panel, model):
    with model.recording():
        inp, out = tutorial(model)
        pow_fn = out.grad_fn.next_functions[0][0]
        panel.show_node(model.node_of(pow_fn))
    fv = panel.function_view
    assert panel.title.text() == "PowBackward0"
    assert "function" in panel.subtitle.text()
    assert fv.fields["formula"].text() == "self: grad * exponent * self ** (exponent - 1)"
    assert fv.fields["output shape"].text() == "4 × 5"
    assert [b.text() for b in fv.next_links()] == ["AddBackward0"]
    saved = {fv.saved_box.itemAtPosition(r, 0).widget().text():
             fv.saved_box.itemAtPosition(r, 1).widget().text()
             for r in range(fv.saved_box.rowCount()) if fv.saved_box.itemAtPosition(r, 0)}
    assert saved["self"] == "tensor 4 × 5 float32, saved at version 0"
    assert saved["exponent"] == "= 2"
    assert fv.grad_in is None
    panel.show_node(fv.next_links()[0].nid)
    rows = [fv.next_box.itemAtPosition(r, 1).widget().text() for r in range(2)]
    assert rows == ["AccumulateGrad (inp)", "None"]  # (inp + 1): the constant needs no grad
    assert [b.text() for b in fv.next_links()] == ["AccumulateGrad (inp)"]


def test_clicking_a_next_function_emits_its_id(qtbot, panel, model):
    with model.recording():
        inp, out = tutorial(model)
        panel.show_node(model.node_of(out.grad_fn))
    (link,) = panel.function_view.next_links()
    assert link.text() == "PowBackward0"
    with qtbot.waitSignal(panel.nodeActivated, timeout=1000) as sig:
        qtbot.mouseClick(link, _left())
    assert sig.args == [model.node_of(out.grad_fn.next_functions[0][0])]


def test_function_shows_gradients_of_the_last_backward(panel, model):
    with model.recording():
        inp, out = tutorial(model)
        pow_fn = out.grad_fn.next_functions[0][0]
        panel.show_node(model.node_of(pow_fn))
        out.backward(torch.ones_like(out), retain_graph=True)
        model.flush()
    fv = panel.function_view
    assert fv.grad_in.table.cell_texts() == as_cells(np.ones((4, 5), dtype=int).tolist())
    assert len(fv.grads_out) == 1
    assert fv.grads_out[0].table.cell_texts() == as_cells(FIRST)
    assert fv.grads_out[0].stats["norm"].text() == "11.31"
    assert fv.fields["executed"].text().startswith("step ")


def test_accumulate_grad_links_its_variable(qtbot, panel, model):
    with model.recording():
        inp, out = tutorial(model)
        acc = model.node_of(inp.grad_fn) if inp.grad_fn else None
        assert acc is None
        leaf = model.node_of(inp)
        (acc,) = [v for _, v, d in model.graph.out_edges(leaf, data=True) if d["kind"] == "leaf"]
        panel.show_node(acc)
        out.backward(torch.ones_like(out))
        model.flush()
    fv = panel.function_view
    assert panel.title.text() == "AccumulateGrad"
    assert fv.fields["formula"].text() == "variable.grad += grad"
    assert [b.text() for b in fv.next_links()] == ["inp"]
    with qtbot.waitSignal(panel.nodeActivated) as sig:
        qtbot.mouseClick(fv.next_links()[0], _left())
    assert sig.args == [leaf]


def test_backward_without_retain_graph_shows_saved_tensors_freed(panel, model):
    with model.recording():
        inp, out = tutorial(model)
        pow_fn = out.grad_fn.next_functions[0][0]
        panel.show_node(model.node_of(pow_fn))
        out.backward(torch.ones_like(out))
        model.flush()
    fv = panel.function_view
    assert "freed" in panel.subtitle.text()
    texts = [fv.saved_box.itemAtPosition(r, 1).widget().text()
             for r in range(fv.saved_box.rowCount()) if fv.saved_box.itemAtPosition(r, 1)]
    assert texts and all(t.startswith("freed") for t in texts)


def test_saved_tensor_modified_in_place_is_flagged(panel, model):
    with model.recording():
        a = torch.ones(3, requires_grad=True)
        b = a * 2
        c = b * b
        model.set_names({"a": a, "b": b, "c": c})
        model.flush()
        panel.show_node(model.node_of(c.grad_fn))
        with torch.no_grad():
            b.add_(1)
        model.flush()
        panel.show_node(model.node_of(c.grad_fn))
    fv = panel.function_view
    texts = [fv.saved_box.itemAtPosition(r, 1).widget().text()
             for r in range(fv.saved_box.rowCount()) if fv.saved_box.itemAtPosition(r, 1)]
    assert any("now version 1" in t for t in texts)


# ------------------------------------------------------------------ model link
def test_removed_node_clears_the_panel(panel, model):
    with model.recording():
        inp, out = tutorial(model)
        panel.show_node(model.node_of(inp))
    model.clear()
    assert panel.nid is None
    assert "removed" in panel.subtitle.text()


def test_listener_removed_when_closed_and_destroyed(qtbot, model, monkeypatch):
    removed = []
    original = model.remove_listener
    monkeypatch.setattr(model, "remove_listener", lambda cb: (removed.append(cb), original(cb)))
    p = InspectorPanel(model)
    p.show()
    p.close()
    assert len(removed) == 1
    p.deleteLater()
    qtbot.waitUntil(lambda: len(removed) == 2, timeout=1000)
    with model.recording():  # a later change reaches no dead panel
        w = torch.ones(2, requires_grad=True)
        (w * 2).sum().backward()
        model.flush()


def _left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_scalar_empty_and_non_finite_matrices_show_without_warnings(panel, model):
    bad = np.ones((300, 300), dtype=np.float32)
    bad[0], bad[1] = np.nan, np.inf
    with model.recording():
        m = torch.tensor(bad, requires_grad=True)
        e = torch.zeros(0, 3, requires_grad=True)
        loss = (m * 2).sum() + (e * 2).sum()
        model.set_names({"m": m, "e": e, "loss": loss})
        model.flush()
        panel.show_node(model.node_of(m))
        view = panel.tensor_view.value
        assert view.heatmap_shown() and view.histogram_shown()
        assert (view.stats["NaN"].text(), view.stats["Inf"].text()) == ("300", "300")
        panel.show_node(model.node_of(e))
        assert view.summary.text().startswith("0 × 3")
        assert view.table.isHidden() and not view.heatmap_shown() and view.stats_box.isHidden()
        panel.show_node(model.node_of(loss))
    assert panel.tensor_view.fields["shape"].text().startswith("scalar")
    assert view.table.cell_texts() == [["nan"]]


def test_released_function_is_shown_from_the_graph(panel, model):
    with model.recording():
        a = torch.ones(3, requires_grad=True)
        b = (a * 2).exp()
        fid = model.node_of(b.grad_fn)
        mul = model.node_of(b.grad_fn.next_functions[0][0])
        model.set_names({"a": a, "b": b})
        model.flush()
        del b
        model.flush()
    panel.show_node(fid)
    assert "released" in panel.subtitle.text()
    assert [x.text() for x in panel.function_view.next_links()] == ["MulBackward0"]
    assert panel.function_view.next_links()[0].nid == mul
    text = panel.function_view.saved_box.itemAtPosition(0, 1).widget().text()
    assert "released" in text


def test_statistics_of_non_finite_values_say_they_count_the_finite(panel, model):
    grad = torch.tensor([1.0, float("nan"), float("inf"), float("-inf"), 0.0])
    with model.recording():
        t = torch.zeros(5, requires_grad=True)
        model.set_names({"t": t})
        (t * 1).backward(grad)
        model.flush()
        panel.show_node(model.node_of(t))
    view = panel.tensor_view
    assert "norm of the 2 finite" in view.grad.summary.text()
    assert (view.grad.stats["NaN"].text(), view.grad.stats["Inf"].text()) == ("1", "2")
    (row,) = row_texts(panel)
    assert "of 2 finite: min 0  max 1" in row and "NaN 1  Inf 2" in row
    _, ys = view.timeline.plot.curve.getData()
    assert ys is None or not np.any(np.asarray(ys) == 1.0), \
        "a norm of 1 is not plotted for a grad holding NaN and Inf"
    xs, _ = view.timeline.plot.bad.getData()
    assert list(xs) == [1.0], "the entry is marked as not finite instead"


def test_the_timeline_list_shows_its_rows(qtbot, panel, model):
    with model.recording():
        inp, out = tutorial(model)
        panel.show_node(model.node_of(inp))
        for _ in range(3):
            out.backward(torch.ones_like(out), retain_graph=True)
        model.flush()
    lst = panel.tensor_view.timeline.list
    for width in (440, 300):  # wide rows, then rows wider than the list (a scroll bar)
        panel.resize(width, 900)
        qtbot.wait(20)
        row = lst.visualItemRect(lst.item(0)).height()
        assert lst.count() == 3 and row > 0
        assert lst.viewport().height() >= 3 * row, "three entries, three rows"
        assert not lst.verticalScrollBar().isVisible()


def test_the_wheel_over_a_heatmap_scrolls_the_inspector(qtbot, panel, model):
    with model.recording():
        w = torch.ones(30, 4, requires_grad=True)
        model.set_names({"w": w})
        model.flush()
        panel.show_node(model.node_of(w))
    heatmap = panel.tensor_view.value.heatmap
    panel.resize(440, 300)  # short: the panel has to scroll
    qtbot.waitUntil(lambda: heatmap.isVisible())
    scroll = panel.findChild(QtWidgets.QScrollArea).verticalScrollBar()
    view_range = heatmap.plot.viewRange()
    before = scroll.value()
    centre = heatmap.rect().center()
    event = QtGui.QWheelEvent(QtCore.QPointF(centre), QtCore.QPointF(heatmap.mapToGlobal(centre)),
                              QtCore.QPoint(0, 0), QtCore.QPoint(0, -240),
                              QtCore.Qt.MouseButton.NoButton, QtCore.Qt.KeyboardModifier.NoModifier,
                              QtCore.Qt.ScrollPhase.NoScrollPhase, False)
    QtWidgets.QApplication.sendEvent(heatmap.viewport(), event)
    assert heatmap.plot.viewRange() == view_range, "the plot did not zoom"
    assert scroll.value() > before, "the panel scrolled"


def test_long_names_and_formulas_fit_the_panels_width(qtbot, panel, model):
    with model.recording():
        z = torch.ones(3, requires_grad=True)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z * 2, torch.zeros(3))
        model.set_names({"z": z, "loss": loss})
        loss.backward()
        model.flush()
    fid = model.node_of(loss.grad_fn)
    panel.resize(370, 800)
    panel.show_node(fid)
    qtbot.wait(20)
    area = panel.findChild(QtWidgets.QScrollArea)
    body = area.widget()
    assert body.width() <= area.viewport().width(), "nothing is laid out beyond the edge"
    assert panel.title.text() == "BinaryCrossEntropyWithLogitsBackward0"
    assert panel.title.font().pointSizeF() < 15, "the long name is set smaller to fit"
    title_width = QtGui.QFontMetricsF(panel.title.font()).horizontalAdvance(panel.title.text())
    assert title_width <= panel.title.width()
    formula = panel.function_view.fields["formula"]
    assert formula.geometry().right() < body.width()
    assert formula.height() > 2 * formula.fontMetrics().height(), "the formula wraps"
