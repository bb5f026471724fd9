"""A whole LSTM layer as torch's CPU kernel records it: one MkldnnRnnLayerBackward0 node over
the input, the four weights and the initial state (here one node per output: the outputs,
the last h and the last c, as for the other several-output ops), whose backward is
backpropagation through time."""

from __future__ import annotations

from gradviz.core.optable.table import row

_INPUTS = ("input", "weight_ih", "weight_hh", "bias_ih", "bias_hh", "hx", "cx")


def _formulas(output):
    return {name: f"lstm_layer_backward(grad, {k}, {output}, input, weight_ih, weight_hh, "
                  f"bias_ih, hx, cache)" for k, name in enumerate(_INPUTS)}


def _pick(k):
    return lambda *args: args[len(_INPUTS) + k]


_READABLE = {"input": "backpropagation through time (each step's gates, last step first)"}
LSTM_OUTPUT = row("lstm_layer_output", "MkldnnRnnLayerBackward0", _INPUTS, _pick(0),
                  attrs=("output", "h", "c", "cache"), readable=_READABLE, **_formulas(0))
LSTM_H = row("lstm_layer_h", "MkldnnRnnLayerBackward0", _INPUTS, _pick(1),
             attrs=("output", "h", "c", "cache"), readable=_READABLE, **_formulas(1))
LSTM_C = row("lstm_layer_c", "MkldnnRnnLayerBackward0", _INPUTS, _pick(2),
             attrs=("output", "h", "c", "cache"), readable=_READABLE, **_formulas(2))
