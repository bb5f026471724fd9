"""Which engine a session records, and starting a new session on another one (no Qt).

    >>> from gradviz.session import Session
    >>> app = Session()
    >>> engine_title(app.model.engine)
    'NumPy engine'
    >>> app.run_source("w = torch.ones(2)")
    >>> app.new_session(engine="numpy")   # a new, empty graph; the names are gone
    >>> len(app.model.graph), app.namespace["torch"] is gradviz, "w" in app.namespace
    (0, True, False)
    >>> app.close()

A new session is what ``gradviz --engine NAME`` starts with: a new ``GraphModel`` on the
engine and the console's names renewed, ``torch`` being that engine's module (the real
torch on the torch engine, gradviz on the NumPy engine). The engine is looked up before
anything changes, so an engine that cannot run here (torch not installed) raises
``EngineUnavailable``, whose message says how to install it, and the current session is
left as it was.
"""

from __future__ import annotations

import numpy as np

import gradviz
from gradviz.model import GraphModel
from gradviz.session.targets import ActionError
from gradviz.torch_alias import real_torch

__all__ = ["console_namespace", "engine_title", "renew", "start_new_session", "torch_is"]

TITLES = {"numpy": "NumPy", "torch": "PyTorch"}
SHELL_NAMES = {"In", "Out", "get_ipython", "exit", "quit"}  # an IPython shell's, kept


def engine_title(engine) -> str:
    """``'NumPy engine'``, or ``'PyTorch 2.13.0 engine'``: what the window's title and
    status bar say."""
    title = TITLES.get(engine.name, engine.name)
    if engine.name == "numpy":
        return f"{title} engine"
    version = getattr(engine.module, "__version__", "")
    return f"{title} {version} engine".replace("  ", " ")


def console_namespace(session, module) -> dict:
    """The names a console starts with: ``torch`` (the engine's module), ``gv`` and
    ``gradviz``, ``np``, ``app`` (the session) and ``sel`` (the selected node's object)."""
    return {"torch": module, "gv": gradviz, "gradviz": gradviz, "np": np, "app": session,
            "sel": None}


def renew(namespace: dict, names: dict) -> None:
    """Empty ``namespace`` of the user's names and put ``names`` in it. The dict stays
    the same object, so every console holding it (an IPython shell's ``user_ns``) sees the
    new names; names starting with ``_`` and IPython's own (``In``, ``Out``...) stay.

    >>> ns = {"w": 1, "In": [], "__builtins__": {}, "torch": None}
    >>> renew(ns, {"torch": "gradviz"}); sorted(ns)
    ['In', '__builtins__', 'torch']
    """
    for name in [n for n in namespace if not n.startswith("_") and n not in SHELL_NAMES]:
        del namespace[name]
    namespace.update(names)


def start_new_session(session, engine: str) -> GraphModel:
    """Give ``session`` a new model on ``engine`` and a new console namespace; the views
    follow ``model_replaced``. Called from a running statement (``app.new_session(...)``
    typed in the console), the switch itself runs on the window's thread: torch watches
    programs per thread, from the thread that started recording."""
    with real_torch():  # typed on the NumPy engine, ``import torch`` is gradviz's meanwhile
        model = GraphModel(engine=engine)  # EngineUnavailable: everything stays as it was

    def switch():
        with real_torch():
            session.set_model(model)
        renew(session.namespace, console_namespace(session, model.engine.module))

    if not session.runner.on_worker():
        switch()
    elif session.run_in_window is not None:
        session.run_in_window(switch)
    else:
        raise ActionError("app.new_session() inside a running statement needs the window: "
                          "call it between statements")
    session.status(f"New session on the {engine_title(model.engine)}: {torch_is(model.engine)}")
    session.write(f"# new session on the {engine_title(model.engine)}: {torch_is(model.engine)}"
                  f"; the graph and your names start empty\n", "command")
    return model


def torch_is(engine) -> str:
    """``"the console's torch is torch 2.13.0"`` (or ``gradviz 0.1.0``)."""
    module = engine.module
    return f"the console's torch is {module.__name__} {getattr(module, '__version__', '')}" \
        .rstrip()
