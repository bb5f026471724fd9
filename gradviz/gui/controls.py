"""What the user can do to the graph: the ``app`` API and the actions that call it.

``Controls`` is mixed into the main window; its methods are the ``app`` object of the
console. ``ACTIONS`` lists every toolbar / menu entry with its shortcut (Help > Keyboard
shortcuts shows the same table). An action that fails reports torch's message in the
status bar and the console and leaves the app as it was.
"""

from __future__ import annotations

import traceback
from pathlib import Path

from gradviz.gui.console import user_names
from gradviz.gui.hints import hint

# key, menu text, shortcut, what it does (tooltip), in the toolbar
ACTIONS = (
    ("backward", "Backward", "Ctrl+B", "loss.backward() from the selected output", True),
    ("backward_retain", "Backward (retain graph)", "Ctrl+Shift+B",
     "backward(retain_graph=True): the saved tensors stay, backward can run again", True),
    ("zero_grad", "Zero grad", "Ctrl+G", "grad.zero_() on the selected leaf, or all leaves", True),
    ("grad_none", "Set grad to None", "Ctrl+Shift+G", "grad = None on the selected leaf, or all",
     False),
    ("detach", "Detach", "Ctrl+D", "detach() the selected tensor into a new console variable",
     True),
    ("requires_grad", "Toggle requires_grad", "Ctrl+R", "requires_grad_() on the selected leaf",
     False),
    ("clear", "Clear graph", "Ctrl+Shift+Del", "forget the drawn graph (tensors stay alive)",
     False),
    ("create_graph", "create_graph", "", "backward(create_graph=True): record the backward pass "
     "itself, for higher-order gradients", False),
    ("fit", "Fit", "Ctrl+0", "show the whole graph", True),
    ("zoom_in", "Zoom in", "Ctrl+=", "zoom in (also the mouse wheel)", False),
    ("zoom_out", "Zoom out", "Ctrl+-", "zoom out", False),
    ("find", "Find", "Ctrl+F", "find a node by variable or torch name", False),
    ("legend", "Legend", "Ctrl+L", "show or hide the legend", False),
    ("dark", "Dark theme", "Ctrl+T", "switch between the light and dark theme", False),
    ("no_grad", "Console under no_grad", "Ctrl+Shift+N",
     "run console statements inside torch.no_grad()", False),
    ("export", "Export…", "Ctrl+E", "write the graph as .png, .svg, .dot, .graphml or .json", True),
    ("save_image", "Save window image…", "Ctrl+Shift+S", "a PNG screenshot of the window", False),
    ("save_session", "Save session…", "Ctrl+S", "the model as a session JSON file", False),
    ("load_session", "Load session…", "Ctrl+Shift+O", "replace the graph by a saved session",
     False),
    ("run_file", "Run file…", "Ctrl+O", "run a Python script in the console", True),
    ("console", "Focus console", "Ctrl+K", "put the cursor in the console", False),
    ("lessons", "Tutorial", "F7", "the autograd tutorial, cell by cell, each cell runnable",
     False),
    ("lesson_next", "Run next tutorial cell", "F8", "run the tutorial cell after the last one "
     "run", False),
    ("stepper", "Backward stepper", "F6", "replay the last backward node by node", False),
    ("step_first", "First backward step", "Alt+Home", "the first node the last backward ran",
     False),
    ("step_prev", "Previous backward step", "Alt+Left", "one node back in the last backward",
     False),
    ("step_play", "Play / pause backward steps", "F5", "replay the last backward at the "
     "stepper's speed", False),
    ("step_next", "Next backward step", "Alt+Right", "the next node the last backward ran",
     False),
    ("step_last", "Last backward step", "Alt+End", "the last node the last backward ran", False),
    ("shortcuts", "Keyboard shortcuts", "F1", "this list", False),
    ("quit", "Quit", "Ctrl+Q", "close gradviz", False),
)


class ActionError(Exception):
    """A control that cannot apply to the current selection (no tensor selected, ...)."""


