"""``import torch`` resolves to gradviz while the user's code runs.

The app runs console statements, scripts and tutorial cells inside :func:`torch_alias`, so
code written for PyTorch runs unchanged on the NumPy engine::

    with torch_alias():
        exec("import torch.nn as nn\\nfrom torch.autograd import Variable", namespace)
    namespace["nn"] is gradviz.nn          # True

Only while the block runs: on entry the real ``torch`` modules (if the process imported
any) are set aside and a finder at the front of ``sys.meta_path`` maps ``torch`` and
``torch.<sub>`` to ``gradviz`` and ``gradviz.<sub>``; on exit the aliases are dropped and
the real modules put back, so the user's own torch elsewhere in the process is untouched.
Blocks nest (``app.run_file`` called from a console statement).

A name gradviz lacks fails as torch's would, saying why: ``torch.fft`` raises
``ModuleNotFoundError`` and ``torch.foo`` ``AttributeError`` (:func:`missing_attribute`),
both naming the NumPy engine and ``gradviz --engine torch``.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.util
import sys
import threading

__all__ = ["missing_attribute", "real_torch", "torch_alias", "torch_imports", "torch_name"]

ENGINE_HINT = "gradviz's NumPy engine does not have it; `gradviz --engine torch` runs real PyTorch"

_lock = threading.RLock()
_depth = 0
_saved: dict = {}


def torch_name(module_name: str) -> str:
    """``gradviz.nn.functional`` -> ``torch.nn.functional``: the name the user typed."""
    if module_name.startswith("gradviz"):
        return "torch" + module_name[len("gradviz"):]
    return module_name


def missing_attribute(module_name: str):
    """A module ``__getattr__`` whose AttributeError names the torch attribute and the engine.

    >>> __getattr__ = missing_attribute(__name__)      # at the end of a public module
    """
    public = torch_name(module_name)

    def __getattr__(name: str):
        message = f"module {module_name!r} has no attribute {name!r}"
        if name.startswith("__"):  # probes such as __wrapped__ get Python's plain error
            raise AttributeError(message)
        raise AttributeError(f"{message} ({public}.{name}): {ENGINE_HINT}")

    return __getattr__


class _Alias(importlib.abc.Loader):
    """Hands out an already imported gradviz module under its torch name."""

    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        pass


class _TorchFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        real = "gradviz" + fullname[len("torch"):]
        try:
            module = importlib.import_module(real)
        except ModuleNotFoundError as e:
            if e.name != real:
                raise
            raise ModuleNotFoundError(f"No module named {fullname!r}: {ENGINE_HINT}",
                                      name=fullname) from None
        is_package = hasattr(module, "__path__")
        return importlib.util.spec_from_loader(fullname, _Alias(module), is_package=is_package)


_finder = _TorchFinder()


def _is_torch(name: str) -> bool:
    return name == "torch" or name.startswith("torch.")


@contextlib.contextmanager
def torch_alias():
    """While the block runs, ``import torch`` (and ``torch.nn``, ...) gives gradviz."""
    global _depth
    with _lock:
        if _depth == 0:
            _saved.clear()
            for name in [n for n in sys.modules if _is_torch(n)]:
                _saved[name] = sys.modules.pop(name)
            sys.meta_path.insert(0, _finder)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                with contextlib.suppress(ValueError):
                    sys.meta_path.remove(_finder)
                for name in [n for n in sys.modules if _is_torch(n)]:
                    del sys.modules[name]
                sys.modules.update(_saved)
                _saved.clear()


@contextlib.contextmanager
def real_torch():
    """Inside a :func:`torch_alias` block, ``import torch`` gives the real torch again for
    the length of this one (the torch engine loading, from ``app.new_session(engine=
    "torch")`` typed on the NumPy engine); real modules imported meanwhile are put back
    with the others when the outer block ends. Outside one it changes nothing."""
    with _lock:
        active = _depth > 0
        aliases = {}
        if active:
            with contextlib.suppress(ValueError):
                sys.meta_path.remove(_finder)
            aliases = {n: sys.modules.pop(n) for n in [n for n in sys.modules if _is_torch(n)]}
            sys.modules.update(_saved)
    try:
        yield
    finally:
        if active:
            with _lock:
                for name in [n for n in sys.modules if _is_torch(n)]:
                    _saved[name] = sys.modules.pop(name)
                sys.modules.update(aliases)
                sys.meta_path.insert(0, _finder)


def torch_imports(engine_name: str):
    """What ``import torch`` gives in code run for an engine: gradviz for the NumPy engine
    (:func:`torch_alias`), the real torch for the torch engine (nothing to change)."""
    return torch_alias() if engine_name == "numpy" else contextlib.nullcontext()
