"""``HistoryPanel``: a training run's history, one point per backward call.

    panel = HistoryPanel(model)          # the History dock
    panel.show_series("dead")            # or pick it in the dock's list
    panel.pick(37)                        # or click a point: that run's numbers below
    panel.details_text                    # also shown as a table below the plots
    'run 37   loss 0.0412\\n‖grad‖  net.0.weight 0.051  ...'

Two plots over the backward runs: the loss (the root of each backward, when it holds one
number) and, chosen in the list above it, what the gradient-flow view shows for one graph,
step by step: each leaf's ``.grad`` norm after that backward, its grad-to-value ratio, the
share of dead units at each ReLU-like node, or the number of vanishing and exploding
edges. A loop's earlier iterations leave the graph once released; this is where they
stay. The panel reads ``model.runs`` (a bounded ``RunHistory``) and only appends what is
new, and not at all while the dock is hidden, so a statement costs the same at step
1,000 as at step 10; at most ``CURVES_KEPT`` curves are kept (those seen last), so a loop
that makes new leaves each step stays flat too.
"""

from __future__ import annotations

import bisect
import html

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from gradviz.gui.weak_listener import WeakListener
from gradviz.model.runs import RUNS_KEPT

LOSS_PEN = pg.mkPen((200, 80, 30), width=1.5)
LEGEND_ROWS = 8  # curves named in the legend (click a point for every number)
CURVES_KEPT = 64  # curves kept per series (the keys seen last)
DOTS_UP_TO = 60  # runs drawn as dots too (beyond, a line: dots would cost a frame each)
EMPTY = "No backward yet: each loss.backward() adds a point (the loss and each leaf's ‖grad‖)."
# key -> (what the list says, the y axis, how a number reads)
SERIES = {
    "grad_norms": ("‖grad‖ per leaf", "‖grad‖", "{:.4g}"),
    "ratios": ("‖grad‖ / ‖value‖ per leaf", "‖grad‖ / ‖value‖", "{:.4g}"),
    "dead": ("dead units per ReLU (%)", "dead units %", "{:.1f}%"),
    "edges": ("vanishing / exploding edges", "edges", "{:.0f}"),
}
EDGE_PENS = {"vanishing": (40, 110, 220), "exploding": (224, 49, 49)}


def leaf_name(model, nid) -> str:
    data = model.graph.nodes[nid] if nid in model.graph else {}
    name = data.get("name") or data.get("label") or "leaf"
    return f"{name} (node {nid})" if name == "leaf" else name


def run_values(run, kind: str) -> dict:
    """One run's numbers of series ``kind`` (key -> value; dead units in percent)."""
    if kind == "edges":
        if run.vanishing is None:
            return {}
        return {"vanishing": run.vanishing, "exploding": run.exploding}
    values = getattr(run, kind) or {}
    return {k: 100 * v for k, v in values.items()} if kind == "dead" else values


def _finite(xs, ys) -> tuple[np.ndarray, np.ndarray]:
    """The points with a finite value: a NaN loss (the run Find NaN is for) or an infinite
    ratio (a zero weight) has no place on a plot; a picked run still lists it."""
    x, y = np.array(xs, float), np.array(ys, float)
    keep = np.isfinite(y)
    return (x, y) if keep.all() else (x[keep], y[keep])


