"""The embedded Python console: every statement records into the model.

    >>> console = Console({"torch": gradviz}, model)
    >>> console.run("w = torch.ones(3, requires_grad=True)")   # as if typed
    >>> console.run_source(open("script.py").read(), "script.py")

pyqtgraph's ``ConsoleWidget`` with one change: each statement runs inside
``model.batch()`` (optionally under ``no_grad``), the model learns the console's
variable names afterwards and flushes once, so the graph redraws when the statement
finishes. A statement that raises shows its traceback in the console; what it built
before the error stays in the model and the namespace.
"""

from __future__ import annotations

import contextlib
import linecache
import traceback

from pyqtgraph.console import ConsoleWidget
from PySide6 import QtCore, QtWidgets

import gradviz
from gradviz.gui.console_output import (
    follow_output,
    is_dark,
    restyle_commands,
    show_user_tracebacks,
)

FIRST_TRY = "q = (w * 2).sum()"  # works on the tutorial's graph, then Backward on q
WELCOME = (
    "# gradviz console: torch and gv are gradviz, np is NumPy, app drives the window,\n"
    "# sel is the selected node's tensor or grad_fn. The tutorial ran already (its\n"
    "# loss.backward() freed loss's graph: a second one raises, as in PyTorch). Try:\n"
    f"#   {FIRST_TRY}      then select q and press Backward, or type q.backward()\n"
)


HIDDEN = frozenset({"sel", "app", "__console__"})  # never used as a node's name


def user_names(namespace: dict) -> dict:
    """The console variables that name tensors in the graph (``sel`` is only an alias)."""
    return {k: v for k, v in namespace.items() if k not in HIDDEN}


class Console(ConsoleWidget):
    """A Python console whose statements are recorded into ``model``."""

    statementFinished = QtCore.Signal(str)  # the statement's source
    statementFailed = QtCore.Signal(object)  # the exception it raised

    def __init__(self, namespace: dict, model, parent=None, history_file=None):
        super().__init__(parent=parent, namespace=namespace, historyFile=history_file,
                         text=WELCOME)
        self.namespace = namespace
        self.model = model
        self.no_grad = False
        thread = self.repl._thread
        self._run_line = thread.runCmd
        thread.runCmd = self._run_recorded
        self.repl.sigCommandRaisedException.connect(
            lambda _repl, exc: self.statementFailed.emit(exc))
        self.setObjectName("console")
        show_user_tracebacks(self.repl)
        follow_output(self.repl)
        restyle_commands(self.repl, is_dark(self))
        self.exceptionBtn.hide()  # pyqtgraph's developer panel: not for learners

    def _grad_context(self):
        return gradviz.no_grad() if self.no_grad else contextlib.nullcontext()

    def _run_recorded(self, cmd: str) -> None:
        QtWidgets.QApplication.setOverrideCursor(QtCore.Qt.CursorShape.WaitCursor)
        try:
            with self.model.batch():
                self.model.provenance.begin(cmd)  # nodes it creates say "statement N"
                try:
                    with self._grad_context():
                        self._run_line(cmd)
                finally:
                    self.model.provenance.end()
                    self.model.set_names(user_names(self.namespace))
        finally:
            QtWidgets.QApplication.restoreOverrideCursor()
        if "\n" not in cmd and not self.repl._thread._commandBuffer:
            self.statementFinished.emit(cmd)

    # ------------------------------------------------------------ programmatic use
    def run(self, cmd: str) -> None:
        """Run ``cmd`` exactly as if it had been typed and Enter pressed."""
        self.input.setText(cmd)
        self.input.execCmd()

    def write(self, text: str, style: str = "output") -> None:
        """Append ``text`` to the console's output (``style`` "output" or "command")."""
        self.repl.write(text, style)

    def run_source(self, source: str, filename: str = "<script>", echo: bool = False):
        """Run a whole script in the console's namespace, recorded as one batch.

        Its output and, if it raises, its traceback appear in the console; returns the
        exception or None. ``echo``: show the source as typed commands (``>>>`` and
        ``...`` prompts) rather than a ``# run filename`` line; a tutorial cell uses it.
        """
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
        error = None
        with self.model.batch():
            try:
                code = compile(source, filename, "exec")
                with thread._stdoutInterceptor, self._grad_context():
                    exec(code, self.namespace)
            except Exception as exc:
                tb = exc.__traceback__
                tb = tb.tb_next if tb is not None and tb.tb_next is not None else tb
                text = "".join(traceback.format_exception(type(exc), exc, tb))
                self.write("".join("    " + line for line in text.splitlines(True)) + "\n")
                error = exc
            finally:
                self.model.set_names(user_names(self.namespace))
        if error is not None:
            self.statementFailed.emit(error)
        return error

    def changeEvent(self, event):  # noqa: N802  (the theme changed)
        if event.type() == QtCore.QEvent.Type.PaletteChange:
            restyle_commands(self.repl, is_dark(self))
        super().changeEvent(event)

    def closeEvent(self, event):  # noqa: N802
        thread = self.repl._thread
        thread.runCmd = self._run_line
        super().closeEvent(event)
