"""One LSTM layer over a sequence, as torch's oneDNN kernel computes and records it (one
MkldnnRnnLayerBackward0 node over the input, weights and initial state): what a float32
``nn.LSTM`` runs per layer and direction, and ``torch.mkldnn_rnn_layer``."""

from __future__ import annotations

import numpy as np

from gradviz.core.autograd.record import apply_op
from gradviz.core.optable import matrix_helpers as M
from gradviz.core.optable import recurrent as R
from gradviz.core.tensors.tensor import Tensor

__all__ = ["lstm_layer", "mkldnn_rnn_layer"]


def lstm_layer(input, weight_ih, weight_hh, bias_ih, bias_hh, hx, cx, reverse=False):
    """``(output, h, c)`` of one LSTM layer: input (L, N, H_in), state (N, H)."""
    raw = [None if t is None else t._data for t in (input, weight_ih, weight_hh, bias_ih,
                                                    bias_hh, hx, cx)]
    out, h, c, cache = M.lstm_layer(*raw, reverse)
    inputs = (input, weight_ih, weight_hh, bias_ih, bias_hh, hx, cx)
    attrs = (out, h, c, cache)
    return tuple(apply_op(op, inputs, attrs, data=data) for op, data in
                 ((R.LSTM_OUTPUT, out), (R.LSTM_H, h), (R.LSTM_C, c)))




def mkldnn_rnn_layer(input, weight0, weight1, weight2, weight3, hx_, cx_, reverse,
                     batch_sizes, mode, hidden_size, num_layers, has_biases, bidirectional,
                     batch_first, train):
    """torch.mkldnn_rnn_layer (an LSTM layer; ``mode`` 2): ``(output, hy, cy, workspace)``."""
    if batch_first:
        input = input.transpose(0, 1)
    b_ih, b_hh = (weight2, weight3) if has_biases else (None, None)
    out, h, c = lstm_layer(input, weight0, weight1, b_ih, b_hh, hx_, cx_, reverse)
    if batch_first:
        out = out.transpose(0, 1)
    return out, h, c, Tensor._make(np.zeros(0, np.uint8))
