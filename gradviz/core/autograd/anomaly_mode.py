"""Anomaly detection, as ``torch.autograd.detect_anomaly`` / ``set_detect_anomaly``.

While it is on, every grad_fn recorded keeps the traceback of the forward call that made
it (``grad_fn.metadata["traceback_"]``, as torch), and backward checks each node's
outputs: a NaN raises ``RuntimeError: Function 'LogBackward0' returned nan values in its
0th output.`` after a warning naming the node and the forward line that created it (an
error raised by a formula gets the same warning)::

    with gradviz.autograd.detect_anomaly():
        y = x.log()
        (y * 0).sum().backward()   # x == 0: 0 / 0 in LogBackward0

Off, it costs backward nothing: the engine picks the checking runner once per call.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
import warnings

import numpy as np

from gradviz.events import dispatcher
from gradviz.events import types as ev

_PACKAGE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENABLED_WARNING = ("Anomaly Detection has been enabled. This mode will increase the runtime "
                   "and should only be enabled for debugging.")


class _State:
    __slots__ = ("enabled", "check_nan", "token")

    def __init__(self):
        self.enabled = False
        self.check_nan = True
        self.token = None


state = _State()


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on (``torch.is_anomaly_enabled``)."""
    return state.enabled


def is_anomaly_check_nan_enabled() -> bool:
    """Whether backward checks its gradients for NaN (``torch.is_anomaly_check_nan_enabled``)."""
    return state.check_nan


def _set(enabled: bool, check_nan: bool) -> None:
    state.enabled = bool(enabled)
    state.check_nan = bool(check_nan)
    if state.enabled and state.token is None:  # forward tracebacks come with FunctionCreated
        state.token = dispatcher.subscribe(_remember_forward)
    elif not state.enabled and state.token is not None:
        dispatcher.unsubscribe(state.token)
        state.token = None


def _user_frames():
    """The stack (outermost first) without gradviz's own frames."""
    frames = traceback.extract_stack(sys._getframe(1))
    return [f for f in frames if not os.path.abspath(f.filename).startswith(_PACKAGE + os.sep)]


def _remember_forward(event) -> None:
    if type(event) is ev.FunctionCreated and event.output_id is not None:
        event.function.metadata["traceback_"] = traceback.format_list(_user_frames())


class set_detect_anomaly:  # noqa: N801 (torch's name)
    """Turn anomaly detection on or off; as a context manager, restores it on exit."""

    def __init__(self, mode: bool, check_nan: bool = True):
        self.prev = (state.enabled, state.check_nan)
        _set(mode, check_nan)

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        _set(*self.prev)
        return False

    def clone(self):
        return self.__class__(state.enabled, state.check_nan)


class detect_anomaly:  # noqa: N801 (torch's name)
    """Context manager (or decorator) turning anomaly detection on in its block."""

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan
        self.prev = (state.enabled, state.check_nan)
        warnings.warn(ENABLED_WARNING, UserWarning, stacklevel=2)

    def __enter__(self):
        self.prev = (state.enabled, state.check_nan)
        _set(True, self.check_nan)

    def __exit__(self, *exc):
        _set(*self.prev)
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return func(*args, **kwargs)
        return wrapper


def _warn_forward(node) -> None:
    name = type(node).__name__
    trace = node.__dict__.get("_metadata", {}).get("traceback_")
    if trace is None:
        text = (f"Error detected in {name}. No forward pass information available. Enable "
                "detect anomaly during forward pass for more information.")
    else:
        text = (f"Error detected in {name}. Traceback of forward call that caused the "
                "error:\n" + "".join(trace))
    warnings.warn(text, UserWarning, stacklevel=4)


def _has_nan(g) -> bool:
    data = g if isinstance(g, np.ndarray) else getattr(g, "_data", None)
    if not isinstance(data, np.ndarray) or data.dtype.kind not in "fc":
        return False
    return bool(np.isnan(data).any())


def checking(apply_node):
    """``apply_node`` that warns with the forward traceback when a node fails and, with
    ``check_nan``, raises when it returns NaN (what the engine runs in anomaly mode)."""
    check_nan = state.check_nan

    def run_checked(node, grad, tensor_mode):
        try:
            grads = apply_node(node, grad, tensor_mode)
        except Exception:
            _warn_forward(node)
            raise
        if check_nan:
            for i, g in enumerate(grads):
                if g is not None and _has_nan(g):
                    _warn_forward(node)
                    raise RuntimeError(f"Function '{type(node).__name__}' returned nan "
                                       f"values in its {i}th output.")
        return grads

    return run_checked
