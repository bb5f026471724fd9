"""Ops that backward formulas call, recorded under ``create_graph=True`` with torch's names.

torch computes many derivatives with functions of their own, so a double backward shows
those functions' nodes: relu's ``threshold_backward`` records ``ThresholdBackwardBackward0``,
tanh's ``TanhBackwardBackward0``, a slice's ``SliceBackwardBackward0``, indexing's
``IndexPutImplBackward0``, a gradient scaled by a number ``MulBackward1``, and so on for
sigmoid, softmax, log_softmax and the losses. Each row here is one of those functions, with
its own derivatives (a third order works too); ``ops/derivatives.py`` calls them on Tensors.
``sgn`` and ``sign`` are also the user's ``gradviz.sgn``/``sign``.
"""

from __future__ import annotations

import numpy as np

from gradviz.core.optable import derivatives as D
from gradviz.core.optable import helpers as H
from gradviz.core.optable import nn_helpers as N
from gradviz.core.optable.table import row


def _sign(x):
    if x.dtype == np.bool_:
        return x.copy()  # a bool is its own sign
    out = np.sign(x)
    return np.nan_to_num(out, nan=0.0, posinf=1.0, neginf=-1.0) if x.dtype.kind == "f" else out


SGN = row("sgn", "SgnBackward0", ("self",), _sign, self="sgn_backward(self, grad, result)",
          readable={"self": "0 (flat wherever it is defined)"})
SIGN = row("sign", "SignBackward0", ("self",), _sign, self="zeros_like(grad)",
           readable={"self": "0 (flat wherever it is defined)"})
THRESHOLD_BACKWARD = row(
    "threshold_backward", "ThresholdBackwardBackward0", ("grad_output", "self"),
    D.threshold_backward, attrs=("threshold",),
    grad_output="threshold_backward(grad, self, threshold)", self="zeros_like(grad)",
    readable={"grad_output": "grad where self > threshold, else 0", "self": "0"})
TANH_BACKWARD = row(
    "tanh_backward", "TanhBackwardBackward0", ("grad_output", "output"), D.tanh_backward,
    grad_output="tanh_backward(grad, output)", output="grad * (scale(output, -2) * grad_output)",
    readable={"grad_output": "grad * (1 - output²)", "output": "grad * -2 * output * grad_output"})
ELU_BACKWARD = row(
    "elu_backward", "EluBackwardBackward0", ("grad_output", "self_or_result"), D.elu_backward,
    attrs=("alpha", "scale", "input_scale", "is_result"),
    grad_output="elu_backward(grad, self_or_result, alpha, scale, input_scale, is_result)",
    self_or_result="elu_double_backward(grad, grad_output, alpha, scale, input_scale, "
                   "is_result, self_or_result)",
    readable={"grad_output": "grad where x > 0, else grad * alpha * exp(x)"})
HARDSWISH_BACKWARD = row(
    "hardswish_backward", "HardswishBackwardBackward0", ("grad_output", "self"),
    D.hardswish_backward, grad_output="hardswish_backward(grad, self)",
    self="hardswish_double_backward(grad, grad_output, self)",
    readable={"grad_output": "0 below -3, grad * (self / 3 + 1/2) up to 3, grad above",
              "self": "grad * grad_output / 3 where -3 < self < 3"})
# torch has no derivative for hardsigmoid_backward: its node is NotImplemented
HARDSIGMOID_BACKWARD = row(
    "hardsigmoid_backward", "NotImplemented", ("grad_output", "self"), D.hardsigmoid_backward,
    grad_output="not_implemented('hardsigmoid_backward')",
    self="not_implemented('hardsigmoid_backward')")
LOG_SIGMOID_BACKWARD = row(
    "log_sigmoid_backward", "LogSigmoidBackwardBackward0", ("grad_output", "self"),
    D.log_sigmoid_backward, grad_output="log_sigmoid_backward(grad, self)",
    self="log_sigmoid_double_backward(grad * grad_output, self)",
    readable={"grad_output": "grad * sigmoid(-self)",
              "self": "grad * grad_output * (s - 1) * s, s = sigmoid(self)"})
HARDTANH_BACKWARD = row(
    "hardtanh_backward", "HardtanhBackwardBackward0", ("grad_output", "self"),
    D.hardtanh_backward, attrs=("min_val", "max_val"),
    grad_output="hardtanh_backward(grad, self, min_val, max_val)", self="zeros_like(grad)",
    readable={"grad_output": "grad where min_val < self < max_val, else 0", "self": "0"})
LEAKY_RELU_BACKWARD = row(
    "leaky_relu_backward", "LeakyReluBackwardBackward0", ("grad_output", "self"),
    D.leaky_relu_backward, attrs=("negative_slope",),
    grad_output="leaky_relu_backward(grad, self, negative_slope)", self="zeros_like(grad)",
    readable={"grad_output": "grad where self > 0, else grad * negative_slope", "self": "0"})
