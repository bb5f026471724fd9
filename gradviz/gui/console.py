"""The embedded Python console: every statement records into the session's model.

    >>> console = Console(session)
    >>> console.run("w = torch.ones(3, requires_grad=True)")   # as if typed
    >>> console.run_source(open("script.py").read(), "script.py")

pyqtgraph's ``ConsoleWidget`` on the session's namespace with one change: each
statement runs inside ``session.statement()`` (one batch of model changes, optionally
under ``no_grad``, the console's variable names given to the graph afterwards), so the
graph redraws when the statement finishes. A statement that raises shows its traceback
in the console; what it built before the error stays in the model and the namespace.
The session's own output (``app.detach``'s note, a script's prints) is written here.
"""

from __future__ import annotations

import linecache

from pyqtgraph.console import ConsoleWidget
from PySide6 import QtCore, QtWidgets

WELCOME = (
    "# gradviz console: torch and gv are gradviz, np is NumPy, app drives the window,\n"
    "# sel is the selected node's tensor or grad_fn. Try:  loss.backward()   app.select(w)\n"
)


class Console(ConsoleWidget):
    """A Python console whose statements are recorded into ``session.model``."""

    statementFinished = QtCore.Signal(str)  # the statement's source
    statementFailed = QtCore.Signal(object)  # the exception it raised

    def __init__(self, session, parent=None, history_file=None):
        super().__init__(parent=parent, namespace=session.namespace, historyFile=history_file,
                         text=WELCOME)
        self.session = session
        thread = self.repl._thread
        self._run_line = thread.runCmd
        thread.runCmd = self._run_recorded
        self.repl.sigCommandRaisedException.connect(
            lambda _repl, exc: self.statementFailed.emit(exc))
        self.setObjectName("console")

    @property
    def namespace(self) -> dict:
        return self.session.namespace

    def _run_recorded(self, cmd: str) -> None:
        QtWidgets.QApplication.setOverrideCursor(QtCore.Qt.CursorShape.WaitCursor)
        try:
            with self.session.statement():
                self._run_line(cmd)
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
        return self.session.run_source(source, filename)

    def closeEvent(self, event):  # noqa: N802
        thread = self.repl._thread
        thread.runCmd = self._run_line
        super().closeEvent(event)
