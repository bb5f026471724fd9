"""The tutorial panel: PyTorch's autograd tutorial as sections of text and runnable cells.

    panel = LessonsPanel(console, start_over=app.clear)
    panel.section_titles[1]
    'Tensors, Functions and Computational Graph'
    panel.run_cell(2)            # In [6]: runs in the console, as if typed
    panel.run_up_to(4)           # start over, run cells 0..4 (up to In [8])

The lessons come from ``resources/lessons/autograd_tutorial.json`` (written once from
the tutorial's text by ``scripts/make_lessons.py``). A cell runs in the console through
``Console.run_source(echo=True)``: its lines appear with prompts, its output and graph as
if typed, its error as a traceback; the panel marks each cell ran or failed.
"""

from __future__ import annotations

import ast
import json
import re
from importlib import resources

from PySide6 import QtCore, QtGui, QtWidgets

LESSONS = ("lessons", "autograd_tutorial.json")
KEYWORDS = r"\b(import|as|with|for|in|if|else|elif|def|return|from|lambda|not|and|or|None|" \
           r"True|False)\b"


def load_lessons(path=None) -> dict:
    """The lesson file (default: the shipped autograd tutorial) as a dict."""
    if path is None:
        text = resources.files("gradviz.resources").joinpath(*LESSONS).read_text("utf-8")
    else:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    return json.loads(text)


def assigned_names(code: str) -> set[str]:
    """The variables a cell assigns (``x = ...``, ``z_det = z.detach()``); imports excluded."""
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


class PythonHighlighter(QtGui.QSyntaxHighlighter):
    """Keywords, strings, numbers and comments of a code cell, in the theme's contrast."""

    def __init__(self, document, dark: bool):
        super().__init__(document)
        self.set_dark(dark)

    def set_dark(self, dark: bool) -> None:
        colors = ({"kw": "#c792ea", "str": "#a5d6a7", "num": "#ffb86c", "com": "#8b949e"}
                  if dark else
                  {"kw": "#8250df", "str": "#1a7f37", "num": "#b35900", "com": "#6a737d"})
        self.dark = dark
        self.rules = []
        for pattern, key, bold in ((KEYWORDS, "kw", True), (r"\b\d+\.?\d*\b", "num", False),
                                   (r"[fr]?\"[^\"]*\"|[fr]?'[^']*'", "str", False),
                                   (r"#.*$", "com", False)):
            fmt = QtGui.QTextCharFormat()
            fmt.setForeground(QtGui.QColor(colors[key]))
            if bold:
                fmt.setFontWeight(QtGui.QFont.Weight.DemiBold)
            self.rules.append((re.compile(pattern), fmt))
        self.rehighlight()

    def highlightBlock(self, text):  # noqa: N802
        for pattern, fmt in self.rules:
            for m in pattern.finditer(text):
                self.setFormat(m.start(), m.end() - m.start(), fmt)


