"""The session: the model, the console namespace and what the user can do, without Qt.

    >>> app = Session()                       # a GraphModel recording, a fresh namespace
    >>> app.run_source("w = torch.ones(3, requires_grad=True)\\nloss = (w * w).sum()")
    >>> app.select("loss"); _ = app.backward()    # loss.backward(), recorded
    >>> app.model.grad(app.model.node_of(app.namespace["w"]))
    array([2., 2., 2.], dtype=float32)
    >>> app.close()

The console's ``app`` object is a ``Session`` (napari's ``ViewerModel``: the main window
holds one and draws it). Views subscribe to its signals and to the model's changes and
keep no state of their own; user actions in a view call its methods. What needs a
window (a screenshot, drawing a .png/.svg export, showing a backward step) the window
registers as a callback: ``save_image``, ``draw`` and ``show_step``.

Methods raise torch's errors (a second backward without retain_graph raises
RuntimeError); ``guarded`` runs one for a toolbar or menu action and reports the error
instead (status line and console) and leaves everything as it was.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import traceback
from pathlib import Path

from gradviz.model import GraphModel
from gradviz.model.layout_direction import layout_direction, set_layout_direction
from gradviz.session import statements, targets
from gradviz.session.engine_choice import console_namespace, start_new_session
from gradviz.session.runner import StatementRunner
from gradviz.session.signal import Signal
from gradviz.session.steps import Step, backward_steps
from gradviz.session.targets import ActionError, user_names

__all__ = ["Session"]

BUSY = ("a statement is running: stop it first (the Stop button, Ctrl+C in the console or "
        "app.interrupt())")


def not_while_running(method):
    """The action is refused while a statement runs, unless that statement calls it."""

    @functools.wraps(method)
    def action(self, *args, **kwargs):
        if self.runner.running and not self.runner.on_worker():
            raise ActionError(BUSY)
        return method(self, *args, **kwargs)

    return action

DATA_FORMATS = (".dot", ".gv", ".graphml", ".json")


class Session:
    """The ``app`` object of the console. Examples, as typed there::

        app.select(loss)                  # a Tensor, grad_fn, node id or variable name
        app.backward(loss)                # loss.backward(), recorded and drawn
        app.backward(out, retain_graph=True, gradient=torch.ones_like(out))
        app.zero_grad()                   # every leaf's .grad.zero_(); or zero_grad([w])
        d = app.detach(z)                 # z.detach() as a new console variable z_det
        app.clear()                       # forget the drawn graph
        app.run_file("script.py")         # run a script in the console namespace
        app.export("graph.svg")           # .png .svg .dot .graphml .json
        app.save_image("window.png")      # a screenshot of the window
        app.steps()                       # the last backward, one Step per node run
        app.step(3)                       # show step 3 of it in the view and inspector
        app.model                         # the GraphModel (networkx graph in app.model.graph)
        app.new_session(engine="torch")   # start again on real PyTorch (or "numpy")
    """

    def __init__(self, model: GraphModel | None = None):
        self.model = model if model is not None else GraphModel()
        self.runner = StatementRunner()  # console statements run on its worker thread
        self.lock = self.runner.lock  # held while the model changes or is read
        self.runner.guard_model(self.model)
        self.model.add_listener(self._on_model_changed)
        self._steps: tuple | None = None  # (backward_runs, [Step]) of the last backward
        self._statement_open = False  # started, its end not delivered yet
        self.namespace = console_namespace(self, self.model.engine.module)
        self.selected: int | None = None
        self.last_error: BaseException | None = None
        self.no_grad = False  # console statements run under torch.no_grad()
        # notifications (views connect; each is emitted on the thread that acted)
        self.selection_changed = Signal()  # (node id or None, center: bool)
        self.status_changed = Signal()  # (text, error: bool)
        self.failed = Signal()  # (exception): an action, statement or script raised
        self.output = Signal()  # (text, style "output" | "command"): console output
        self.model_replaced = Signal()  # (new model): Load session
        self.file_ran = Signal()  # (path): a script ran (recent files)
        # what only a window can do (registered by it; None without one)
        self.save_image_hook = None  # path -> Path
        self.draw = None  # (model, path) -> Path: a .png / .svg of the graph as drawn
        self.show_step = None  # k -> None: show step k in the view
        self.show_group = None  # path -> None: bring an expanded module group into view
        self.debug = None  # the window's debugging actions (gradviz.gui.debug_actions)
        self.view = None  # the window's graph view, for scripts (gradviz.gui.console_view)
        self.run_in_window = None  # fn -> fn() on the window's thread, waited for

    # ------------------------------------------------------------ reporting
    def status(self, text: str, error: bool = False) -> None:
        """Say ``text`` in the window's status line (red when ``error``)."""
        self.status_changed.emit(text, error)

    def write(self, text: str, style: str = "output") -> None:
        """Append ``text`` to the console (stdout when no console listens)."""
        if self.output:
            self.output.emit(text, style)
        else:
            sys.__stdout__.write(text)

    def guarded(self, title: str, fn, *args, **kwargs):
        """Run an action; an error is reported (status line and console), never raised."""
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            self.report_error(title, exc)
            return None

    def report_error(self, title: str, exc: BaseException) -> None:
        self.last_error = exc
        self.failed.emit(exc)
        self.status(f"{title} failed: {type(exc).__name__}: {exc}", error=True)
        if isinstance(exc, ActionError):
            self.write(f"# {exc}\n")
        else:
            tb = "".join(traceback.format_exception_only(type(exc), exc))
            self.write(f"# {title} failed:\n{tb}")

    # ------------------------------------------------------------ running code
    def grad_context(self):
        # the engine's own no_grad: gradviz's would not stop real torch from recording
        return self.model.engine.module.no_grad() if self.no_grad else contextlib.nullcontext()

    @contextlib.contextmanager
    def statement(self):
        """Record one statement: one batch of changes, the console's names given to the
        graph afterwards (even when it raised)."""
        with self.model.batch():
            try:
                with self.grad_context():
                    yield
            finally:
                self.model.set_names(user_names(self.namespace))

    @not_while_running
    def run_source(self, source: str, filename: str = "<script>"):
        """Run a whole script in the console namespace, recorded as one batch.

        Its output goes to the console; if it raises, its traceback too (what it built
        before stays). Returns the exception or None."""
        return statements.run_source(self, source, filename)

    def statement_failed(self, exc: BaseException) -> None:
        """A statement or script raised: remember it and say so."""
        self.last_error = exc
        self.failed.emit(exc)
        if isinstance(exc, KeyboardInterrupt):
            self.status("interrupted: KeyboardInterrupt (what the statement built stays)",
                        error=True)
        else:
            self.status(f"{type(exc).__name__}: {exc}", error=True)

    @not_while_running
    def run_file(self, path):
        """Run a Python script in the console namespace; returns its exception or None."""
        path = Path(path)
        source = path.read_text(encoding="utf-8")
        self.write(f"# run {path}\n", "command")
        error = self.run_source(source, str(path))
        self.file_ran.emit(path)
        if error is None:
            self.status(f"ran {path.name}")
        return error

    # ------------------------------------------------------------ statements on the worker
    @property
    def running(self) -> bool:
        """A console statement is running (on the worker thread), or has ended and its
        end has not been delivered yet."""
        return self.runner.running or self._statement_open

    def running_job(self) -> tuple[str, float] | None:
        """``(source, seconds so far)`` of the running statement, or None."""
        return self.runner.running_job()

    def start_statement(self, code, label: str, done, deliver=None) -> None:
        """Run compiled ``code`` on the worker; ``done(error)`` when it ends (see
        ``statements.start_statement``)."""
        statements.start_statement(self, code, label, done, deliver)

    def interrupt(self) -> bool:
        """Stop the running statement: ``KeyboardInterrupt`` is raised in it, and what it
        built stays. Between statements nothing happens (returns False), nor when the
        running statement calls it itself (it may ``raise KeyboardInterrupt``)."""
        if self.runner.on_worker() or not self.runner.interrupt():
            return False
        self.status("interrupting the running statement…")
        return True

    def refresh(self) -> None:
        """Give the graph so far to the views (the window calls it a few times a second
        while a statement runs)."""
        with self.lock:
            self.model.set_names(user_names(self.namespace))
            self.model.flush()

    # ------------------------------------------------------------ selection
    def node_object(self, nid):
        """The live Tensor or grad_fn of node ``nid`` (None once it is gone)."""
        return targets.node_object(self.model, nid)

    def node_id(self, obj) -> int:
        """The graph's node id of ``obj`` (Tensor, grad_fn, node id or variable name);
        ActionError when it is not in the graph."""
        if isinstance(obj, int) and not isinstance(obj, bool) and obj in self.model.graph:
            return obj
        nid = self.model.node_of(targets.resolve(self, obj))
        if nid is None:
            raise ActionError(f"{obj!r} is not in the graph")
        return nid

    def select(self, obj, center: bool = True) -> None:
        """Select the node of ``obj`` (Tensor, grad_fn, node id or variable name).

        ``app.select(None)`` clears the selection; ``sel`` in the console follows it.
        Returns None, so the console echoes nothing; the node's id is ``app.selected``."""
        nid = None if obj is None else self.node_id(obj)
        self.selected = nid
        self.namespace["sel"] = None if nid is None else self.node_object(nid)
        self.selection_changed.emit(nid, center)
        if nid is not None:
            data = self.model.graph.nodes[nid]
            self.status(f"sel = {data.get('name') or data.get('label')} (node {nid})")

    # ------------------------------------------------------------ autograd actions
    @not_while_running
    def backward(self, t=None, retain_graph: bool = False, create_graph: bool = False,
                 gradient=None):
        """``t.backward(gradient, retain_graph, create_graph)``; ``t`` defaults to the
        selected output (or the latest one). Returns ``t``."""
        t = targets.backward_root(self, t)
        with self.model.batch():
            t.backward(gradient, retain_graph=retain_graph or None, create_graph=create_graph)
        self.status(f"backward() from {self.name_of(t)} done"
                    + (" (graph retained)" if retain_graph else ""))
        return t

    @not_while_running
    def backward_root(self, t=None):
        """The tensor ``backward(t)`` would start from."""
        return targets.backward_root(self, t)

    @not_while_running
    def zero_grad(self, tensors=None) -> list:
        """``.grad.zero_()`` on ``tensors`` (default: the selected leaf, else every leaf)."""
        leaves = [t for t in targets.leaves(self, tensors) if t.grad is not None]
        with self.model.batch():
            for t in leaves:
                t.grad.zero_()
        self.status(f"zeroed the grad of {len(leaves)} tensor(s)")
        return leaves

    @not_while_running
    def set_grad_none(self, tensors=None) -> list:
        """``t.grad = None`` on ``tensors`` (default: the selected leaf, else every leaf)."""
        leaves = targets.leaves(self, tensors)
        with self.model.batch():
            for t in leaves:
                t.grad = None
        self.status(f"set grad to None on {len(leaves)} tensor(s)")
        return leaves

    @not_while_running
    def detach(self, t=None, name: str | None = None):
        """``t.detach()`` stored as a new console variable (``<name>_det``); returns it."""
        t = targets.tensor_of(self, t, "Detach")
        if name is None:
            base = f"{self.name_of(t)}_det"
            name, k = base, 2
            while name in self.namespace:
                name, k = f"{base}{k}", k + 1
        with self.model.batch():
            d = t.detach()
            self.namespace[name] = d
            self.model.set_names(user_names(self.namespace))
        self.write(f"# {name} = {self.name_of(t)}.detach()\n")
        self.status(f"{name} = {self.name_of(t)}.detach(): a new tensor without history")
        return d

    @not_while_running
    def toggle_requires_grad(self, t=None):
        """``t.requires_grad_(not t.requires_grad)`` on a leaf."""
        t = targets.tensor_of(self, t, "requires_grad")
        with self.model.batch():
            t.requires_grad_(not t.requires_grad)
        return t

    @not_while_running
    def clear(self) -> None:
        """Forget the drawn graph; the console's tensors stay alive."""
        self.select(None)
        self.model.clear()
        self.status("graph cleared")

    # ------------------------------------------------------------ files
    @not_while_running
    def export(self, path) -> Path:
        """Write the whole graph to ``path``: .png .svg (drawn) or .dot .graphml .json."""
        path = Path(path)
        if path.suffix.lower() in DATA_FORMATS:
            from gradviz.model import export

            export.write(self.model, path)
            out = path
        elif self.draw is not None:
            out = self.draw(self.model, path)
        else:
            raise ActionError(f"drawing {path.suffix} needs the window: in a script use "
                              f"gradviz.gui.render_model, or export .dot .graphml .json")
        self.status(f"exported {out}")
        return out

    def save_image(self, path) -> Path:
        """A PNG screenshot of the window as it is now."""
        if self.save_image_hook is None:
            raise ActionError("save_image needs the window (there is none)")
        path = self.save_image_hook(Path(path))
        self.status(f"saved {path}")
        return path

    @not_while_running
    def save_session(self, path) -> None:
        """The model as a session JSON file (``load_session`` reads it back)."""
        from gradviz.model import stored_values
        from gradviz.model.export import save_session

        left_out = save_session(self.model, path)  # ExportError with the OS's reason
        capped = (f"; values of {left_out} tensors not kept (over the "
                  f"{stored_values.VALUES_CAP / 2**20:g} MB cap)" if left_out else "")
        self.status(f"saved session {Path(path).name}: "
                    f"{self.model.graph.number_of_nodes()} nodes, in "
                    f"{Path(path).resolve().parent}{capped}")

    @not_while_running
    def load_session(self, path) -> GraphModel:
        """Replace the graph by a saved session (a snapshot: its tensors are not alive)."""
        from gradviz.model.export import load_session

        model = load_session(path)
        self.set_model(model)
        self.status(f"loaded session {Path(path).name}: {model.graph.number_of_nodes()} nodes")
        return model

    def set_model(self, model: GraphModel) -> None:
        """Record into ``model`` from now on; views follow ``model_replaced``."""
        self.runner.unguard_model(self.model)
        self.model.remove_listener(self._on_model_changed)
        self.model = model
        self.runner.guard_model(model)
        model.add_listener(self._on_model_changed)
        self._steps = None
        self.selected = None
        self.namespace["sel"] = None
        self.model_replaced.emit(model)

    @not_while_running
    def new_session(self, engine: str = "numpy") -> None:
        """Start again on ``engine`` (``"numpy"`` or ``"torch"``): a new, empty graph
        (``app.model``) and the console's names renewed, ``torch`` being that engine's (the
        real torch, or gradviz), from the next statement on. Without torch installed,
        ``engine="torch"`` raises ``EngineUnavailable`` saying ``pip install
        'gradviz[torch]'``, and this session stays as it was. Returns None, so the
        console echoes nothing."""
        start_new_session(self, engine)

    # ------------------------------------------------------------ backward steps
    def steps(self) -> list[Step]:
        """The last backward pass: one ``Step`` per node run, in the engine's order. After
        the tutorial, ``[s.name for s in app.steps()][:2]`` is
        ``['BinaryCrossEntropyWithLogitsBackward0', 'AddBackward0']``."""
        runs = self.model.backward_runs
        if self._steps is None or self._steps[0] != runs:
            self._steps = (runs, backward_steps(self.model))
        return list(self._steps[1])

    def _on_model_changed(self, change) -> None:
        if change.removed and self._steps is not None:
            self._steps = None  # nodes of the last backward may be gone (clear, released)

    # ------------------------------------------------------------ debugging
    def find_nonfinite(self):
        """Mark NaN/Inf and select where it was born (forward first, then backward);
        returns the origin's node id, None when all is finite."""
        if self.debug is not None:
            return self.debug.find_nonfinite()
        origin = self.model.find_nonfinite()
        self.status(self.model.last_nonfinite.describe(self.model), error=origin is not None)
        if origin is not None:
            self.select(origin)
        return origin

    def show_gradient_flow(self, on: bool = True):
        """Colour edges by the gradient norm of the last backward (needs the window)."""
        return self._window_debug("show_gradient_flow", on)

    def show_saved_bytes(self, on: bool = True):
        """Saved-tensor bytes per node and their total (needs the window)."""
        return self._window_debug("show_saved_bytes", on)

    def saved_memory_timeline(self):
        """A plot of saved bytes alive through forward and backward (needs the window)."""
        return self._window_debug("saved_memory_timeline")

    def mark_baseline(self) -> None:
        """Remember the graph as it is now; ``app.compare()`` shows what changed since."""
        return self._window_debug("mark_baseline")

    def compare(self):
        """Mark what changed since ``mark_baseline()``; returns the Comparison."""
        return self._window_debug("compare")

    def _window_debug(self, name, *args):
        if self.debug is None:
            raise ActionError(f"app.{name}() draws on the graph view: run it in the app's "
                              f"console (gradviz.model has the Qt-free parts)")
        return getattr(self.debug, name)(*args)

    def collapse(self, path: str) -> None:
        """Draw module group ``path`` (``"net.3"``) as one node with its edges; a module
        called more than once (``"net.pool"``), each call (``"net.pool#2"``: its second)."""
        self.model.collapse(path)

    @property
    def layout_direction(self) -> str:
        """Which way the graph is drawn: ``"top-down"`` (inputs at the top, the default) or
        ``"left-right"``; ``app.layout_direction = "left-right"`` turns it (View > Layout
        direction), and saved sessions keep it."""
        return layout_direction(self.model)

    @layout_direction.setter
    def layout_direction(self, direction: str) -> None:
        set_layout_direction(self.model, direction)

    def expand(self, path: str) -> None:
        """Draw module group ``path``'s nodes again, in a labelled box (one level: its
        subgroups stay collapsed), and bring it into view when there is a window."""
        self.model.expand(path)
        if self.show_group is not None:
            self.show_group(path)

    def step(self, k: int) -> Step | None:
        """Show step ``k`` of the last backward (1-based, 0 before the first, -1 the last):
        the view marks steps 1..k, the inspector shows node k. Returns the ``Step``; after
        the tutorial ``app.step(2).caption`` reads ``'2/6 AddBackward0: received a (3,)
        gradient; passed grad -> self, ...'``."""
        steps = self.steps()
        n = len(steps)  # the same Step objects as steps() returns
        if not n:
            raise ActionError("no backward to step through: run loss.backward() first")
        if k < 0:
            k += n + 1
        if not 0 <= k <= n:
            raise IndexError(f"step {k} is out of range: the last backward ran {n} nodes "
                             f"(steps 1..{n}, 0 before the first)")
        if self.show_step is not None:
            self.show_step(k)
        return steps[k - 1] if k else None

    # ------------------------------------------------------------ helpers
    def name_of(self, t) -> str:
        """The user's name for tensor ``t`` (its node's name or a console variable)."""
        nid = self.model.node_of(t)
        if nid is not None and self.model.graph.nodes[nid].get("name"):
            return self.model.graph.nodes[nid]["name"]
        for k, v in user_names(self.namespace).items():
            if v is t and not k.startswith("_"):
                return k
        return "tensor"

    def close(self) -> None:
        """Stop recording (the window is closing); a running statement is interrupted."""
        self.runner.interrupt()
        self.runner.unguard_model(self.model)
        self.model.remove_listener(self._on_model_changed)
