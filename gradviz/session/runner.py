"""Console statements on a worker thread, interruptible with ``KeyboardInterrupt`` (no Qt).

    runner = StatementRunner()
    runner.start(lambda: exec("while True: pass"), done=print, label="while True: pass")
    runner.interrupt()              # done(KeyboardInterrupt()) is called on the worker

Why this mechanism:

- **A worker thread runs the user's code**, so the GUI thread keeps its event loop:
  repaints, menus, the Stop button, panning. Pure-Python code holds the GIL, but CPython
  hands it to the waiting GUI thread every ``sys.getswitchinterval()`` (5 ms), which is
  enough for a responsive window. A subprocess would isolate better, but the graph is
  built from live tensors the window must reach (values, grads, ``sel``), and a
  separate interpreter could not share them.
- **Interrupts are ``PyThreadState_SetAsyncExc``** (through ``ctypes.pythonapi``): the
  worker raises ``KeyboardInterrupt`` at its next bytecode, in the user's code, as Ctrl+C
  does in a terminal (signals reach only the main thread, which Qt owns). Everything the
  statement built before stays in the namespace and the model. Blocking C calls are not
  interrupted by it, so ``time.sleep`` is replaced, on the worker only, by a wait the
  interrupt wakes. An interrupt can land in a finalizer (a dying tensor's weak reference
  tells the model it died), where Python prints the exception and drops it
  ("unraisable"): a ``sys.unraisablehook`` spots a dropped ``KeyboardInterrupt`` from a
  worker and sends it again, so a Stop always stops. One asked for while the worker
  imports a module waits for the import to end: a module cut short stays broken. A job
  that marks its own code (``interruptible``: a statement, not what the session sets up
  and cleans up around it) is interrupted only there.
- **The model changes only under ``lock``**: while a job runs, two event subscribers
  put around the model's own (``_bracket``) take the lock while the model handles an
  event (about 1.5 us an event; nothing when no statement runs on the worker), and the
  GUI thread takes it while it handles its own events (``gradviz.gui``), so a view never
  reads a graph halfway through a change. An interrupt that arrives while the model
  handles an event waits until the model is done (``KeyboardInterrupt`` is then raised
  from the closing subscriber), so the graph stays whole.
- **Views are told on their own thread**: what the worker announces (the session's
  signals, the end of a statement) the GUI receives through a queued Qt signal; the
  model's changes are flushed by the GUI thread itself, a few times a second.
"""

from __future__ import annotations

import contextlib
import ctypes
import sys
import threading
import time
import weakref
from dataclasses import dataclass, field

from gradviz.events import dispatcher
from gradviz.events.types import TensorReleased

__all__ = ["ModelLock", "StatementRunner"]

_sleep = time.sleep
RESEND_AFTER = 0.002  # seconds before an interrupt a finalizer dropped is sent again
IMPORT_POLL = 0.02  # seconds between looks at whether the worker's import has ended
_runners: weakref.WeakSet = weakref.WeakSet()  # runners whose dropped interrupts are resent
_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = (ctypes.c_ulong, ctypes.py_object)
_set_async_exc.restype = ctypes.c_int


@dataclass
class _Job:
    fn: object
    done: object
    label: str
    started_at: float = field(default_factory=time.monotonic)
    started: bool = False  # the worker has begun it
    cancelled: bool = False  # interrupted before it began
    finished: bool = False  # its code has returned or raised
    interrupted: bool = False  # interrupt was asked for
    guarded: bool = False  # the job marks where its own code runs (``interruptible``)
    in_code: bool = False  # ... and runs it now
    code_done: bool = False  # ... and it has ended


class ModelLock:
    """A re-entrant lock that a reader gets promptly even while the worker records.

    The worker takes it once per event, thousands of times a second, and a plain lock
    would let it take it again before a waiting reader (the GUI thread) wakes up. So a
    reader's ``acquire`` first closes a gate, which the worker passes on its way in
    (``acquire_for_event``): the worker finishes its event and then waits its turn.
    """

    def __init__(self):
        self._lock = threading.RLock()
        self._gate = threading.Lock()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if not self._gate.acquire(blocking, timeout):
            return False
        try:
            return self._lock.acquire(blocking, timeout)
        finally:
            self._gate.release()

    def acquire_for_event(self) -> None:
        if self._lock._is_owned():  # an event inside an event: the worker holds it already,
            self._lock.acquire()    # and a reader waiting at the gate waits for it (no wait)
            return
        with self._gate:
            pass
        self._lock.acquire()

    def release(self) -> None:
        self._lock.release()

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()
        return False


def _tick() -> None:
    """A Python call: the interpreter checks for a pending asynchronous exception here."""


def _importing(thread_id) -> bool:
    """Whether the thread is importing a module (Python's import machinery is on its
    stack)."""
    frame = sys._current_frames().get(thread_id)
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