class _FitText(QtWidgets.QTextEdit):
    """Read-only monospace text that wraps anywhere and is exactly as tall as its text."""

    def __init__(self, text: str, object_name: str):
        super().__init__()
        self.setObjectName(object_name)
        self.setReadOnly(True)
        self.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        font = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(8.5)
        self.setFont(font)
        self.setWordWrapMode(QtGui.QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setVerticalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setPlainText(text)
        self.document().setDocumentMargin(6)
        self.document().documentLayout().documentSizeChanged.connect(self._fit)
        self._fit(self.document().size())

    def _fit(self, size) -> None:
        self.setFixedHeight(int(size.height()) + 2)

    def wheelEvent(self, event):  # noqa: N802  (the panel scrolls, not the cell)
        event.ignore()


class CellView(QtWidgets.QFrame):
    """One code cell: its label, code, Run buttons, state, note and PyTorch's output."""

    def __init__(self, index: int, block: dict, dark: bool):
        super().__init__()
        self.index, self.label, self.code = index, block["label"], block["code"]
        self.expected = block.get("output", "")
        self.setObjectName("lesson_cell")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.setSpacing(4)
        head = QtWidgets.QHBoxLayout()
        name = QtWidgets.QLabel(self.label)
        name.setObjectName("lesson_cell_label")
        self.state = QtWidgets.QLabel()
        self.state.setObjectName("lesson_cell_state")
        self.run_button = QtWidgets.QPushButton("Run")
        self.run_button.setToolTip("run this cell in the console")
        self.upto_button = QtWidgets.QPushButton("Run all up to here")
        self.upto_button.setToolTip("clear the graph, then run every cell from the top "
                                    "down to this one")
        head.addWidget(name)
        head.addWidget(self.state)
        head.addStretch(1)
        head.addWidget(self.upto_button)
        head.addWidget(self.run_button)
        layout.addLayout(head)
        self.view = _FitText(self.code, "lesson_code")
        self.highlighter = PythonHighlighter(self.view.document(), dark)
        layout.addWidget(self.view)
        self.note = None
        if block.get("note"):
            self.note = _markdown(block["note"], "lesson_note")
            layout.addWidget(self.note)
        self.output_toggle = self.output = None
        if self.expected:
            self.output_toggle = QtWidgets.QToolButton()
            self.output_toggle.setObjectName("lesson_output_toggle")
            self.output_toggle.setText("What PyTorch printed")
            self.output_toggle.setCheckable(True)
            self.output_toggle.setToolButtonStyle(
                QtCore.Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            self.output_toggle.setArrowType(QtCore.Qt.ArrowType.RightArrow)
            self.output_toggle.setAutoRaise(True)
            self.output = _FitText(self.expected, "lesson_output")
            self.output.hide()
            self.output_toggle.toggled.connect(self._show_output)
            layout.addWidget(self.output_toggle)
            layout.addWidget(self.output)

    def _show_output(self, on: bool) -> None:
        self.output.setVisible(on)
        self.output_toggle.setArrowType(QtCore.Qt.ArrowType.DownArrow if on
                                        else QtCore.Qt.ArrowType.RightArrow)

    def set_state(self, error) -> None:
        """Mark the cell as run (``error`` None) or failed with ``error``; "" clears."""
        if error == "":
            self.state.setText("")
        elif error is None:
            self.state.setText("<span style='color:#2f9e44'>✓ ran</span>")
        else:
            self.state.setText(f"<span style='color:#e03131'>✗ {type(error).__name__}</span>")
        self.state.setToolTip("" if error in ("", None) else f"{type(error).__name__}: {error}")


def _markdown(text: str, object_name: str) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel()
    label.setObjectName(object_name)
    label.setTextFormat(QtCore.Qt.TextFormat.MarkdownText)
    label.setText(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class LessonsPanel(QtWidgets.QScrollArea):
    """The tutorial, readable top to bottom; each code cell runs in ``console``."""

    cellRun = QtCore.Signal(int, object)  # cell index, the exception it raised or None

    def __init__(self, console, lessons: dict | None = None, start_over=None, parent=None):
        super().__init__(parent)
        self.setObjectName("lessons")
        self.console = console
        self.lessons = lessons if lessons is not None else load_lessons()
        self._start_over = start_over
        self.cells: list[CellView] = []
        self.section_titles: list[str] = []
        self.next_cell = 0  # what "Run next cell" runs
        dark = self.palette().color(QtGui.QPalette.ColorRole.Base).lightness() < 128
        body = QtWidgets.QWidget()
        body.setObjectName("lessons_body")
        layout = QtWidgets.QVBoxLayout(body)
        layout.setContentsMargins(10, 8, 10, 12)
        layout.setSpacing(8)
        layout.addWidget(self._header())
        for section in self.lessons["sections"]:
            self.section_titles.append(section["title"])
            title = QtWidgets.QLabel(section["title"].replace("`", ""))
            title.setObjectName("lesson_section")
            title.setWordWrap(True)
            layout.addWidget(title)
            for block in section["blocks"]:
                if block["kind"] == "code":
                    cell = CellView(len(self.cells), block, dark)
                    cell.run_button.clicked.connect(lambda _=False, i=cell.index: self.run_cell(i))
                    cell.upto_button.clicked.connect(
                        lambda _=False, i=cell.index: self.run_up_to(i))
                    self.cells.append(cell)
                    layout.addWidget(cell)
                else:
                    layout.addWidget(_markdown(block["text"], f"lesson_{block['kind']}"))
        layout.addStretch(1)
        self.setWidget(body)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._update_progress()

    def _header(self) -> QtWidgets.QWidget:
        box = QtWidgets.QFrame()
        box.setObjectName("lessons_header")
        layout = QtWidgets.QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 4)
        intro = _markdown("PyTorch's autograd tutorial, run on gradviz. **Run** a cell: its "
                          "output appears in the console and its graph in the view. gradviz "
                          "opened with the whole tutorial already run; **Start over** clears "
                          "the graph to watch it grow cell by cell.", "lessons_intro")
        layout.addWidget(intro)
        row = QtWidgets.QHBoxLayout()
        self.start_button = QtWidgets.QPushButton("Start over")
        self.start_button.setToolTip("forget the tutorial's variables (x, w, b, loss, ...), "
                                     "clear the graph and start from the first cell")
        self.start_button.clicked.connect(self.start_over)
        self.next_button = QtWidgets.QPushButton("Run next cell")
        self.next_button.setToolTip("run the cell after the last one run (F8)")
        self.next_button.clicked.connect(self.run_next)
        self.progress = QtWidgets.QLabel()
        self.progress.setObjectName("lessons_progress")
        row.addWidget(self.start_button)
        row.addWidget(self.next_button)
        row.addStretch(1)
        row.addWidget(self.progress)
        layout.addLayout(row)
        return box

    # ------------------------------------------------------------ running
    def run_cell(self, i: int):
        """Run cell ``i`` in the console (as if typed); returns its exception or None."""
        cell = self.cells[i]
        error = self.console.run_source(cell.code, cell.label, echo=True)
        if isinstance(error, NameError):
            self.console.write("# This cell uses a variable an earlier cell defines: "
                               "press \"Run all up to here\".\n")
        cell.set_state(error)
        self.next_cell = i + 1
        self._update_progress()
        self.ensure_visible(i)
        self.cellRun.emit(i, error)
        return error

    def run_up_to(self, i: int):
        """Start over, then run cells 0..i, stopping at an error; returns it or None."""
        self.start_over()
        for k in range(i + 1):
            error = self.run_cell(k)
            if error is not None:
                return error
        return None

    def run_next(self):
        """Run the cell after the last one run; None when every cell ran."""
        if self.next_cell >= len(self.cells):
            return None
        return self.run_cell(self.next_cell)

    def start_over(self) -> None:
        """Forget the variables the cells assign, clear the graph, mark every cell not run.

        (The model shows every output a console variable holds, so the tutorial's ``loss``
        and ``out`` would come back with the next statement if they stayed defined.)"""
        for cell in self.cells:
            for name in assigned_names(cell.code):
                self.console.namespace.pop(name, None)
        if self._start_over is not None:
            self._start_over()
        for cell in self.cells:
            cell.set_state("")
        self.next_cell = 0
        self._update_progress()
        self.verticalScrollBar().setValue(0)

    def ensure_visible(self, i: int) -> None:
        self.ensureWidgetVisible(self.cells[i], 0, 40)

    def changeEvent(self, event):  # noqa: N802  (the theme changed: recolour the code)
        if event.type() == QtCore.QEvent.Type.PaletteChange:
            dark = self.palette().color(QtGui.QPalette.ColorRole.Base).lightness() < 128
            for cell in self.cells:
                if cell.highlighter.dark != dark:
                    cell.highlighter.set_dark(dark)
        super().changeEvent(event)

    def _update_progress(self) -> None:
        n = len(self.cells)
        self.progress.setText(f"next: {self.cells[self.next_cell].label}"
                              if self.next_cell < n else "all cells ran")
        self.next_button.setEnabled(self.next_cell < n)
