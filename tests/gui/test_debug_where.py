"""A click on where a node came from: its statement marked in the console's output, or its
file opened at that line in the source view (and from there in the desktop's editor)."""

from __future__ import annotations

import linecache

from PySide6 import QtCore, QtGui

from tests.gui.conftest import type_in


def click_created_at(window, qtbot, nid):
    window.view.select(nid)
    window.inspector_dock.raise_()
    label = window.inspector.function_view.fields["created at"]
    qtbot.waitExposed(label)
    clicked = []
    label.linkActivated.connect(clicked.append)
    qtbot.mouseClick(label, QtCore.Qt.MouseButton.LeftButton,
                     pos=QtCore.QPoint(6, label.height() // 2))
    assert clicked, f"the click missed the link {label.text()!r}"
    return label


def marked_blocks(edit):
    return [s.cursor.block() for s in edit.extraSelections()]


def test_a_click_marks_that_statement_among_its_repeats_in_the_console(blank, qtbot):
    type_in(blank, "x = torch.ones(2, requires_grad=True)", "ws = []",
            *["ws.append(x * 3)"] * 3, "y = x.exp()")
    second = blank.model.node_of(blank.session.namespace["ws"][1].grad_fn)
    label = click_created_at(blank, qtbot, second)
    assert ">statement 4: ws.append(x * 3)</a>" in label.text()
    output = blank.console.repl.output
    echoes = []
    block = output.document().begin()
    while block.isValid():
        if block.text() == ">>> ws.append(x * 3)":
            echoes.append(block.blockNumber())
        block = block.next()
    assert len(echoes) == 3
    assert [b.blockNumber() for b in marked_blocks(output)] == [echoes[1]]  # the 2nd of 3
    bar = output.verticalScrollBar()
    top = output.document().documentLayout().blockBoundingRect(marked_blocks(output)[0]).top()
    assert bar.value() <= top <= bar.value() + output.viewport().height()  # on screen
    assert "statement 4" in blank.message.text()
    assert blank.console.input.text() == ""  # what the user was typing is left alone
    type_in(blank, "z = y * 2")  # later output does not move the mark
    assert [b.blockNumber() for b in marked_blocks(output)] == [echoes[1]]


def test_a_click_on_a_file_line_opens_the_source_view_there(blank, qtbot, tmp_path,
                                                            monkeypatch):
    script = tmp_path / "train.py"
    body = [f"# line {k}" for k in range(1, 41)]
    body[29] = "y = (x * 2).log()  # line 32 of the file"
    script.write_text("import gradviz as torch\nx = torch.ones(3, requires_grad=True)\n"
                      + "\n".join(body) + "\n")
    type_in(blank, f"import runpy; made = runpy.run_path({str(script)!r})")
    log = blank.model.node_of(blank.session.namespace["made"]["y"].grad_fn)
    label = click_created_at(blank, qtbot, log)
    assert ">train.py:32</a>" in label.text()
    view = blank.source_view
    qtbot.waitExposed(view)
    assert view.isVisible() and view.text.isReadOnly()
    assert view.marked_line() == "y = (x * 2).log()  # line 32 of the file"
    cursor_rect = view.text.cursorRect()
    assert view.text.viewport().rect().contains(cursor_rect.center())  # scrolled to it
    assert str(script) in view.where.text() and "line 32" in view.where.text()
    opened = []
    monkeypatch.setattr(QtGui.QDesktopServices, "openUrl", opened.append)
    qtbot.mouseClick(view.open_button, QtCore.Qt.MouseButton.LeftButton)
    assert [url.toLocalFile() for url in opened] == [str(script)]


def test_a_file_that_is_gone_says_so(blank, qtbot, tmp_path):
    script = tmp_path / "gone.py"
    script.write_text("import gradviz as torch\ny = torch.ones(2, requires_grad=True) * 2\n")
    type_in(blank, f"import runpy; made = runpy.run_path({str(script)!r})")
    script.unlink()
    linecache.checkcache(str(script))
    mul = blank.model.node_of(blank.session.namespace["made"]["y"].grad_fn)
    click_created_at(blank, qtbot, mul)
    assert "can no longer be read" in blank.source_view.where.text()
    assert not blank.source_view.open_button.isEnabled()
    assert "can no longer be read" in blank.message.text()


def test_after_loading_a_session_the_link_and_the_history_numbers_still_work(blank, qtbot,
                                                                              tmp_path):
    type_in(blank, "x = torch.ones(2, requires_grad=True)", "(x * 2).sum().backward()")
    path = tmp_path / "s.gradviz.json"
    blank.session.save_session(path)
    blank.session.load_session(path)
    assert blank.model.track_flow and blank.debug_overlay.model is blank.model
    type_in(blank, "y = x.exp()", "y.sum().backward()")
    assert blank.model.runs[-1].vanishing == 0  # measured: the new model tracks the flow
    click_created_at(blank, qtbot, blank.model.node_of(blank.session.namespace["y"].grad_fn))
    (marked,) = blank.console.repl.output.extraSelections()
    assert marked.cursor.block().text() == ">>> y = x.exp()"
