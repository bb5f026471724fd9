"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` (any number of layers, bidirectional,
``batch_first``, dropout between layers) and their cells, with torch's parameters (names,
shapes, the same initial values from the same seed) and torch's gate equations. Each time
step is recorded op by op (``AddmmBackward0``, ``SigmoidBackward0``, ``MulBackward0``...),
as torch records RNN, GRU and a float64 LSTM; a float32 LSTM layer is one
MkldnnRnnLayerBackward0 node, as torch's oneDNN kernel records it.

    >>> lstm = torch.nn.LSTM(input_size=3, hidden_size=4, num_layers=2, batch_first=True)
    >>> out, (h, c) = lstm(torch.randn(5, 7, 3))
    >>> out.shape, h.shape, c.shape
    (torch.Size([5, 7, 4]), torch.Size([2, 5, 4]), torch.Size([2, 5, 4]))
"""

from __future__ import annotations

import math

import numpy as np

from gradviz.core.functions import shape as SH
from gradviz.core.functions.nn_functional import linear
from gradviz.core.functions.recurrent import lstm_layer
from gradviz.core.tensors.dtypes import to_numpy_dtype
from gradviz.core.tensors.factories import get_default_dtype
from gradviz.core.tensors.tensor import Tensor
from gradviz.nn import init
from gradviz.nn.dropout import dropout
from gradviz.nn.module import Module
from gradviz.nn.parameter import Parameter

__all__ = ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNBase", "RNNCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _empty(shape, dtype):
    np_dtype = to_numpy_dtype(dtype, "RNN") if dtype is not None else get_default_dtype().np
    return Parameter(Tensor._make(np.zeros(shape, np_dtype)))


# ---------------------------------------------------------------- one step
def rnn_tanh_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    return (linear(x, w_ih, b_ih) + linear(h, w_hh, b_hh)).tanh()


def rnn_relu_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    return (linear(x, w_ih, b_ih) + linear(h, w_hh, b_hh)).relu()


def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    """``i, f, g, o`` gates; ``c' = f c + i g``, ``h' = o tanh(c')``."""
    h, c = state
    gates = linear(x, w_ih, b_ih) + linear(h, w_hh, b_hh)
    i, f, g, o = gates.chunk(4, 1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c.tanh(), c


def gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    """``r, z`` gates, ``n = tanh(x_n + r * h_n)``; ``h' = n + z (h - n)``."""
    gi = linear(x, w_ih, b_ih)
    gh = linear(h, w_hh, b_hh)
    i_r, i_z, i_n = gi.chunk(3, 1)
    h_r, h_z, h_n = gh.chunk(3, 1)
    r = (i_r + h_r).sigmoid()
    z = (i_z + h_z).sigmoid()
    n = (i_n + r * h_n).tanh()
    return n + z * (h - n)


_CELLS = {"RNN_TANH": rnn_tanh_cell, "RNN_RELU": rnn_relu_cell, "LSTM": lstm_cell,
          "GRU": gru_cell}


# ---------------------------------------------------------------- layers
class RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameters per layer and direction
    (``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``, ``..._reverse``),
    all drawn from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), and the loop over layers,
    directions and time steps."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):
        super().__init__()
        if proj_size:
            raise NotImplementedError("gradviz's recurrent layers have no proj_size")
        if not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, 0
        gate_size = _GATES[mode] * hidden_size
        directions = 2 if bidirectional else 1
        self._flat_weights_names = []
        for layer in range(num_layers):
            for direction in range(directions):
                size_in = input_size if layer == 0 else hidden_size * directions
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                names = [f"weight_ih{suffix}", f"weight_hh{suffix}"]
                shapes = [(gate_size, size_in), (gate_size, hidden_size)]
                if bias:
                    names += [f"bias_ih{suffix}", f"bias_hh{suffix}"]
                    shapes += [(gate_size,), (gate_size,)]
                for name, shape in zip(names, shapes, strict=True):
                    setattr(self, name, _empty(shape, dtype))
                self._flat_weights_names += names
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def all_weights(self):
        per = 4 if self.bias else 2
        flat = [getattr(self, n) for n in self._flat_weights_names]
        return [flat[i:i + per] for i in range(0, len(flat), per)]

    def _weights(self, layer, direction):
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        get = (lambda n: getattr(self, n + suffix)) if self.bias else None
        w_ih, w_hh = getattr(self, "weight_ih" + suffix), getattr(self, "weight_hh" + suffix)
        return w_ih, w_hh, (get("bias_ih") if get else None), (get("bias_hh") if get else None)

    def _zeros(self, input, batch):
        directions = 2 if self.bidirectional else 1
        return Tensor._make(np.zeros((self.num_layers * directions, batch, self.hidden_size),
                                     input._data.dtype))

    def forward(self, input, hx=None):
        is_lstm = self.mode == "LSTM"
        batched, input, hx = _batched(self, input, hx, 3, 1, is_lstm)
        if batched and self.batch_first:
            input = input.transpose(0, 1)
        weight = self.weight_ih_l0.dtype
        if input.dtype != weight:  # torch's check_input, before the sizes
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({weight}). Convert input: input.to({weight}), or convert "
                             f"model: model.to({input.dtype})")
        if input._data.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input._data.shape[-1]}")
        batch = input._data.shape[1]
        if hx is None:
            hx = (self._zeros(input, batch), self._zeros(input, batch)) if is_lstm \
                else self._zeros(input, batch)
        cell = _CELLS[self.mode]
        directions = 2 if self.bidirectional else 1
        steps = input._data.shape[0]
        layer_input = input
        last_h, last_c = [], []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                k = layer * directions + direction
                state = (hx[0][k], hx[1][k]) if is_lstm else hx[k]
                weights = self._weights(layer, direction)
                if is_lstm and input._data.dtype != np.float64:  # as torch's oneDNN kernel
                    out, h, c = lstm_layer(layer_input, *weights, *state, reverse=direction)
                    outputs.append(out)
                    last_h.append(h)
                    last_c.append(c)
                    continue
                order = range(steps - 1, -1, -1) if direction else range(steps)
                seen = [None] * steps
                for t in order:
                    state = cell(layer_input[t], state, *weights)
                    seen[t] = state[0] if is_lstm else state
                outputs.append(SH.stack(seen, 0))
                last_h.append(state[0] if is_lstm else state)
                if is_lstm:
                    last_c.append(state[1])
            layer_input = outputs[0] if directions == 1 else SH.cat(outputs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = dropout(layer_input, self.dropout, True)
        output = layer_input
        h_n = SH.stack(last_h, 0)
        c_n = SH.stack(last_c, 0) if is_lstm else None
        if not batched:
            output, h_n = output.squeeze(1), h_n.squeeze(1)
            c_n = c_n.squeeze(1) if is_lstm else None
        elif self.batch_first:  # torch: out of place for LSTM, in place for RNN and GRU
            output = output.transpose(0, 1) if is_lstm else output.transpose_(0, 1)
        return (output, (h_n, c_n)) if is_lstm else (output, h_n)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(RNNBase):
    """``h_t = tanh(x_t W_ihᵀ + b_ih + h_(t-1) W_hhᵀ + b_hh)`` (or relu), per layer."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory: returns ``output, (h_n, c_n)``."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit: returns ``output, h_n``."""

    def __init__(self, *args, **kwargs):
        super().__init__("GRU", *args, **kwargs)


# ---------------------------------------------------------------- cells
class _CellBase(Module):
    _mode = None

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        gate_size = _GATES[self._mode] * hidden_size
        self.weight_ih = _empty((gate_size, input_size), dtype)
        self.weight_hh = _empty((gate_size, hidden_size), dtype)
        if bias:
            self.bias_ih = _empty((gate_size,), dtype)
            self.bias_hh = _empty((gate_size,), dtype)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        stdv = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _state(self, input, hx):
        if hx is None:
            return Tensor._make(np.zeros((input._data.shape[0], self.hidden_size),
                                         input._data.dtype))
        return hx

    def _run(self, input, hx, cell):
        batched, input, hx = _batched(self, input, hx, 2, 0, isinstance(hx, tuple))
        out = cell(input, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        if not batched:
            out = tuple(o.squeeze(0) for o in out) if isinstance(out, tuple) else out.squeeze(0)
        return out

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNNCell(_CellBase):
    """One step of ``RNN``: ``h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)``."""

    _mode = "RNN_TANH"

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        cell = rnn_tanh_cell if self.nonlinearity == "tanh" else rnn_relu_cell
        return self._run(input, self._state(input, hx) if input._data.ndim == 2 else hx,
                         lambda x, h, *w: cell(x, self._state(x, h), *w))


class LSTMCell(_CellBase):
    """One step of ``LSTM``: returns ``(h', c')``."""

    _mode = "LSTM"

    def forward(self, input, hx=None):
        def cell(x, state, *w):
            if state is None:
                zeros = self._state(x, None)
                state = (zeros, zeros)
            return lstm_cell(x, state, *w)

        return self._run(input, hx, cell)


class GRUCell(_CellBase):
    """One step of ``GRU``: returns ``h'``."""

    _mode = "GRU"

    def forward(self, input, hx=None):
        return self._run(input, hx, lambda x, h, *w: gru_cell(x, self._state(x, h), *w))


def _batched(module, input, hx, ndim, dim, pair):
    """``(batched, input, hx)``: whether ``input`` has ``ndim`` dims (a batch) or one fewer,
    torch's error otherwise; unbatched, the input and the state (each of a ``pair``, an
    LSTM's h and c) get the batch dim ``dim``."""
    if input._data.ndim not in (ndim - 1, ndim):
        raise ValueError(f"{type(module).__name__}: Expected input to be {ndim - 1}D or "
                         f"{ndim}D, got {input._data.ndim}D instead")
    if input._data.ndim == ndim:
        return True, input, hx
    if hx is not None:
        hx = tuple(h.unsqueeze(dim) for h in hx) if pair else hx.unsqueeze(dim)
    return False, input.unsqueeze(dim), hx
