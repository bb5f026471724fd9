"""Grad modes: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``is_grad_enabled``.

Each works as a context manager and as a decorator, as in torch::

    with gradviz.no_grad():
        z = x @ w            # z.requires_grad is False

    @gradviz.no_grad()
    def evaluate(x): ...
"""

from __future__ import annotations

import functools

from gradviz.core.tensors.factories import making


class _State:
    __slots__ = ("enabled", "inference")

    def __init__(self):
        self.enabled = True
        self.inference = False  # inside inference_mode: results are inference tensors


state = _State()


def is_grad_enabled() -> bool:
    """True when new operations are recorded for autograd."""
    return state.enabled


class _GradMode:
    _mode = True

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self._mode

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)

        return wrapper

    def clone(self):
        return self.__class__()


class _NoParamGradMode(_GradMode):
    """Also a decorator without parentheses: ``@no_grad`` as well as ``@no_grad()``."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamGradMode):  # noqa: N801
    """Disable gradient recording inside the block (or the decorated function)."""

    _mode = False


class enable_grad(_NoParamGradMode):  # noqa: N801
    """Enable gradient recording inside the block, even within ``no_grad``."""

    _mode = True


class inference_mode(no_grad):  # noqa: N801
    """``no_grad`` whose results are inference tensors: torch refuses to save them for
    backward, to change them in place or make them require grad outside the block."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return _GradMode.__new__(cls)
        return cls()(mode)

    def __init__(self, mode=True):
        self._inference = mode

    def __enter__(self):
        self._prev = state.enabled
        self._prev_inference = state.inference
        if self._inference:  # inference_mode(False) leaves grad mode as it is
            state.enabled = False
        state.inference = making.inference = bool(self._inference)

    def __exit__(self, *exc):
        state.enabled = self._prev
        state.inference = making.inference = self._prev_inference
        return False

    def __call__(self, func):
        mode = self._inference

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with inference_mode(mode):
                return func(*args, **kwargs)

        return wrapper

    def clone(self):
        return inference_mode(self._inference)


class set_grad_enabled(_GradMode):  # noqa: N801
    """Set grad mode now; as a context manager, restore the previous mode on exit."""

    def __init__(self, mode: bool):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'enabled' (position 1) must be bool, "
                            f"not {type(mode).__name__}")
        self._prev = state.enabled
        self._mode = mode
        state.enabled = mode

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def __call__(self, func):
        state.enabled = self._prev
        mode = self._mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper

    def clone(self):
        return set_grad_enabled(self._mode)
