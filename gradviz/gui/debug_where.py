"""Where a node came from, one click away: its statement in the console's output, or its
``file:line`` in a read-only source view.

The inspector's "created at" is a link (``statement:N`` or ``file:LINE:PATH``, made by
``inspector.debug_fields``); the window sends a click on it here:

    show_statement(window, 4)        # the console scrolls to ">>> c = b.log()", marked
    show_file(window, "train.py", 12)   # a source view opens at line 12, marked

A statement typed several times (a training step) is found by counting from the end: the
k-th last echo of its text, k being how many statements from N on had that text.
"""

from __future__ import annotations

import linecache
import os

from PySide6 import QtCore, QtGui, QtWidgets

MARK = {False: "#fff3bf", True: "#5c4a00"}  # the marked line's background: light, dark theme


def _dark(widget) -> bool:
    return widget.palette().color(QtGui.QPalette.ColorRole.Base).lightness() < 128


def _marked(widget, cursor) -> QtWidgets.QTextEdit.ExtraSelection:
    selection = QtWidgets.QTextEdit.ExtraSelection()
    selection.format.setBackground(QtGui.QColor(MARK[_dark(widget)]))
    selection.format.setProperty(QtGui.QTextFormat.Property.FullWidthSelection, True)
    selection.cursor = cursor
    return selection


def statement_block(output, prompt: str, texts: dict, number: int):
    """The block of ``output``'s document echoing statement ``number`` (None: gone)."""
    source = texts.get(number, "").strip()
    if not source:
        return None
    first = source.splitlines()[0]
    later = sum(1 for n, text in texts.items()
                if n >= number and text.strip().splitlines()[:1] == [first])
    echo = prompt + first
    block = output.document().lastBlock()
    while block.isValid():
        if block.text() == echo:
            later -= 1
            if not later:
                return block
        block = block.previous()
    return None


def show_statement(window, number: int) -> bool:
    """Scroll the console's output to statement ``number`` and mark it; False when it is no
    longer there (the statement is put in the input line instead)."""
    console = window.console
    texts = window.model.provenance.texts
    repl = getattr(console, "repl", None)  # the IPython console has no plain-text output
    block = None if repl is None else statement_block(repl.output, repl._thread.ps1, texts,
                                                      number)
    window.console_dock.show()
    window.console_dock.raise_()
    if block is None:
        source = texts.get(number, "").strip()
        console.set_input(source.splitlines()[0] if source else "")
        window.status(f"statement {number} is no longer in the console's output: it is in "
                      "the input line")
        return False
    output = repl.output
    cursor = QtGui.QTextCursor(block)
    output.setExtraSelections([_marked(output, cursor)])
    top = output.document().documentLayout().blockBoundingRect(block).top()
    bar = output.verticalScrollBar()
    bar.setSliderPosition(int(top) - output.viewport().height() // 3)
    bar.triggerAction(QtWidgets.QAbstractSlider.SliderAction.SliderMove)  # as a user's
    window.status(f"statement {number} is marked in the console")
    return True


class SourceView(QtWidgets.QWidget):
    """A file, read-only, scrolled to a line and that line marked; "Open in editor" hands
    it to the desktop's editor."""

    def __init__(self, parent=None):
        super().__init__(parent, QtCore.Qt.WindowType.Window)
        self.resize(760, 560)
        layout = QtWidgets.QVBoxLayout(self)
        top = QtWidgets.QHBoxLayout()
        self.where = QtWidgets.QLabel()
        self.where.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(self.where, 1)
        self.open_button = QtWidgets.QPushButton("Open in editor")
        self.open_button.setToolTip("open the file in the desktop's editor for this file type")
        self.open_button.clicked.connect(self.open_in_editor)
        top.addWidget(self.open_button)
        layout.addLayout(top)
        self.text = QtWidgets.QPlainTextEdit(readOnly=True)
        self.text.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        layout.addWidget(self.text, 1)
        self.path, self.line = None, None

    def show_line(self, path: str, line: int) -> bool:
        """Show ``path`` at ``line`` (1-based); False when its source cannot be read."""
        lines = linecache.getlines(path)
        self.path, self.line = path, line
        self.setWindowTitle(f"{os.path.basename(path)}:{line} — gradviz")
        if not lines:
            self.where.setText(f"{path}, line {line}: its source can no longer be read")
            self.text.setPlainText("")
            self.open_button.setEnabled(False)
            return False
        self.open_button.setEnabled(os.path.isfile(path))
        width = len(str(len(lines)))
        self.text.setPlainText("".join(f"{k:>{width}}  {text}"
                                       for k, text in enumerate(lines, 1)).rstrip("\n"))
        block = self.text.document().findBlockByNumber(max(0, line - 1))
        cursor = QtGui.QTextCursor(block)
        self.text.setTextCursor(cursor)
        self.text.setExtraSelections([_marked(self.text, cursor)])
        self.text.centerCursor()
        self.where.setText(f"{path}, line {line}")
        return True

    def marked_line(self) -> str:
        """The text of the marked line (without its number)."""
        selections = self.text.extraSelections()
        if not selections:
            return ""
        return selections[0].cursor.block().text().split("  ", 1)[-1]

    def open_in_editor(self) -> None:
        if self.path:
            QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(self.path))


def show_file(window, path: str, line: int) -> SourceView:
    """Open (or reuse) the window's source view at ``path``:``line``."""
    view = getattr(window, "source_view", None)
    if view is None:
        view = window.source_view = SourceView(window)
    found = view.show_line(path, line)
    view.show()
    view.raise_()
    window.status(f"{path}, line {line}" if found else
                  f"{path}: its source can no longer be read")
    return view