class Controls:
    """The ``app`` API (the main window mixes it in).

    Examples, as typed in the console::

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

    Methods raise torch's errors (a second backward without retain_graph raises
    RuntimeError); the toolbar and menu actions catch them and show the message.
    """

    # ------------------------------------------------------------ targets
    def node_object(self, nid):
        """The live Tensor or grad_fn of node ``nid`` (None once it is gone)."""
        t = self.model.tensor(nid)
        return t if t is not None else self.model.function(nid)

    def _resolve(self, obj):
        """A Tensor or grad_fn from an object, node id, variable name or the selection."""
        if obj is None:
            nid = self.view.selected
            if nid is None:
                return None
            return self.node_object(nid)
        if isinstance(obj, str):
            if obj not in self.namespace:
                raise ActionError(f"no console variable named {obj!r}")
            return self.namespace[obj]
        if isinstance(obj, int) and not isinstance(obj, bool):
            return self.node_object(obj)
        return obj

    def _is_tensor(self, obj) -> bool:
        return self.model.engine.is_tensor(obj)

    def _tensor(self, obj, what: str):
        t = self._resolve(obj)
        if not self._is_tensor(t):
            raise ActionError(f"{what}: select a tensor node (a leaf or an output) first")
        return t

    def _backward_root(self, obj):
        t = self._resolve(obj)
        if t is not None and not self._is_tensor(t):  # a grad_fn: the output it made
            fid = self.model.node_of(t)
            outs = [self.model.tensor(n) for n in self.model.graph.successors(fid)
                    if self.model.graph.nodes[n].get("role") == "output"] if fid is not None else []
            t = next((o for o in outs if o is not None), None)
        if t is None:
            graph = self.model.graph
            held = [n for n, d in graph.nodes(data=True)
                    if d.get("role") == "output" and not d.get("released")]
            t = next((self.model.tensor(n) for n in sorted(held, reverse=True)
                      if self.model.tensor(n) is not None), None)
        if not self._is_tensor(t):
            raise ActionError("Backward: select an output tensor (such as loss) first")
        return t

    def _leaves(self, tensors):
        if tensors is None:
            sel = self._resolve(None)
            if self._is_tensor(sel) and sel.is_leaf:
                return [sel]
            graph = self.model.graph
            found = [self.model.tensor(n) for n, d in graph.nodes(data=True)
                     if d.get("role") == "leaf" and d.get("requires_grad")]
            return [t for t in found if t is not None]
        if isinstance(tensors, str | int) or self._is_tensor(tensors):
            tensors = [tensors]
        return [self._tensor(t, "zero_grad") for t in tensors]

    # ------------------------------------------------------------ the API
    def select(self, obj) -> None:
        """Select the node of ``obj`` (Tensor, grad_fn, node id or variable name).

        ``app.select(None)`` clears the selection. Returns None, so the console echoes
        nothing; the selected node's id is ``app.view.selected``."""
        if obj is None:
            self.view.select(None)
            return
        graph = self.model.graph
        if isinstance(obj, int) and not isinstance(obj, bool) and obj in graph:
            nid = obj
        else:
            nid = self.model.node_of(self._resolve(obj))
        if nid is None:
            raise ActionError(f"{obj!r} is not in the graph")
        self.view.select(nid, center=True)

    def backward(self, t=None, retain_graph: bool = False, create_graph: bool = False,
                 gradient=None):
        """``t.backward(gradient, retain_graph, create_graph)``; ``t`` defaults to the
        selected output (or the latest one). Returns ``t``."""
        t = self._backward_root(t)
        with self.model.batch():
            t.backward(gradient, retain_graph=retain_graph or None, create_graph=create_graph)
        self.status(f"backward() from {self._name(t)} done"
                    + (" (graph retained)" if retain_graph else ""))
        return t

    def zero_grad(self, tensors=None) -> list:
        """``.grad.zero_()`` on ``tensors`` (default: the selected leaf, else every leaf)."""
        leaves = [t for t in self._leaves(tensors) if t.grad is not None]
        with self.model.batch():
            for t in leaves:
                t.grad.zero_()
        self.status(f"zeroed the grad of {len(leaves)} tensor(s)")
        return leaves

    def set_grad_none(self, tensors=None) -> list:
        """``t.grad = None`` on ``tensors`` (default: the selected leaf, else every leaf)."""
        leaves = self._leaves(tensors)
        with self.model.batch():
            for t in leaves:
                t.grad = None
        self.status(f"set grad to None on {len(leaves)} tensor(s)")
        return leaves

    def detach(self, t=None, name: str | None = None):
        """``t.detach()`` stored as a new console variable (``<name>_det``); returns it."""
        t = self._tensor(t, "Detach")
        if name is None:
            base = f"{self._name(t)}_det"
            name, k = base, 2
            while name in self.namespace:
                name, k = f"{base}{k}", k + 1
        with self.model.batch():
            d = t.detach()
            self.namespace[name] = d
            self.model.set_names(user_names(self.namespace))
        self.console.write(f"# {name} = {self._name(t)}.detach()\n")
        self.status(f"{name} = {self._name(t)}.detach(): a new tensor without history")
        return d

    def toggle_requires_grad(self, t=None):
        """``t.requires_grad_(not t.requires_grad)`` on a leaf."""
        t = self._tensor(t, "requires_grad")
        with self.model.batch():
            t.requires_grad_(not t.requires_grad)
        return t

    def clear(self) -> None:
        """Forget the drawn graph; the console's tensors stay alive."""
        self.model.clear()
        self.view.select(None)
        self.view.refresh()
        self.status("graph cleared")

    def run_file(self, path):
        """Run a Python script in the console namespace; returns its exception or None."""
        path = Path(path)
        error = self.console.run_source(path.read_text(encoding="utf-8"), str(path))
        self.add_recent(path)
        if error is None:
            self.status(f"ran {path.name}")
        return error

    def export(self, path) -> Path:
        """Write the whole graph to ``path``: .png .svg (drawn) or .dot .graphml .json."""
        from gradviz.gui.render import write_any

        driver = self.view.layout_driver
        driver.wait(10_000)  # a layout still running after that: export the places shown
        out = write_any(self.model, path, theme=self.theme.name, positions=driver.positions())
        self.status(f"exported {out}")
        return out

    def save_image(self, path) -> Path:
        """A PNG screenshot of the window as it is now."""
        from gradviz.gui.render import save_png

        path = Path(path)
        save_png(self.grab().toImage(), path)  # ExportError with the OS's reason
        self.status(f"saved {path}")
        return path

    def steps(self) -> list:
        """The last backward pass: one ``Step`` per node run, in the engine's order.

            >>> [s.name for s in app.steps()][:2]
            ['BinaryCrossEntropyWithLogitsBackward0', 'AddBackward0']
        """
        return self.stepper.steps

    def step(self, k: int):
        """Show step ``k`` of the last backward (1-based, 0 before the first, -1 the last):
        the view marks steps 1..k, the inspector shows node k. Returns the ``Step``.

            >>> app.step(2).caption
            '2/6 AddBackward0: received a (3,) gradient; passed grad -> self, ...'
        """
        n = len(self.stepper.steps)
        if not n:
            raise ActionError("no backward to step through: run loss.backward() first")
        if k < 0:
            k += n + 1
        if not 0 <= k <= n:
            raise IndexError(f"step {k} is out of range: the last backward ran {n} nodes "
                             f"(steps 1..{n}, 0 before the first)")
        self.stepper_dock.show()
        self.stepper_dock.raise_()
        return self.stepper.go(k)

    # ------------------------------------------------------------ helpers
    def _name(self, t) -> str:
        nid = self.model.node_of(t)
        if nid is not None and self.model.graph.nodes[nid].get("name"):
            return self.model.graph.nodes[nid]["name"]
        for k, v in user_names(self.namespace).items():
            if v is t and not k.startswith("_"):
                return k
        return "tensor"

    def guarded(self, title: str, fn, *args, **kwargs):
        """Run an action; an error is reported (status bar and console), never raised."""
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            self.report_error(title, exc)
            return None

    def report_error(self, title: str, exc: BaseException) -> None:
        message = f"{type(exc).__name__}: {exc}"
        self.last_error = exc
        self.status(f"{title} failed: {message}", error=True)
        if isinstance(exc, ActionError):
            self.console.write(f"# {exc}\n")
        else:
            tb = "".join(traceback.format_exception_only(type(exc), exc))
            self.console.write(f"# {title} failed:\n{tb}" + (hint(exc) or ""))

    def ones_for(self, t):
        return self.model.engine.module.ones_like(t)