_resending = threading.local()  # inside _unraisable's call to the hook it replaced


def _unraisable(info) -> None:
    """``sys.unraisablehook``: a ``KeyboardInterrupt`` that a finalizer dropped on the
    worker of a runner asked to interrupt is sent again (in a moment, from another
    thread, so that it lands back in the statement's code); anything else goes to the
    hook this one replaced."""
    if info.exc_type is not None and issubclass(info.exc_type, KeyboardInterrupt):
        me = threading.get_ident()
        for runner in list(_runners):
            job = runner._active
            if runner._worker_id == me and job is not None and job.interrupted:
                threading.Timer(RESEND_AFTER, runner.interrupt).start()
                return
    previous = _unraisable.previous
    if getattr(_resending, "on", False):  # a hook that hands back to this one: no loop
        previous = sys.__unraisablehook__
    _resending.on = True
    try:
        previous(info)
    finally:
        _resending.on = False


_unraisable.previous = sys.unraisablehook


def _hook_unraisable() -> None:
    """Put ``_unraisable`` in front of whatever hook is there now (a test runner may have
    set its own since)."""
    if sys.unraisablehook is not _unraisable:
        _unraisable.previous = sys.unraisablehook
        sys.unraisablehook = _unraisable


class StatementRunner:
    """Runs one job at a time on a worker thread; ``interrupt`` stops the running one."""

    def __init__(self):
        self.lock = ModelLock()  # held while the model changes or a view reads it
        self._state = threading.Lock()  # guards the fields below
        self._wake = threading.Event()  # set by interrupt: ends an interruptible sleep
        self._active: _Job | None = None
        self._in_model = False  # the worker is inside the model's event handling
        self._bracketed = False  # the model's subscribers sit between _enter and _leave_model
        self._entered = threading.local()  # per thread: model events entered, not yet left
        self._pending = False  # an interrupt waits for the model to finish an event
        self._ready = threading.Condition(self._state)
        self._queue: list[_Job] = []
        self._worker: threading.Thread | None = None
        self._worker_id: int | None = None
        self._model = None  # the model recording (bracketed while a job runs)

    # ------------------------------------------------------------ state
    @property
    def running(self) -> bool:
        """A job was started and has not finished."""
        return self._active is not None

    def running_job(self) -> tuple[str, float] | None:
        """``(label, seconds since it started)`` of the running job, or None."""
        job = self._active
        return None if job is None else (job.label, time.monotonic() - job.started_at)

    def stop_asked(self) -> bool:
        """Whether ``interrupt`` was asked of the running job."""
        job = self._active
        return job is not None and job.interrupted

    def on_worker(self) -> bool:
        """Whether the calling thread is the worker (a statement calling ``app``)."""
        return threading.get_ident() == self._worker_id

    # ------------------------------------------------------------ the model, guarded
    def guard_model(self, model) -> None:
        """Record into ``model``; while a job runs, its events are handled under ``lock``."""
        if self._model is not None:
            self.unguard_model(self._model)
        self._model = model
        model.attach()

    def unguard_model(self, model) -> None:
        """Stop recording into ``model``."""
        self._bracket(False)
        model.detach()
        if model is self._model:
            self._model = None

    def _bracket(self, on: bool) -> None:
        """Put (or take away) the two subscribers that hold ``lock`` around the model's
        own. Only while a job runs: then the GUI thread reads the model concurrently;
        otherwise events cost what they cost without a session."""
        self._bracketed = False  # (an event between two of these calls takes no lock)
        dispatcher.unsubscribe(self._enter_model)
        dispatcher.unsubscribe(self._leave_model)
        model = self._model
        if on and model is not None and model.attached:
            model.detach()
            dispatcher.subscribe(self._enter_model)
            model.attach()
            dispatcher.subscribe(self._leave_model)
            self._bracketed = True

    def _enter_model(self, event) -> None:
        # the flag goes up before the lock is taken and down after it is given back, so an
        # interrupt never lands between the two (it would leave the lock held for ever).
        # Only once both ends are subscribed: an event (a tensor dying in a garbage
        # collection on any thread) that met this end alone would never give the lock back
        if not self._bracketed:
            return
        if type(event) is TensorReleased:
            # a tensor dying, maybe on another thread (a garbage collection on the GUI
            # thread): the model hears of it through its own weak references or queues it
            # in its records, so it never waits for the model, which the worker may hold
            # while importing a module that thread is importing (a deadlock)
            return
        if threading.get_ident() == self._worker_id:
            with self._state:
                self._in_model = True
        self.lock.acquire_for_event()
        self._entered.depth = getattr(self._entered, "depth", 0) + 1

    def _leave_model(self, event) -> None:
        depth = getattr(self._entered, "depth", 0)
        if not depth:  # its enter came before the bracket was complete
            return
        self._entered.depth = depth - 1
        pending = False
        self.lock.release()
        # the outermost event only: one met inside another (a tensor dying while the model
        # handles an op) must not let an interrupt land in the middle of the outer one
        if depth == 1 and threading.get_ident() == self._worker_id:
            with self._state:
                self._in_model = False
                pending, self._pending = self._pending, False
        if pending:
            raise KeyboardInterrupt  # the interrupt that waited for the model

    # ------------------------------------------------------------ jobs
    def start(self, fn, done, label: str = "") -> None:
        """Run ``fn()`` on the worker; then ``done(error)`` on the worker (error: the
        exception ``fn`` raised, ``KeyboardInterrupt`` when interrupted, or None)."""
        with self._state:
            if self._active is not None:
                raise RuntimeError(f"a statement is already running: {self._active.label}")
            job = self._active = _Job(fn, done, label)
            self._bracket(True)
            self._queue.append(job)
            self._ready.notify()
        _runners.add(self)
        _hook_unraisable()
        if self._worker is None:
            self._worker = threading.Thread(target=self._loop, name="gradviz-statement",
                                            daemon=True)
            self._worker.start()

    def interrupt(self) -> bool:
        """Raise ``KeyboardInterrupt`` in the running job; False when none runs."""
        with self._state:
            job = self._active
            if job is None or job.finished:
                return False
            if job.guarded and not job.in_code:
                if job.code_done:  # only the job's own clean-up is left: let it run whole
                    return False
                job.interrupted = True  # not started yet: raised as the code begins
                return True
            job.interrupted = True
            if not job.started:
                job.cancelled = True
            elif self._in_model:
                self._pending = True
            elif _importing(self._worker_id):
                # a module cut short halfway through its import stays broken for the rest
                # of the session (torch imports sympy on a first training step): the
                # interrupt waits for the import to end
                threading.Timer(IMPORT_POLL, self.interrupt).start()
                return True
            else:
                _set_async_exc(self._worker_id, KeyboardInterrupt)
            self._wake.set()
        return True

    @contextlib.contextmanager
    def interruptible(self):
        """On the worker, around the job's own code (the user's statement): interrupts
        are sent only while it runs, so what the job sets up and cleans up around it
        (context managers' exits) is never cut short; one that arrives just as the code
        ends is raised at its end."""
        job = self._active
        with self._state:
            job.guarded = job.in_code = True
            asked = job.interrupted
        error = late = None
        try:
            if asked:
                raise KeyboardInterrupt
            yield
        except BaseException as exc:
            error = exc
            raise
        finally:
            with self._state:
                job.in_code = False
                job.code_done = True
            for _ in range(8):  # one sent before the flag went down is raised here
                try:
                    _tick()
                except KeyboardInterrupt as exc:
                    late = exc
            if late is not None and error is None:
                raise late

    def wait(self, timeout: float | None = None) -> bool:
        """Block until no job runs (tests, shutdown); False on timeout."""
        end = None if timeout is None else time.monotonic() + timeout
        while self._active is not None:
            if end is not None and time.monotonic() > end:
                return False
            _sleep(0.005)
        return True

    def _loop(self) -> None:
        self._worker_id = threading.get_ident()
        while True:
            try:
                with self._state:
                    while not self._queue:
                        self._ready.wait()
                    job = self._queue.pop(0)
                self._run(job)
                # let go of the job here, not while holding _state at the next pop: what
                # dies with it (the namespace a new session replaced) may emit events that
                # wait for the model lock, held by a GUI thread waiting for _state
                job = None
            except KeyboardInterrupt:
                pass  # a late interrupt, after its job ended: nothing to stop
            except Exception:  # noqa: BLE001  (a done callback failed: the worker lives on)
                sys.excepthook(*sys.exc_info())

    def _run(self, job: _Job) -> None:
        error = None
        try:
            with self._state:
                job.started = True
                cancelled = job.cancelled
            if cancelled:
                raise KeyboardInterrupt
            self._wake.clear()
            time.sleep = self._sleep
            job.fn()
        except BaseException as exc:  # noqa: BLE001  (the user's error, reported by done)
            error = exc
        finally:
            with self._state:
                job.finished = True
                self._pending = False
                self._in_model = False
        for _ in range(8):  # an interrupt sent just before ``finished`` arrives here
            try:
                _tick()
            except KeyboardInterrupt as exc:
                error = error or exc
        time.sleep = _sleep
        self._bracket(False)
        while True:  # the lock, if an interrupt cut a model event short
            try:
                self.lock.release()
            except RuntimeError:
                break
        self._entered.depth = 0
        with self._state:
            self._active = None
        job.done(error)

    def _sleep(self, seconds: float) -> None:
        """``time.sleep``, woken early by ``interrupt`` on the worker."""
        if threading.get_ident() != self._worker_id:
            return _sleep(seconds)
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            if self._wake.wait(min(left, 0.05)):
                self._wake.clear()
                _tick()  # the interrupt is raised here
                return None
        return None
