"""One layer for every node's text, painted only where it is visible.

A ``pg.TextItem`` per node costs seconds to build and hundreds of milliseconds a frame
at 5,000 nodes (DESIGN.md); here each node's lines are laid out once as ``QStaticText``
and only the labels inside the exposed rectangle are painted.

    layer = LabelLayer()
    layer.set(7, ["MulBackward0"], "(3,)")
    layer.paint(painter, [(7, 120.0, 48.0, False)], theme)
"""

from __future__ import annotations

import re

from PySide6 import QtCore, QtGui

TITLE_PT = 9.0
SUBTITLE_PT = 7.5


def fonts() -> tuple[QtGui.QFont, QtGui.QFont]:
    """The title font (node names) and the subtitle font (shapes)."""
    title = QtGui.QFont("DejaVu Sans")
    title.setPointSizeF(TITLE_PT)
    title.setStyleHint(QtGui.QFont.StyleHint.SansSerif)
    sub = QtGui.QFont("DejaVu Sans Mono")
    sub.setPointSizeF(SUBTITLE_PT)
    sub.setStyleHint(QtGui.QFont.StyleHint.Monospace)
    return title, sub


def wrap_name(name: str, metrics: QtGui.QFontMetricsF, max_width: float) -> list[str]:
    """Split a torch class name at its words when it is wider than ``max_width``.

    wrap_name("BinaryCrossEntropyWithLogitsBackward0", metrics, 150)
    ['BinaryCrossEntropy', 'WithLogitsBackward0']
    """
    if metrics.horizontalAdvance(name) <= max_width:
        return [name]
    words = re.findall(r"[A-Z]?[a-z]+\d*|[A-Z]+(?![a-z])\d*|\d+|\W+|_", name) or [name]
    lines, line = [], ""
    for word in words:
        if line and metrics.horizontalAdvance(line + word) > max_width:
            lines.append(line)
            line = word
        else:
            line += word
    lines.append(line)
    if len(lines) > 2:  # keep boxes two lines high: balance into two halves
        half = len(name) // 2
        cut = min((abs(i - half), i) for i in _word_starts(words))[1]
        lines = [name[:cut], name[cut:]]
    return lines


def _word_starts(words):
    pos, out = 0, []
    for w in words[:-1]:
        pos += len(w)
        out.append(pos)
    return out or [len("".join(words))]


class LabelLayer:
    """Cached ``QStaticText`` per node: a bold title (one or two lines) and a shape line."""

    def __init__(self):
        self.title_font, self.sub_font = fonts()
        self.title_metrics = QtGui.QFontMetricsF(self.title_font)
        self.sub_metrics = QtGui.QFontMetricsF(self.sub_font)
        self._labels: dict[int, tuple] = {}

    def clear(self) -> None:
        self._labels.clear()

    def discard(self, nid: int) -> None:
        self._labels.pop(nid, None)

    def set(self, nid: int, title: list[str], subtitle: str, bold: bool = False) -> tuple:
        """Lay out node ``nid``'s text; returns the text block's (width, height)."""
        key = (tuple(title), subtitle, bold)
        old = self._labels.get(nid)
        if old is not None and old[0] == key:
            return old[5]
        font = QtGui.QFont(self.title_font)
        font.setBold(bold)
        metrics = QtGui.QFontMetricsF(font)
        lines = [(_static(t), metrics.horizontalAdvance(t)) for t in title]
        line_h = metrics.height()
        sub = None
        if subtitle:
            sub = (_static(subtitle), self.sub_metrics.horizontalAdvance(subtitle))
        tw = max(w for _, w in lines)
        sw = sub[1] if sub else 0.0
        sh = self.sub_metrics.height() if sub else 0.0
        size = (max(tw, sw), line_h * len(lines) + sh)
        self._labels[nid] = (key, lines, line_h, font, sub, size)
        return size

    def size(self, nid: int) -> tuple:
        return self._labels[nid][5]

    def text(self, nid: int) -> tuple[list[str], str]:
        """Node ``nid``'s text as laid out: its title lines and its subtitle."""
        title, subtitle, _ = self._labels[nid][0]
        return list(title), subtitle

    def paint(self, painter: QtGui.QPainter, visible, theme) -> None:
        """Paint the labels of ``visible``: ``(nid, centre_x, centre_y, faded)`` tuples."""
        text, muted = QtGui.QColor(theme.text), QtGui.QColor(theme.muted)
        current_font = None
        for nid, cx, cy, faded in visible:
            entry = self._labels.get(nid)
            if entry is None:
                continue
            _, lines, line_h, font, sub, (_, h) = entry
            if faded:
                painter.setOpacity(0.4)
            y = cy - h / 2
            if font is not current_font:
                painter.setFont(font)
                current_font = font
            painter.setPen(text)
            for st, w in lines:
                painter.drawStaticText(QtCore.QPointF(cx - w / 2, y), st)
                y += line_h
            if sub is not None:
                painter.setFont(self.sub_font)
                current_font = self.sub_font
                painter.setPen(muted)
                painter.drawStaticText(QtCore.QPointF(cx - sub[1] / 2, y), sub[0])
            if faded:
                painter.setOpacity(1.0)


def _static(text: str) -> QtGui.QStaticText:
    st = QtGui.QStaticText(text)
    st.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    st.setPerformanceHint(QtGui.QStaticText.PerformanceHint.AggressiveCaching)
    return st
