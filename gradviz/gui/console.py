"""The embedded Python console: statements run on the session's worker, and can be stopped.

    console = Console(session, gui)
    console.run("w = torch.ones(3, requires_grad=True)")   # as if typed
    console.run("while True: pass")    # runs on; Stop, Ctrl+C or app.interrupt() ends it
    console.run_source(open("script.py").read(), "script.py")   # here, at once

pyqtgraph's ``ConsoleWidget`` on the session's namespace, with its command runner
replaced: a complete statement runs on the session's worker thread
(``Session.start_statement``), so the window stays live while it runs. The console
waits up to ``SHORT`` seconds for it, so a quick statement is done (and drawn) when
Enter returns; a longer one shows the Stop button, and Ctrl+C in the input line
interrupts it. Its prints appear as they happen; a statement that raises (or is
interrupted) shows its traceback from the user's own code, and what it built stays in
the model and the namespace. Lines typed while one runs wait their turn.
"""

from __future__ import annotations

import codeop
import linecache
import time
import traceback

from pyqtgraph.console import ConsoleWidget
from PySide6 import QtCore, QtGui, QtWidgets

from gradviz.gui.console_output import (
    carriage_returns,
    follow_output,
    is_dark,
    restyle_commands,
    show_user_tracebacks,
)
from gradviz.gui.gui_thread import GuiThread
from gradviz.session import ActionError
from gradviz.session.session import BUSY

SHORT = 0.5  # seconds a statement may run before the console stops waiting for it
FIRST_TRY = "q = (w * 2).sum()"  # works on the tutorial's graph, then Backward on q
WELCOME = (
    "# gradviz console: torch and gv are gradviz, np is NumPy, app drives the window,\n"
    "# sel is the selected node's tensor or grad_fn.\n"
    "# A long statement can be stopped: the Stop button, Ctrl+C here, or app.interrupt().\n"
)
TUTORIAL_TIP = (  # written once the tutorial ran (not with --no-tutorial)
    "\n# The tutorial ran (its loss.backward() freed loss's graph: a second one raises,\n"
    "# as in PyTorch). Try:\n"
    f"#   {FIRST_TRY}      then select q and press Backward, or type q.backward()\n"
)
FILENAME = "<console>"
SCROLLBACK = 10_000  # lines of output kept, as a terminal's scrollback


def statement_traceback(exc: BaseException) -> str:
    """The traceback from the user's own statement on, indented as the console shows it."""
    tb = exc.__traceback__
    first = tb
    while tb is not None and tb.tb_frame.f_code.co_filename != FILENAME:
        tb = tb.tb_next
    text = "".join(traceback.format_exception(type(exc), exc, tb or first))
    return "".join("    " + line for line in text.splitlines(True)) + "\n"


