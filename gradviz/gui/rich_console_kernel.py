"""The IPython behind the rich console: a real ``InteractiveShell`` whose cells run on the
session's worker thread, answering qtconsole as a Jupyter kernel would.

    shell = make_shell(session.namespace)          # completion, ? help, magics
    client = WorkerKernelClient(session, gui, shell)
    widget.kernel_client = client; client.start_channels()

qtconsole's own in-process kernel runs each cell on the GUI thread, which would freeze the
window for as long as a cell runs and leave nothing to interrupt it with. So this module
is the kernel side, in-process and small: ``WorkerKernelClient`` takes the requests a
``RichJupyterWidget`` sends (execute, complete, inspect, history, kernel_info) and answers
with Jupyter messages on its channels. An execute request becomes a console statement
(``Session.start_statement`` with ``shell.run_cell`` as the code), so it runs on the
worker exactly as the built-in console's statements do: recorded into the model with
provenance, ``import torch`` giving gradviz, the torch engine watching, Stop / Ctrl+C /
``app.interrupt()`` raising ``KeyboardInterrupt`` in it. Its prints and tracebacks reach
the widget through the session's output, results (``Out[n]``) and ``display()`` as
``execute_result`` / ``display_data`` messages, all posted to the GUI thread in the order
they happened. Completion and ``x?`` use IPython's own machinery; completion runs on the
GUI thread (without jedi, so it is quick and evaluates nothing).
"""

from __future__ import annotations

import sys
import time
import uuid

from IPython.core.completer import provisionalcompleter, rectify_completions
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.tokenutil import token_at_cursor
from jupyter_client.session import Session as MessageSession
from PySide6 import QtCore
from traitlets.config import Config

from gradviz.gui.console import SHORT

__all__ = ["WorkerKernelClient", "make_shell"]


class _ResultHook(DisplayHook):
    """``Out[n]: ...`` sent as an ``execute_result`` message instead of printed."""

    def start_displayhook(self):
        self._bundle = None

    def write_output_prompt(self):
        pass

    def write_format_data(self, format_dict, md_dict=None):
        self._bundle = (format_dict, md_dict or {})

    def finish_displayhook(self):
        publish = getattr(self.shell, "publish", None)
        if self._bundle is not None and publish is not None:
            data, metadata = self._bundle
            publish("execute_result", {"execution_count": self.prompt_count, "data": data,
                                       "metadata": metadata})
        self._bundle = None


class _DisplayPublisher(DisplayPublisher):
    """``display(obj)`` sent as a ``display_data`` message."""

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False,
                **kwargs):
        publish = getattr(self.shell, "publish", None)
        if publish is not None:
            publish("display_data", {"data": data, "metadata": metadata or {},
                                     "transient": transient or {}})

    def clear_output(self, wait=False):
        publish = getattr(self.shell, "publish", None)
        if publish is not None:
            publish("clear_output", {"wait": wait})


def _print_page(_shell, data, start=0, screen_lines=0, pager_cmd=None):
    """``x?`` and paged magics print into the console (never a terminal pager)."""
    text = data.get("text/plain", "") if isinstance(data, dict) else str(data)
    print(text)


def make_shell(namespace: dict) -> InteractiveShell:
    """An IPython shell on ``namespace``, made the process's ``get_ipython()``."""
    config = Config()
    config.HistoryManager.hist_file = ":memory:"  # no file in the user's profile
    config.InteractiveShell.warn_venv = False
    config.IPCompleter.use_jedi = False  # quick, and evaluates nothing the user wrote
    main = sys.modules.get("__main__")
    shell = InteractiveShell(config=config, user_ns=namespace,
                             displayhook_class=_ResultHook, display_pub_class=_DisplayPublisher)
    if main is not None:  # IPython puts its own __main__ in place; the program keeps its own
        sys.modules["__main__"] = main
    shell.set_hook("show_in_pager", _print_page, 99)
    shell.publish = None  # set by the client: sends a message to the widget
    InteractiveShell._instance = shell  # get_ipython(): what ? help and magics look for
    return shell


def release_shell(shell: InteractiveShell) -> None:
    """The console closed: ``get_ipython()`` no longer answers with its shell."""
    shell.publish = None
    if InteractiveShell._instance is shell:
        InteractiveShell._instance = None


