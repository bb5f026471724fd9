"""The console's output as a learner reads it: their own frames in tracebacks, the next
prompt on its own line, command lines in the theme's colours, output followed."""

from PySide6 import QtGui, QtWidgets

from gradviz.gui.console_output import COMMAND_BACKGROUND
from tests.gui.conftest import console_text, type_in


def test_tracebacks_show_only_the_users_frames(blank):
    type_in(blank, "def boom():", "    raise ValueError('inner')", "", "boom()")
    text = console_text(blank)
    assert "ValueError: inner" in text and 'File "<console>"' in text and "in boom" in text
    for internal in ("repl_widget.py", "codeop", "gradviz/gui"):
        assert internal not in text, internal


def test_a_syntax_error_leaves_the_next_prompt_on_its_own_line(blank):
    type_in(blank, "x = = 1")
    text = console_text(blank)
    assert "SyntaxError" in text and "codeop" not in text and "repl_widget" not in text
    type_in(blank, "y = 2")
    assert "\n>>> y = 2\n" in console_text(blank), "the prompt starts a line"
    assert blank.session.namespace["y"] == 2


def command_background(window) -> str:
    doc = window.console.repl.output.document()
    block = doc.begin()
    while block.isValid():
        if block.text().startswith(">>> "):
            return block.blockFormat().background().color().name()
        block = block.next()
    raise AssertionError("no command line")


def test_command_lines_follow_the_theme(blank):
    type_in(blank, "a = 1")
    assert command_background(blank) == COMMAND_BACKGROUND[False]
    blank.set_theme("dark")
    QtWidgets.QApplication.processEvents()
    assert command_background(blank) == COMMAND_BACKGROUND[True], "printed lines recoloured"
    text = blank.console.repl.output.palette().color(QtGui.QPalette.ColorRole.Text)
    assert text.lightness() > 150, "light text on the dark command background"
    type_in(blank, "b = 2")
    assert blank.console.repl.textStyles["command"][1].background().color().name() \
        == COMMAND_BACKGROUND[True]
    blank.set_theme("light")
    QtWidgets.QApplication.processEvents()
    assert command_background(blank) == COMMAND_BACKGROUND[False]


def test_the_console_keeps_following_output(app, qtbot):
    bar = app.console.repl.output.verticalScrollBar()
    bar.setValue(bar.maximum() - 40)  # a lagging layout leaves the bar short of the end
    app.lessons.start_over()
    app.actions["lesson_next"].trigger()  # F8
    app.actions["lesson_next"].trigger()
    qtbot.waitUntil(lambda: bar.value() == bar.maximum() > 0)
    bar.triggerAction(bar.SliderAction.SliderPageStepSub)  # the user scrolls up to read
    kept = bar.value()
    type_in(app, "print('more')")
    assert bar.value() == kept < bar.maximum(), "reading is not interrupted"
    bar.triggerAction(bar.SliderAction.SliderToMaximum)  # back at the end: follow again
    type_in(app, "print('and more')")
    assert bar.value() == bar.maximum()


def test_no_developer_exceptions_panel(app):
    assert app.console.exceptionBtn.isHidden()
    buttons = [b.text() for b in app.console.findChildren(QtWidgets.QPushButton)
               if b.isVisible()]
    assert "Exceptions.." not in buttons


def test_output_keeps_a_bounded_scrollback_without_undo(blank, monkeypatch):
    """A long loop typed line by line: the output drops its oldest lines past the
    scrollback and keeps no undo history, so memory stays flat."""
    output = blank.console.repl.output
    assert not output.isUndoRedoEnabled()
    output.document().setMaximumBlockCount(50)
    for i in range(60):
        blank.console.write(f"print({i})\n", "command")
        blank.console.write(f"line {i}\n")
    text = output.toPlainText()
    assert "line 59" in text and "line 10\n" not in text
    assert output.document().blockCount() <= 50


def test_a_carriage_return_rewrites_the_line_as_a_terminal(blank):
    type_in(blank, 'for i in range(50): print(f"\\rstep {i}", end="", flush=True)', "",
            'print(" done")')
    text = console_text(blank)
    assert "step 49 done\n" in text or "step 49\n" in text
    assert "step 48" not in text and "step 0" not in text  # one line, not fifty
    # a line ending in "\r" stays shown until something replaces it
    type_in(blank, 'for i in range(3): print(f"epoch {i}", end="\\r")', "")
    text = console_text(blank)
    assert "epoch 2" in text and "epoch 1" not in text
    type_in(blank, 'print("kept\\r\\nnext")', 'print("12345\\rab")')
    text = console_text(blank)
    assert "kept\nnext\n" in text  # "\r\n" is a newline
    assert "\nab\n" in text and "12345" not in text.split(">>> print(\"12345")[-1]