SOFTPLUS_BACKWARD = row(
    "softplus_backward", "SoftplusBackwardBackward0", ("grad_output", "self"),
    D.softplus_backward, attrs=("beta", "threshold"),
    grad_output="softplus_backward(grad, self, beta, threshold)",
    self="softplus_double_backward(grad * grad_output, self, beta, threshold)",
    readable={"grad_output": "grad * sigmoid(beta * self)",
              "self": "grad * grad_output * beta * s (1 - s), s = sigmoid(beta * self)"})
SIGMOID_BACKWARD = row(
    "sigmoid_backward", "SigmoidBackwardBackward0", ("grad_output", "output"),
    D.sigmoid_backward, grad_output="sigmoid_backward(grad, output)",
    output="grad * grad_output * shift(scale(output, -2), 1)",
    readable={"grad_output": "grad * output * (1 - output)",
              "output": "grad * grad_output * (1 - 2 * output)"})
SOFTMAX_BACKWARD_DATA = row(
    "softmax_backward_data", "SoftmaxBackwardDataBackward0", ("grad_output", "output"),
    N.softmax_backward, attrs=("dim",), grad_output="softmax_backward(grad, output, dim)",
    output="softmax_double_backward(grad, grad_output, dim, output)",
    readable={"grad_output": "output * (grad - sum(grad * output, dim))"})
LOG_SOFTMAX_BACKWARD_DATA = row(
    "log_softmax_backward_data", "LogSoftmaxBackwardDataBackward0", ("grad_output", "output"),
    N.log_softmax_backward, attrs=("dim",),
    grad_output="grad - sum_keepdim(grad * exp(output), dim)",
    output="-sum_keepdim(grad_output, dim) * exp(output) * grad")
NLL_LOSS_BACKWARD = row(
    "nll_loss_backward", "NllLossBackwardBackward0", ("grad_output", "self"), N.nll_backward,
    attrs=("target", "weight", "reduction", "ignore_index", "total_weight"),
    grad_output="nll_loss(grad, target, weight, reduction, ignore_index, total_weight)",
    self="zeros_like(grad)", readable={"grad_output": "nll_loss(grad)", "self": "0"})
MUL_SCALAR = row("mul_scalar", "MulBackward1", ("self",), lambda x, number: x * number,
                 attrs=("other",), self="scale(grad, other)", readable={"self": "grad * other"})
ADD_SCALAR = row("add_scalar", "AddBackward1", ("self",), lambda x, number: x + number,
                 attrs=("other",), self="grad", readable={"self": "grad"})
SUB_SCALAR = row("sub_scalar", "SubBackward1", ("self",), lambda x, number: x - number,
                 attrs=("other",), self="grad", readable={"self": "grad"})
DIV_SCALAR = row("div_scalar", "DivBackward1", ("self",), lambda x, number: x / number,
                 attrs=("other",), self="div_scalar(grad, other)",
                 readable={"self": "grad / other"})
MSE_LOSS_BACKWARD = row(
    "mse_loss_backward", "MseLossBackwardBackward0", ("grad_output", "self", "target"),
    D.mse_loss_backward, attrs=("reduction",),
    grad_output="mse_double_backward_grad_output(grad, grad_output, self, target, reduction)",
    self="mse_double_backward(grad * grad_output, self, reduction)",
    target="-mse_double_backward(grad * grad_output, target, reduction)",
    readable={"grad_output": "sum(2 (self - target) grad) [/ N for mean]",
              "self": "2 grad grad_output [/ N for mean]",
              "target": "-2 grad grad_output [/ N for mean]"})


def _index_put_accumulate(zeros, values, indices):
    out = np.array(zeros)
    np.add.at(out, indices, values)
    return out


SLICE_BACKWARD = row(
    "slice_backward", "SliceBackwardBackward0", ("grad_output",), H.scatter_into,
    attrs=("input_sizes", "key"), grad_output="take(grad, key)",
    readable={"grad_output": "grad[the slice]"})
SELECT_BACKWARD = row(
    "select_backward", "SelectBackwardBackward0", ("grad_output",), H.scatter_into,
    attrs=("input_sizes", "key"), grad_output="take(grad, key)",
    readable={"grad_output": "grad[the index]"})
INDEX_PUT_IMPL = row(
    "index_put_impl", "IndexPutImplBackward0", ("self", "values"), _index_put_accumulate,
    attrs=("indices",), self="grad", values="take(grad, indices)",
    readable={"values": "grad[indices]"})
BCE_BACKWARD = row(
    "binary_cross_entropy_backward", "BinaryCrossEntropyBackwardBackward0",
    ("grad_output", "self", "target"), D.bce_backward, attrs=("weight", "reduction"),
    grad_output="bce_double_backward_grad_output(grad, self, target, weight, reduction)",
    self="bce_double_backward(grad_output, grad, self, target, weight, reduction)",
    target="bce_double_backward_target(grad, grad_output, self, target, weight, reduction)",
    readable={"self": "grad grad_output (self² - 2 self target + target) / (self (1 - self))²"})