class Console(ConsoleWidget):
    """A Python console whose statements are recorded into ``session.model``."""

    statementFinished = QtCore.Signal(str)  # the statement's source
    statementFailed = QtCore.Signal(object)  # the exception it raised
    runningChanged = QtCore.Signal(bool)  # a statement started (True) or ended
    commandEntered = QtCore.Signal(str)  # a line was entered (autosave keeps it)

    def __init__(self, session, gui: GuiThread | None = None, parent=None, history_file=None):
        super().__init__(parent=parent, namespace=session.namespace, historyFile=history_file,
                         text=WELCOME)
        self.session = session
        self.gui = gui if gui is not None else GuiThread(session.lock, self)
        self._waiting: list[str] = []  # lines typed while a statement ran
        self._draining = False
        self._long = False  # the running statement outlasted SHORT (Stop is shown)
        self._source = ""
        thread = self.repl._thread
        self._run_line = thread.runCmd
        thread.runCmd = self._run_command
        self.stop_button = QtWidgets.QPushButton("Stop")
        self.stop_button.setToolTip("interrupt the running statement (Ctrl+C in the console)")
        self.stop_button.clicked.connect(session.interrupt)
        self.stop_button.hide()
        self.repl.inputLayout.insertWidget(1, self.stop_button)
        self.input.installEventFilter(self)
        self.setObjectName("console")
        show_user_tracebacks(self.repl)
        follow_output(self.repl)
        carriage_returns(self.repl)
        restyle_commands(self.repl, is_dark(self))
        self.exceptionBtn.hide()  # pyqtgraph's developer panel: not for learners
        # a terminal's scrollback: a 1,000-step loop typed line by line keeps memory flat
        # (no undo history of the output, the oldest lines dropped past SCROLLBACK)
        self.repl.output.setUndoRedoEnabled(False)
        self.repl.output.document().setMaximumBlockCount(SCROLLBACK)
        self.repl.sigCommandEntered.connect(lambda _repl, cmd: self.commandEntered.emit(cmd))

    @property
    def namespace(self) -> dict:
        return self.session.namespace

    # ------------------------------------------------------------ typed statements
    def _run_command(self, cmd: str) -> None:
        """Enter was pressed (or text pasted): run the lines in order, each when the one
        before has ended."""
        if self.session.running and not cmd and not self._waiting:
            self._input_while_running()  # Enter on the read-only line: nothing to run
            return
        self._waiting.extend(cmd.split("\n"))
        if self.session.running:
            self._input_while_running()
        self._drain()

    def _drain(self) -> None:
        if self._draining:
            return
        self._draining = True
        try:
            while self._waiting and not self.session.running:
                self._run_line_now(self._waiting.pop(0))
        finally:
            self._draining = False

    def _run_line_now(self, cmd: str) -> None:
        thread = self.repl._thread
        self.write(f"{thread.ps2 if thread._commandBuffer else thread.ps1}{cmd}\n", "command")
        thread.sigCommandEntered.emit(self.repl, cmd)
        thread._commandBuffer.append(cmd)
        source = "\n".join(thread._commandBuffer)
        try:
            code = codeop.compile_command(source, FILENAME, "single")
        except (SyntaxError, ValueError, OverflowError) as exc:
            thread._commandBuffer = []
            text = "".join(traceback.format_exception_only(type(exc), exc))
            self.write("".join("    " + line for line in text.splitlines(True)))
            self._ended(source, exc)
            return
        if code is None:  # an unfinished block: wait for its next line
            thread.sigMultilineChanged.emit(True)
            return
        thread._commandBuffer = []
        thread.sigMultilineChanged.emit(False)
        self._start(code, source)

    def _start(self, code, source: str) -> None:
        self._source = source
        linecache.cache[FILENAME] = (len(source), None, (source + "\n").splitlines(True),
                                     FILENAME)
        self.session.start_statement(code, source, self._on_done, deliver=self.gui.post)
        end = time.monotonic() + SHORT
        while self.session.running and time.monotonic() < end:  # a quick one ends here
            with self.gui.lock_released():
                time.sleep(0.002)
            self.gui.deliver_posted()  # its prints, and what it asks of the window
        self.gui.deliver_posted()
        if self.session.running:
            self._long = True
            self.stop_button.show()
            self.runningChanged.emit(True)
            self._input_while_running()

    def _input_while_running(self) -> None:
        """The input line keeps the focus (for Ctrl+C) but takes no typing."""
        self.input.setEnabled(True)
        self.input.setReadOnly(True)
        self.input.setFocus()

    def _on_done(self, error) -> None:
        """The statement ended (on the GUI thread, its batch of changes flushed)."""
        if error is not None:
            self.write(statement_traceback(error))
        self._ended(self._source, error)

    def _ended(self, source: str, error) -> None:
        if self.repl.output.textCursor().columnNumber() > 0:
            self.write("\n")
        was_running, self._long = self._long, False
        self.stop_button.hide()
        self.input.setReadOnly(False)
        self.repl.handleCommandExecuted()  # the input line is enabled again
        if was_running:
            self.runningChanged.emit(False)
        if error is None:
            self.statementFinished.emit(source)
        else:
            self.statementFailed.emit(error)
        self._drain()

    def eventFilter(self, obj, event):  # noqa: N802  (Ctrl+C in the input line)
        if (obj is self.input and event.type() == QtCore.QEvent.Type.KeyPress
                and event.matches(QtGui.QKeySequence.StandardKey.Copy)
                and self.session.running):
            self.session.interrupt()
            return True
        return False

    # ------------------------------------------------------------ programmatic use
    def run(self, cmd: str) -> None:
        """Run ``cmd`` exactly as if it had been typed and Enter pressed."""
        self.input.setText(cmd)
        self.input.execCmd()

    def set_input(self, text: str) -> None:
        """Put ``text`` in the input line, ready to edit and run."""
        self.input.setText(text)
        self.input.setFocus()

    def add_history(self, lines) -> None:
        """Older commands for the Up key (a restored session's), oldest first."""
        self.repl.input.history[1:1] = list(reversed(list(lines)))

    def write(self, text: str, style: str = "output") -> None:
        """Append ``text`` to the console's output (``style`` "output" or "command")."""
        self.repl.write(text, style)

    def run_source(self, source: str, filename: str = "<script>", echo: bool = False):
        """Run a whole script in the console's namespace, recorded as one batch, on this
        thread (the tutorial's cells, a script given at start).

        Its output and, if it raises, its traceback appear in the console; returns the
        exception or None. ``echo``: show the source as typed commands (``>>>`` and
        ``...`` prompts) rather than a ``# run filename`` line; a tutorial cell uses it.
        """
        if self.session.running:
            error = ActionError(BUSY)
            self.session.report_error("Run", error)
            return error
        thread = self.repl._thread
        if echo:
            self.write(f"# {filename}\n", "command")
            for line in source.strip("\n").splitlines():
                if line.strip():
                    prompt = thread.ps2 if line[:1].isspace() else thread.ps1
                    self.write(f"{prompt}{line}\n", "command")
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        else:
            self.write(f"# run {filename}\n", "command")
        return self.session.run_source(source, filename)

    def changeEvent(self, event):  # noqa: N802  (the theme changed)
        if event.type() == QtCore.QEvent.Type.PaletteChange:
            restyle_commands(self.repl, is_dark(self))
        super().changeEvent(event)

    def closeEvent(self, event):  # noqa: N802
        thread = self.repl._thread
        thread.runCmd = self._run_line
        self.session.interrupt()
        super().closeEvent(event)
