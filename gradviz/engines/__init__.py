"""Autograd engines the model can watch, looked up by name.

    >>> get_engine("numpy")
    NumpyEngine()
    >>> from gradviz.model import GraphModel
    >>> GraphModel(engine="numpy").engine.name
    'numpy'

What an engine must offer is the protocol in :mod:`gradviz.engines.protocol`. An
engine's module is imported only when it is asked for, so this package stays light
and PyTorch is never imported unless its engine is chosen. A second engine plugs in
by adding its module to ``ENGINES``.
"""

from __future__ import annotations

import importlib
import importlib.util

from gradviz.engines.protocol import Engine, FunctionInfo, SavedValue, TensorInfo

__all__ = ["ENGINES", "Engine", "EngineUnavailable", "FunctionInfo", "SavedValue",
           "TensorInfo", "get_engine"]

# name -> (module, class): imported on first use
ENGINES = {
    "numpy": ("gradviz.engines.numpy_engine", "NumpyEngine"),
    "torch": ("gradviz.engines.torch_engine", "TorchEngine"),
}
# what an engine needs installed beyond gradviz's own dependencies, and how to get it
REQUIRES = {"torch": ("torch", "pip install 'gradviz[torch]'")}

_made: dict[str, Engine] = {}


class EngineUnavailable(RuntimeError):
    """The engine asked for cannot run here (not installed, or not written yet)."""


def get_engine(engine: str | Engine = "numpy") -> Engine:
    """The engine called ``engine`` (one instance per name), or ``engine`` itself when it
    is an engine already. ValueError for an unknown name; ``EngineUnavailable`` when its
    package is missing (the message says how to install it) or it does not exist yet.

    >>> get_engine("torch")  # with torch installed
    TorchEngine()
    """
    if not isinstance(engine, str):
        if not isinstance(engine, Engine):
            raise TypeError(f"engine must be a name or an Engine, not {type(engine).__name__}")
        return engine
    made = _made.get(engine)
    if made is not None:
        return made
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    needs = REQUIRES.get(engine)
    if needs is not None and importlib.util.find_spec(needs[0]) is None:
        raise EngineUnavailable(f"the {engine} engine needs {needs[0]}, which is not "
                                f"installed: {needs[1]}")
    module_name, class_name = ENGINES[engine]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise EngineUnavailable(f"the {engine} engine is not available yet: gradviz runs on "
                                "its NumPy engine (engine='numpy')") from None
    made = _made[engine] = getattr(module, class_name)()
    return made