def another_ipython_runs() -> bool:
    """Whether this process already has an IPython shell (gradviz.show() from IPython)."""
    return InteractiveShell.initialized()


class _Channel(QtCore.QObject):
    """One of the kernel client's channels, as qtconsole connects to it."""

    message_received = QtCore.Signal(object)
    started = QtCore.Signal()
    stopped = QtCore.Signal()
    kernel_died = QtCore.Signal(object)  # the heartbeat channel's (never emitted)

    def is_alive(self) -> bool:
        return True

    def closed(self) -> bool:
        return False

    def flush(self, timeout: float = 1.0) -> None:
        pass

    def start(self):
        pass

    def stop(self):
        pass

    def pause(self):
        pass

    def unpause(self):
        pass

    def is_beating(self) -> bool:
        return True


class WorkerKernelClient(QtCore.QObject):
    """The kernel client a ``RichJupyterWidget`` talks to, answered in this process."""

    started_channels = QtCore.Signal()
    stopped_channels = QtCore.Signal()
    _deliver = QtCore.Signal(object, object)  # (channel, message), queued
    statement_started = QtCore.Signal(str)  # a cell began (the stepper, autosave hear it)
    statement_ended = QtCore.Signal(str, object)  # (source, exception or None)
    running_changed = QtCore.Signal(bool)  # a cell outlasted SHORT (True), it ended

    def __init__(self, session, gui, shell: InteractiveShell, parent=None):
        super().__init__(parent)
        self.app_session, self.gui, self.shell = session, gui, shell
        self.session = MessageSession(key=uuid.uuid4().hex.encode(), username="gradviz")
        self.shell_channel, self.iopub_channel = _Channel(self), _Channel(self)
        self.stdin_channel, self.hb_channel = _Channel(self), _Channel(self)
        self.channels_running = False
        self._pending: list[dict] = []  # execute requests sent while a cell runs
        self._current: dict | None = None
        self._long = False
        self._deliver.connect(self._emit, QtCore.Qt.ConnectionType.QueuedConnection)
        shell.publish = self._publish

    # ------------------------------------------------------------ channels
    def start_channels(self, *args, **kwargs):
        self.channels_running = True
        self.started_channels.emit()

    def stop_channels(self):
        self.channels_running = False
        self.stopped_channels.emit()

    def _emit(self, channel, msg) -> None:
        if self.channels_running:
            channel.message_received.emit(msg)

    def _reply(self, request: dict, msg_type: str, content: dict, now: bool = False) -> None:
        msg = self.session.msg(msg_type, content, parent=request)
        if now:
            self._emit(self.shell_channel, msg)
        else:  # after the widget has noted the request it is answering
            self._deliver.emit(self.shell_channel, msg)

    def _publish(self, msg_type: str, content: dict) -> None:
        """Output of the running cell (from the worker): to the widget, in order."""
        parent = self._current
        msg = self.session.msg(msg_type, content, parent=parent)
        self.gui.post(lambda: self._emit(self.iopub_channel, msg))

    def _request(self, msg_type: str, content: dict) -> dict:
        return self.session.msg(msg_type, content)

    # ------------------------------------------------------------ requests
    def kernel_info(self):
        request = self._request("kernel_info_request", {})
        import IPython

        self._reply(request, "kernel_info_reply", {
            "status": "ok", "protocol_version": "5.3", "implementation": "gradviz",
            "implementation_version": "", "banner": (
                f"IPython {IPython.__version__} in gradviz: torch and gv are gradviz, app "
                "drives the window; Tab completes, x? explains x, %timeit and %who work.\n"
                "A long cell can be stopped: the Stop button, Ctrl+C or app.interrupt().\n"),
            "language_info": {"name": "python", "version": sys.version.split()[0],
                              "pygments_lexer": "ipython3", "mimetype": "text/x-python",
                              "file_extension": ".py"},
        }, now=True)  # qtconsole finishes starting on it
        return request["header"]["msg_id"]

    def history(self, raw=True, output=False, hist_access_type="range", **kwargs):
        request = self._request("history_request", {})
        self._reply(request, "history_reply", {"status": "ok", "history": []}, now=True)
        return request["header"]["msg_id"]

    def comm_info(self, target_name=None):
        request = self._request("comm_info_request", {})
        self._reply(request, "comm_info_reply", {"status": "ok", "comms": {}})
        return request["header"]["msg_id"]

    def is_complete(self, code):
        request = self._request("is_complete_request", {"code": code})
        status, indent = self.shell.input_transformer_manager.check_complete(code)
        content = {"status": status}
        if status == "incomplete":
            content["indent"] = " " * (indent or 0)
        self._reply(request, "is_complete_reply", content)
        return request["header"]["msg_id"]

    def complete(self, code, cursor_pos=None):
        request = self._request("complete_request", {"code": code, "cursor_pos": cursor_pos})
        cursor_pos = len(code) if cursor_pos is None else cursor_pos
        with provisionalcompleter():
            found = list(rectify_completions(
                code, self.shell.Completer.completions(code, cursor_pos)))
        start, end = (found[0].start, found[0].end) if found else (cursor_pos, cursor_pos)
        self._reply(request, "complete_reply", {
            "status": "ok", "matches": [c.text for c in found], "cursor_start": start,
            "cursor_end": end, "metadata": {}})
        return request["header"]["msg_id"]

    def inspect(self, code, cursor_pos=None, detail_level=0, omit_sections=()):
        request = self._request("inspect_request", {"code": code, "cursor_pos": cursor_pos})
        name = token_at_cursor(code, len(code) if cursor_pos is None else cursor_pos)
        content = {"status": "ok", "data": {}, "metadata": {}, "found": False}
        try:
            bundle = self.shell.object_inspect_mime(name, detail_level=detail_level)
            content["data"] = {"text/plain": bundle["text/plain"]}
            content["found"] = True
        except Exception:  # noqa: BLE001  (an object whose inspection fails: no tip)
            pass
        self._reply(request, "inspect_reply", content)
        return request["header"]["msg_id"]

    def input(self, string):
        pass  # input() in a cell is not supported (it would wait on the worker for ever)

    def shutdown(self, restart=False):
        pass

    # ------------------------------------------------------------ execution
    def execute(self, code, silent=False, store_history=True, user_expressions=None,
                allow_stdin=None, stop_on_error=True):
        request = self._request("execute_request", {"code": code, "silent": silent})
        if silent or not code.strip():  # qtconsole's prompt requests
            self._reply(request, "execute_reply", {
                "status": "ok", "execution_count": self.shell.execution_count - 1,
                "payload": [],
                "user_expressions": {}})
            return request["header"]["msg_id"]
        request["store_history"] = store_history
        self._pending.append(request)
        self._next()
        return request["header"]["msg_id"]

    def _next(self) -> None:
        session = self.app_session
        if self._current is not None or not self._pending or session.running:
            return
        request = self._current = self._pending.pop(0)
        code, store = request["content"]["code"], request["store_history"]
        box = {}

        def cell():
            result = box["result"] = self.shell.run_cell(code, store_history=store)
            error = result.error_before_exec or result.error_in_exec
            if isinstance(error, KeyboardInterrupt):
                raise error  # the session says "interrupted"; IPython showed it already

        def done(error) -> None:
            self._ended(request, box.get("result"), error)

        self.statement_started.emit(code)
        session.start_statement(cell, code, done, deliver=self.gui.post)
        end = time.monotonic() + SHORT
        while session.running and time.monotonic() < end:  # a quick cell ends here
            with self.gui.lock_released():
                time.sleep(0.002)
            self.gui.deliver_posted()
        self.gui.deliver_posted()
        if session.running and self._current is request:
            self._long = True
            self.running_changed.emit(True)

    def _ended(self, request: dict, result, error) -> None:
        """The cell ended (on the GUI thread, its batch of model changes closed)."""
        code = request["content"]["code"]
        if result is not None and error is None:
            error = result.error_before_exec or result.error_in_exec
        elif result is None and error is not None:  # stopped outside the user's code
            self._publish("stream", {"name": "stderr",
                                     "text": f"{type(error).__name__}: {error}\n"})
        self._reply(request, "execute_reply", {
            "status": "ok" if error is None else "error",
            "execution_count": self.shell.execution_count - 1, "payload": [],
            "user_expressions": {},
            **({} if error is None else {"ename": type(error).__name__,
                                         "evalue": str(error), "traceback": []})})
        self._current = None
        if self._long:
            self._long = False
            self.running_changed.emit(False)
        self.statement_ended.emit(code, error)
        QtCore.QTimer.singleShot(0, self._next)
