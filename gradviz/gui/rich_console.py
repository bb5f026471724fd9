"""The rich console: a real IPython in qtconsole's widget (``gradviz --console ipython``,
View > Console > IPython; needs ``pip install 'gradviz[console]'``).

    console = RichConsole(session, gui)
    console.run("w = torch.ones(3, requires_grad=True)")    # as if typed
    console.run("%timeit (w * 2).sum()")                     # magics, x?, Tab completion

Why this design: qtconsole's ``RichJupyterWidget`` gives what an IPython user expects
(``In [n]:`` prompts, syntax colours, a completion list, call tips, ``x?``, magics), but
its in-process kernel executes each cell on the GUI thread: ``while True: pass`` would
freeze the window with nothing left to stop it. So the widget talks to a kernel client of
our own (``rich_console_kernel.WorkerKernelClient``) whose cells are the session's console
statements: ``shell.run_cell`` on the session's worker thread, on the session's
namespace. Everything the built-in console guarantees holds here the same way (the
window stays live, Stop / Ctrl+C / ``app.interrupt()`` interrupt a cell, the graph
follows, provenance, ``import torch`` giving gradviz), because it is the same path; only
the widget and the shell differ. A Jupyter kernel in a subprocess would isolate better,
but the window draws the live tensors of the namespace, which another process could not
share.

This console speaks the built-in one's API (``run``, ``run_source``, ``write``,
``namespace``, ``set_input``, ``add_history`` and the signals ``statementFinished``,
``statementFailed``, ``runningChanged``, ``commandEntered``), so the window treats both
alike (``gradviz.gui.console_choice``).
"""

from __future__ import annotations

import linecache

from PySide6 import QtCore, QtGui
from qtconsole import styles
from qtconsole.rich_jupyter_widget import RichJupyterWidget

from gradviz.gui.console_output import is_dark
from gradviz.gui.gui_thread import GuiThread
from gradviz.gui.rich_console_kernel import WorkerKernelClient, make_shell, release_shell
from gradviz.session import ActionError
from gradviz.session.session import BUSY


class RichConsole(RichJupyterWidget):
    """IPython in the window; its cells are recorded into ``session.model``."""

    statementFinished = QtCore.Signal(str)  # the cell's source
    statementFailed = QtCore.Signal(object)  # the exception it raised
    runningChanged = QtCore.Signal(bool)  # a cell outlasted half a second (True), ended
    commandEntered = QtCore.Signal(str)  # a cell started (autosave keeps it)

    def __init__(self, session, gui: GuiThread | None = None, parent=None):
        super().__init__(parent=parent, paging="none", gui_completion="droplist")
        self.setObjectName("console")
        self.session = session
        self.gui = gui if gui is not None else GuiThread(session.lock, self)
        self.shell = make_shell(session.namespace)
        self.custom_interrupt = True  # Ctrl+C: the session's interrupt, not a kernel signal
        self.custom_interrupt_requested.connect(session.interrupt)
        self.client = WorkerKernelClient(session, self.gui, self.shell, self)
        self.client.statement_started.connect(self.commandEntered)
        self.client.statement_ended.connect(self._on_ended)
        self.client.running_changed.connect(self.runningChanged)
        self._follow_theme()
        self.kernel_client = self.client
        self.client.start_channels()  # the banner, and the first prompt asked for
        QtCore.QCoreApplication.sendPostedEvents(self.client, QtCore.QEvent.Type.MetaCall)

    @property
    def namespace(self) -> dict:
        return self.session.namespace

    @property
    def input(self):
        """The text area the user types in (focus, key presses in tests)."""
        return self._control

    def _on_ended(self, source: str, error) -> None:
        if error is None:
            self.statementFinished.emit(source)
        else:
            self.statementFailed.emit(error)

    # ------------------------------------------------------------ the console API
    def run(self, cmd: str) -> None:
        """Run ``cmd`` as if typed and Enter pressed (a quick cell has ended on return)."""
        self.execute(cmd)

    def write(self, text: str, style: str = "output") -> None:
        """Append ``text`` to the output, above the prompt (``style`` as the built-in
        console's; both look alike here)."""
        self.append_stream(text)

    def set_input(self, text: str) -> None:
        """Put ``text`` in the prompt, ready to edit and run."""
        self.input_buffer = text
        self._control.setFocus()

    def add_history(self, lines) -> None:
        """Older commands for the Up key (a restored session's)."""
        self._set_history(list(lines) + list(self._history))

    def run_source(self, source: str, filename: str = "<script>", echo: bool = False):
        """Run a whole script in the namespace, recorded as one batch, on this thread
        (tutorial cells, a script at start); returns the exception or None."""
        if self.session.running:
            error = ActionError(BUSY)
            self.session.report_error("Run", error)
            return error
        if echo:
            self.write(f"# {filename}\n" + "".join(
                f"{'...' if line[:1].isspace() else '>>>'} {line}\n"
                for line in source.strip("\n").splitlines() if line.strip()))
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        else:
            self.write(f"# run {filename}\n")
        return self.session.run_source(source, filename)

    # ------------------------------------------------------------ look
    def _follow_theme(self) -> None:
        """qtconsole's colours for the theme, on the window's own background."""
        dark = is_dark(self)
        template = styles.default_dark_style_template if dark else \
            styles.default_light_style_template
        base = self.palette().color(QtGui.QPalette.ColorRole.Base).name()
        text = self.palette().color(QtGui.QPalette.ColorRole.Text).name()
        self.style_sheet = template % {"bgcolor": base, "fgcolor": text,
                                       "select": "#3d6fb6" if dark else "#cce0ff"}
        self.syntax_style = styles.default_dark_syntax_style if dark else \
            styles.default_light_syntax_style
        font = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
        self.font = font

    def changeEvent(self, event):  # noqa: N802  (the theme changed)
        if event.type() == QtCore.QEvent.Type.PaletteChange:
            self._follow_theme()
        super().changeEvent(event)

    def showEvent(self, event):  # noqa: N802  (output written before the dock was laid out)
        super().showEvent(event)
        QtCore.QTimer.singleShot(0, self._prompt_into_view)

    def _prompt_into_view(self) -> None:
        bar = self._control.verticalScrollBar()  # qtconsole can scroll a page past the end
        bar.setValue(max(0, bar.maximum() - bar.pageStep()))

    def closeEvent(self, event):  # noqa: N802
        self.session.interrupt()
        self.client.stop_channels()
        release_shell(self.shell)
        super().closeEvent(event)
