"""How the console's output reads: tracebacks from the user's code only, command lines in
the theme's colours, and a view that keeps following new output.

    user_traceback(exc)            # no pyqtgraph runner, no codeop frames
    'Traceback (most recent call last):\\n  File "<input>", line 1, in <module>\\n...'
    follow_output(console.repl)    # new output scrolls into view unless scrolled up
    carriage_returns(console.repl) # "\r" rewrites the line, as a terminal (progress bars)
    restyle_commands(console.repl) # after a theme change

pyqtgraph's REPL prints ``traceback.format_exc()`` (its own ``runCmd`` and ``codeop``
frames included, and a trailing indent that puts the next prompt inside the traceback),
colours command lines once for the theme it started in, and follows output only while
the scroll bar's value equals its maximum, which a lazily laid-out document breaks.
"""

from __future__ import annotations

import os
import sys
import traceback

from PySide6 import QtGui

_RUNNERS = (os.sep + os.path.join("pyqtgraph", "console") + os.sep, os.sep + "codeop.py",
            os.sep + os.path.join("gradviz", "gui") + os.sep)
COMMAND_BACKGROUND = {False: "#ccccff", True: "#2c3350"}  # light, dark


def _is_runner(filename: str) -> bool:
    return any(part in filename for part in _RUNNERS)


def user_traceback(exc: BaseException) -> str:
    """``exc``'s traceback from the first frame of the user's code on (a SyntaxError: only
    the offending line, as Python's own REPL shows it)."""
    if isinstance(exc, SyntaxError):
        return "".join(traceback.format_exception_only(type(exc), exc))
    tb = exc.__traceback__
    while tb is not None and _is_runner(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def show_user_tracebacks(repl) -> None:
    """Make ``repl`` print ``user_traceback``, indented, ending with a newline."""
    thread = repl._thread

    def display_exception():
        text = user_traceback(sys.exc_info()[1])
        thread.write("".join("    " + line for line in text.splitlines(True)))

    thread.displayException = display_exception


def follow_output(repl) -> None:
    """New output scrolls ``repl`` to the bottom unless the user scrolled up to read; the
    scroll bar's own position (which lags behind a lazily laid-out document) is not asked."""
    output, thread = repl.output, repl._thread
    bar = output.verticalScrollBar()
    state = {"following": True}

    def on_user_scroll(_action):  # wheel, drag, keys, clicks: never a program's setValue
        state["following"] = bar.sliderPosition() >= bar.maximum() - 4

    def on_range(_lo, hi):
        if state["following"]:
            bar.setValue(hi)

    bar.actionTriggered.connect(on_user_scroll)
    bar.rangeChanged.connect(on_range)
    write = repl.write

    def write_following(text, style="output", scrollToBottom="auto"):  # noqa: N803
        write(text, style, state["following"] if scrollToBottom == "auto" else scrollToBottom)

    thread.sigInputGenerated.disconnect(repl.write)
    repl.write = write_following
    thread.sigInputGenerated.connect(write_following)
    repl.is_following = lambda: state["following"]


def carriage_returns(repl) -> None:
    """Output with ``"\r"`` rewrites its line, as in a terminal: a progress bar
    (``print(f"\\rstep {i}", end="")``, tqdm) stays one line instead of one line a step.
    What follows a ``"\r"`` replaces the line once it comes (a line that ends with
    ``"\r"`` stays shown, and ``"\r\n"`` keeps it)."""
    output, thread = repl.output, repl._thread
    write = repl.write
    state = {"pending": False}  # a "\r" came last: the next text starts the line again

    def clear_line():
        cursor = output.textCursor()
        cursor.movePosition(QtGui.QTextCursor.MoveOperation.End)
        cursor.movePosition(QtGui.QTextCursor.MoveOperation.StartOfBlock,
                            QtGui.QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()

    def write_terminal(text, style="output", scrollToBottom="auto"):  # noqa: N803
        if style != "output" or ("\r" not in text and not state["pending"]):
            state["pending"] = state["pending"] and style == "output"  # (a prompt: a new line)
            write(text, style, scrollToBottom)
            return
        parts = text.replace("\r\n", "\n").split("\r")
        for i, part in enumerate(parts):
            if i and not part and i == len(parts) - 1:
                state["pending"] = True  # the line stays until something replaces it
                break
            if (i or state["pending"]) and part and not part.startswith("\n"):
                clear_line()
            state["pending"] = False
            if part:
                write(part, style, scrollToBottom)

    thread.sigInputGenerated.disconnect(repl.write)
    repl.write = write_terminal
    thread.sigInputGenerated.connect(write_terminal)


def restyle_commands(repl, dark: bool) -> None:
    """Command lines (``>>> ...``) in the theme's colours, those already printed too."""
    block_format = repl.textStyles["command"][1]
    old = block_format.background().color()
    new = QtGui.QColor(COMMAND_BACKGROUND[dark])
    if old == new:
        return
    block_format.setBackground(new)
    cursor = QtGui.QTextCursor(repl.output.document())
    block = repl.output.document().begin()
    while block.isValid():
        if block.blockFormat().background().color() == old:
            cursor.setPosition(block.position())
            fmt = block.blockFormat()
            fmt.setBackground(new)
            cursor.setBlockFormat(fmt)
        block = block.next()


def is_dark(widget) -> bool:
    return widget.palette().color(QtGui.QPalette.ColorRole.Base).lightness() < 128