class HistoryPanel(QtWidgets.QWidget):
    """The loss and the gradient flow's numbers over the backward runs of ``model``."""

    runPicked = QtCore.Signal(int)  # the run number picked on a plot

    def __init__(self, model, parent=None):
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.summary = QtWidgets.QLabel(EMPTY)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.series_box = QtWidgets.QComboBox()
        for key, (text, _, _) in SERIES.items():
            self.series_box.addItem(text, key)
        self.series_box.setToolTip("what the lower plot shows per backward run")
        self.series_box.currentIndexChanged.connect(
            lambda i: self.show_series(self.series_box.itemData(i)))
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setMinimumHeight(40)  # the dock, tabbed with the inspector, stays small
        layout.addWidget(self.plots, 1)
        layout.addWidget(self.series_box)
        self.loss_plot = self.plots.addPlot(row=0, col=0)
        self.grad_plot = self.plots.addPlot(row=1, col=0)
        self.loss_plot.setLabel("left", "loss")
        self.grad_plot.setLabel("bottom", "backward run")
        self.legend = self.grad_plot.addLegend(offset=(-10, 10), labelTextSize="8pt")
        for plot in (self.loss_plot, self.grad_plot):
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.showGrid(x=True, y=True, alpha=0.15)
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.setDownsampling(auto=True, mode="peak")  # thousands of runs: one per pixel
            plot.setClipToView(True)
        self.loss_curve = self.loss_plot.plot(pen=LOSS_PEN, symbol="o", symbolSize=4,
                                              symbolPen=None, symbolBrush=LOSS_PEN.color())
        dashed = pg.mkPen((120, 120, 120), style=QtCore.Qt.PenStyle.DashLine)
        self.marks = [pg.InfiniteLine(angle=90, pen=dashed) for _ in range(2)]
        for plot, mark in zip((self.loss_plot, self.grad_plot), self.marks, strict=True):
            plot.addItem(mark)
            mark.hide()
        self.details = QtWidgets.QTextBrowser()  # the picked run's numbers, a table
        self.details.setMaximumHeight(160)
        self.details.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.details.hide()
        self.details_text = ""  # the same as plain text (a line per series)
        layout.addWidget(self.details)
        self.plots.scene().sigMouseClicked.connect(self._on_click)
        self._apply_palette()
        self._listener = None
        self.model = None
        self.shown = "grad_norms"
        self._curves: dict = {}
        self.set_model(model)

    # ------------------------------------------------------------ model -> plots
    def set_model(self, model) -> None:
        if self._listener is not None:
            self.model.remove_listener(self._listener)
        self.model = model
        self._listener = listener = WeakListener(self, model, "_on_change")
        model.add_listener(listener)
        self._reset()

    def _reset(self) -> None:
        self._runs = 0  # the last run number drawn
        self._x: list[int] = []
        self._loss_x: list[int] = []
        self._loss: list[float] = []
        self._series: dict = {kind: {} for kind in SERIES}  # kind -> key -> (xs, ys)
        self._clear_curves()
        self.picked = None
        for mark in self.marks:
            mark.hide()
        self.details.clear()
        self.details.hide()
        self.details_text = ""
        self.refresh()

    def _clear_curves(self) -> None:
        for curve in self._curves.values():
            self.grad_plot.removeItem(curve)
            self.legend.removeItem(curve)
        self._curves = {}

    def show_series(self, kind: str) -> None:
        """Plot ``kind`` (a key of ``SERIES``) below the loss."""
        if kind not in SERIES:
            raise ValueError(f"kind must be one of {tuple(SERIES)}, not {kind!r}")
        self.shown = kind
        index = self.series_box.findData(kind)
        if self.series_box.currentIndex() != index:
            self.series_box.setCurrentIndex(index)  # comes back here, then stops above
            return
        self._clear_curves()
        self.grad_plot.setLabel("left", SERIES[kind][1])
        self._redraw()

    def _on_change(self, _change) -> None:
        if self.isVisible():
            self.refresh()

    def showEvent(self, event):  # noqa: N802
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        """Draw the runs recorded since the last refresh (all of them after a clear)."""
        runs = self.model.runs
        last = runs[-1].number if len(runs) else 0
        if last < self._runs:  # the model was cleared, or another one loaded
            self._reset()
            return
        if last == self._runs:
            if not self._x:
                self._redraw()
            return
        new = []
        for run in reversed(runs):
            if run.number <= self._runs:
                break
            new.append(run)
        for run in reversed(new):
            self._x.append(run.number)
            if run.loss is not None:
                self._loss_x.append(run.number)
                self._loss.append(run.loss)
            for kind, series in self._series.items():
                for key, value in run_values(run, kind).items():
                    xs, ys = series.setdefault(key, ([], []))
                    xs.append(run.number)
                    ys.append(value)
        self._runs = last
        self._trim()
        self._redraw()

    def _trim(self) -> None:
        """As many runs as the model keeps, and the ``CURVES_KEPT`` keys seen last."""
        for lst in (self._x, self._loss_x, self._loss):
            del lst[:-RUNS_KEPT]
        first = self._x[0] if self._x else 0
        for kind, series in self._series.items():
            for key, (xs, ys) in list(series.items()):
                cut = bisect.bisect_left(xs, first)
                del xs[:cut], ys[:cut]
                if not xs:
                    del series[key]
            if len(series) > CURVES_KEPT:
                for key in sorted(series, key=lambda k: series[k][0][-1])[:-CURVES_KEPT]:
                    del series[key]
                    curve = self._curves.pop(key, None) if kind == self.shown else None
                    if curve is not None:
                        self.grad_plot.removeItem(curve)
                        self.legend.removeItem(curve)

    def _curve(self, k: int, key):
        kind = self.shown
        if kind == "edges":
            pen = pg.mkPen(EDGE_PENS[key], width=1.2)
            name = key
        else:
            pen = pg.mkPen(pg.intColor(k, hues=9, values=1, maxValue=200), width=1.2)
            label = leaf_name(self.model, key) if kind in ("grad_norms", "ratios") else key
            name = label if k < LEGEND_ROWS else None
        return self.grad_plot.plot(pen=pen, name=name, symbol="o", symbolSize=3,
                                   symbolPen=None, symbolBrush=pen.color())

    def _redraw(self) -> None:
        dots = len(self._x) <= DOTS_UP_TO  # a point a run while they can be told apart
        self.loss_curve.setSymbol("o" if dots else None)
        self.loss_curve.setData(*_finite(self._loss_x, self._loss))
        for k, (key, (xs, ys)) in enumerate(self._series[self.shown].items()):
            curve = self._curves.get(key)
            if curve is None:
                curve = self._curves[key] = self._curve(k, key)
            curve.setSymbol("o" if dots else None)
            curve.setData(*_finite(xs, ys))
        n = len(self._x)
        if not n:
            self.summary.setText(EMPTY)
            return
        last = f"   last loss {self._loss[-1]:.4g}" if self._loss else ""
        self.summary.setText(f"{n} backward run{'s' if n != 1 else ''}{last}   "
                             "(click a point for that run's numbers)")

    def _apply_palette(self) -> None:
        """The plots follow the theme: background = Base, axes and text = Text."""
        palette = self.palette()
        self.plots.setBackground(palette.color(QtGui.QPalette.ColorRole.Base))
        text = palette.color(QtGui.QPalette.ColorRole.Text)
        for plot in (self.loss_plot, self.grad_plot):
            for side in ("left", "bottom"):
                plot.getAxis(side).setPen(text)
                plot.getAxis(side).setTextPen(text)
        self.legend.setLabelTextColor(text)
        base = palette.color(QtGui.QPalette.ColorRole.Base)
        base.setAlpha(210)  # the legend over the curves stays readable
        self.legend.setBrush(base)

    def changeEvent(self, event):  # noqa: N802
        if event.type() in (QtCore.QEvent.Type.PaletteChange, QtCore.QEvent.Type.StyleChange):
            self._apply_palette()
        super().changeEvent(event)

    # ------------------------------------------------------------ picking a run
    def pick(self, number: int) -> str:
        """Show run ``number``'s numbers below the plots (a line per series); returns the
        text."""
        run = next((r for r in self.model.runs if r.number == number), None)
        if run is None:
            return ""
        self.picked = number
        for mark in self.marks:
            mark.setValue(number)
            mark.show()
        loss = "loss —" if run.loss is None else f"loss {run.loss:.6g}"
        lines = [f"run {number}   {loss}"]
        for kind, (_, title, fmt) in SERIES.items():
            values = run_values(run, kind)
            if not values:
                continue
            if kind in ("grad_norms", "ratios"):
                values = {leaf_name(self.model, k): v for k, v in values.items()}
            if kind == "dead":
                title = "dead units"
            lines.append(f"{title}  " + "   ".join(f"{k} {fmt.format(v)}"
                                                   for k, v in values.items()))
        self.details_text = text = "\n".join(lines)
        self.details.setHtml(self._details_html(run, number, loss))
        self.details.show()
        self.runPicked.emit(number)
        return text

    def _details_html(self, run, number, loss) -> str:
        """The picked run as a table: a row per leaf (‖grad‖, ‖grad‖ / ‖value‖), then the
        dead units and the edges."""
        esc = html.escape
        rows = "".join(
            f"<tr><td>{esc(leaf_name(self.model, nid))}</td><td align=right>{norm:.4g}</td>"
            f"<td align=right>{run.ratios.get(nid, float('nan')):.4g}</td></tr>"
            for nid, norm in run.grad_norms.items())
        parts = [f"<b>run {number}</b> &nbsp; {esc(loss)}"]
        if rows:
            parts.append("<table cellspacing=0 cellpadding=1><tr><th align=left>leaf</th>"
                         "<th align=right>&nbsp;‖grad‖</th><th align=right>&nbsp;‖grad‖ / "
                         f"‖value‖</th></tr>{rows}</table>")
        if run.dead:
            parts.append("dead units: " + ", ".join(
                f"{esc(k)} {100 * v:.1f}%" for k, v in run.dead.items()))
        if run.vanishing is not None:
            parts.append(f"edges: {run.vanishing} vanishing, {run.exploding} exploding")
        return "<br>".join(parts)

    def _on_click(self, event) -> None:
        pos = event.scenePos()
        for plot in (self.loss_plot, self.grad_plot):
            if plot.vb.sceneBoundingRect().contains(pos) and self._x:
                x = plot.vb.mapSceneToView(pos).x()
                xs = np.array(self._x)
                self.pick(int(xs[np.abs(xs - x).argmin()]))
                return

    def sizeHint(self):  # noqa: N802
        return QtCore.QSize(380, 420)
