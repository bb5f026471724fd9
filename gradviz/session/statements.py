"""Running the user's code in the session: scripts on the caller's thread, console
statements on the worker (``runner``), their output and tracebacks (no Qt).

    error = run_source(session, "w = torch.ones(3)\\nprint(w)", "script.py")
    start_statement(session, compile("while True: pass", "<console>", "single"),
                    "while True: pass", done=print)     # returns at once
    session.interrupt()                 # done(KeyboardInterrupt()) soon after

A statement's model changes form one batch opened and closed on the thread that
started it (the GUI thread in the app), so listeners hear of them there; while it runs,
``refresh`` (called a few times a second by the window) shows the graph so far.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import traceback

import numpy as np

from gradviz.session.targets import user_names
from gradviz.torch_alias import torch_imports

__all__ = ["format_error", "run_source", "start_statement"]


def format_error(exc: BaseException, skip: int = 1) -> str:
    """The traceback of ``exc`` without its first ``skip`` frames (gradviz's runner),
    indented by four spaces as the console shows it."""
    tb = exc.__traceback__
    for _ in range(skip):
        if tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
    text = "".join(traceback.format_exception(type(exc), exc, tb))
    return "".join("    " + line for line in text.splitlines(True)) + "\n"


def run_source(session, source: str, filename: str = "<script>"):
    """Run a whole script in the session's namespace on this thread, recorded as one
    batch; its output and traceback go to the console. Returns the exception or None."""
    error = None
    with session.statement():
        try:
            code = compile(source, filename, "exec")
            with console_output(session), torch_imports(session.model.engine.name):
                exec(code, session.namespace)
        except (Exception, KeyboardInterrupt) as exc:
            session.write(format_error(exc))
            error = exc
    if error is not None:
        session.statement_failed(error)
    return error


def start_statement(session, code, label: str, done, deliver=None) -> None:
    """Run compiled ``code`` (or call ``code()``: an IPython cell, which runs itself in
    the namespace) on the session's worker thread and return at once.

    When it ends, ``done(error)`` is called through ``deliver`` (``deliver(fn)`` calls
    ``fn`` on the starting thread; the app passes a queued Qt call; None calls it on
    the worker), after the batch of model changes has been closed there."""
    namespace, model = session.namespace, session.model
    imports = torch_imports(model.engine.name)
    # an engine that watches per thread (torch's modes are) watches the worker too
    watching = getattr(model.engine, "watching", contextlib.nullcontext)()
    errors = np.geterr()  # NumPy's error state is per thread: the worker takes the caller's
    batch = model.batch()
    batch.__enter__()
    session._statement_open = True

    engine = model.engine.module

    def job():
        grad_mode = engine.is_grad_enabled()
        with session.grad_context(), console_output(session, threading.get_ident()), imports, \
                np.errstate(**errors), watching:
            model.provenance.begin(label)  # the nodes it creates say "statement N"
            try:
                with session.runner.interruptible():
                    code() if callable(code) else exec(code, namespace)
            finally:
                if session.runner.stop_asked():
                    # a Stop that lands as a ``with no_grad():`` block exits cuts its
                    # __exit__ short, and grad mode would stay off for every later
                    # statement (IPython's cells end normally: they catch the interrupt)
                    engine.set_grad_enabled(grad_mode)
                model.provenance.end()

    def finish(error):
        # the statement ends whatever happens here: a fault of gradviz's own (naming the
        # graph, flushing its changes) is reported as the statement's error, and the
        # console takes the next one
        with session.lock:
            try:
                model.set_names(user_names(namespace))
            except Exception as exc:  # noqa: BLE001
                error = error if error is not None else exc
            try:
                batch.__exit__(None, None, None)
            except Exception as exc:  # noqa: BLE001
                error = error if error is not None else exc
            session._statement_open = False
        done(error)

    try:
        session.runner.start(job, lambda error: (deliver or _call)(lambda: finish(error)),
                             label)
    except BaseException:
        session._statement_open = False
        batch.__exit__(None, None, None)
        raise


def _call(fn) -> None:
    fn()


class console_output:  # noqa: N801  (a context manager, used like contextlib's)
    """While a script or statement runs, ``print`` goes to the session's console.

    With ``thread`` given, only that thread's output does (the worker's); other threads
    keep writing where they did. Without a console listening, nothing changes."""

    def __init__(self, session, thread: int | None = None):
        self.session, self.thread = session, thread

    def __enter__(self):
        self.saved = None
        if not self.session.output or isinstance(sys.stdout, _ConsoleStream):
            return self
        self.saved = sys.stdout, sys.stderr
        sys.stdout = _ConsoleStream(self.session.write, self.thread, sys.stdout)
        sys.stderr = _ConsoleStream(self.session.write, self.thread, sys.stderr)
        return self

    def __exit__(self, *exc):
        if self.saved is not None:
            sys.stdout, sys.stderr = self.saved
        return False


class _ConsoleStream:
    """A file-like object writing to the console (one thread's writes, or all)."""

    def __init__(self, write, thread, other):
        self._write, self._thread, self._other = write, thread, other

    def write(self, text: str) -> int:
        if self._thread is None or threading.get_ident() == self._thread:
            self._write(text)
        else:
            self._other.write(text)
        return len(text)

    def flush(self) -> None:
        pass
