"""``gradviz.autograd``: ``backward``, ``grad``, ``gradcheck``, the grad-mode helpers and
``Function`` for custom operations with their own backward (its docstring, in
:mod:`gradviz.core.autograd.custom_function`, has an example); ``graph``, the public way to read
the recorded graph (:mod:`gradviz.autograd.graph`)."""

from __future__ import annotations

from gradviz.autograd import function, functional, graph, profiler
from gradviz.autograd.variable import Variable
from gradviz.core.autograd.anomaly_mode import (
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from gradviz.core.autograd.custom_function import Function, FunctionCtx
from gradviz.core.autograd.engine import backward, grad
from gradviz.core.autograd.grad_mode import enable_grad, no_grad, set_grad_enabled
from gradviz.core.autograd.gradcheck import gradcheck, gradgradcheck

__all__ = ["Function", "FunctionCtx", "backward", "function", "profiler",
           "detect_anomaly", "enable_grad", "functional",
           "grad", "gradcheck", "gradgradcheck", "graph", "is_anomaly_check_nan_enabled",
           "is_anomaly_enabled", "no_grad", "set_detect_anomaly", "set_grad_enabled", "Variable"]


from gradviz.torch_alias import missing_attribute  # noqa: E402

__getattr__ = missing_attribute(__name__)
