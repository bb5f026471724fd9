"""Which engine a session records, and starting a new session on another one (no Qt).

    >>> from gradviz.session import Session
    >>> app = Session()
    >>> engine_title(app.model.engine)
    'NumPy engine'
    >>> model = app.new_session(engine="numpy")   # a new, empty graph and console namespace
    >>> model is app.model and app.namespace["torch"] is gradviz
    True
    >>> app.close()

A new session is what ``gradviz --engine NAME`` starts with: a new ``GraphModel`` on the
engine and a new console namespace whose ``torch`` is that engine's module (the real
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

__all__ = ["console_namespace", "engine_title", "start_new_session"]

TITLES = {"numpy": "NumPy", "torch": "PyTorch"}


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


def start_new_session(session, engine: str) -> GraphModel:
    """Give ``session`` a new model on ``engine`` and a new console namespace; the views
    follow ``model_replaced``. Called from a running statement (``app.new_session(...)``
    typed in the console), the switch itself runs on the window's thread: torch watches
    programs per thread, from the thread that started recording."""
    model = GraphModel(engine=engine)  # EngineUnavailable here leaves everything as it was

    def switch():
        session.namespace = console_namespace(session, model.engine.module)
        session.set_model(model)

    if not session.runner.on_worker():
        switch()
    elif session.run_in_window is not None:
        session.run_in_window(switch)
    else:
        raise ActionError("app.new_session() inside a running statement needs the window: "
                          "call it between statements")
    module = model.engine.module
    session.status(f"New session on the {engine_title(model.engine)}: the console's torch is "
                   f"{module.__name__} {getattr(module, '__version__', '')}".rstrip())
    return model
