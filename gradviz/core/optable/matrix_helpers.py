"""Backward-formula names (on NumPy arrays) of functions of matrices: ``torch.linalg``'s
decompositions and solvers (``det``, ``slogdet``, ``solve``, ``cross``, ``svd``, as torch's
``FunctionsManual.cpp`` writes their derivatives), scaled dot-product attention, a
whole LSTM layer (forward and backpropagation through time) and the distances between
rows (``cdist``). Every function works on a
batch of matrices (the last two dims)."""

from __future__ import annotations

import numpy as np

__all__ = ["attention_backward", "cdist_backward", "cross_backward", "det_backward",
           "euclidean_dist_backward", "lstm_layer_backward",
           "slogdet_backward", "solve_backward_a", "solve_backward_b", "svd_backward"]


def _mT(x):  # noqa: N802 - torch's spelling
    return np.swapaxes(x, -1, -2)


# ---------------------------------------------------------------- inverse, determinants
def _cofactor(a):
    """d det(A) / dA (the cofactor matrix), from the SVD so that singular matrices work:
    ``det(U) det(Vh) U diag(prod of the other singular values) Vh``."""
    u, s, vh = np.linalg.svd(a)
    n = s.shape[-1]
    others = np.stack([np.prod(np.delete(s, i, axis=-1), axis=-1) for i in range(n)], -1) \
        if n else s
    sign = np.linalg.det(u) * np.linalg.det(vh)
    return sign[..., None, None] * (u * others[..., None, :]) @ vh


def det_backward(grad, self):
    """d det(A): ``grad * cofactor(A)``."""
    return grad[..., None, None] * _cofactor(self)


def slogdet_backward(grad, self):
    """d log|det(A)|: ``grad * inv(A)ᵀ`` (the sign has no derivative for real A)."""
    return grad[..., None, None] * _mT(np.linalg.inv(self))


# ---------------------------------------------------------------- solve
def _as_matrix(b, vector):
    return b[..., None] if vector else b


def solve_backward_b(grad, self, vector):
    """d solve(A, B) / dB: ``solve(Aᵀ, grad)``."""
    g = np.linalg.solve(_mT(self), _as_matrix(grad, vector))
    return g[..., 0] if vector else g


def solve_backward_a(grad, self, result, vector):
    """d solve(A, B) / dA: ``-gB @ Xᵀ`` with ``gB = solve(Aᵀ, grad)``."""
    gb = np.linalg.solve(_mT(self), _as_matrix(grad, vector))
    return -(gb @ _mT(_as_matrix(result, vector)))


# ---------------------------------------------------------------- cross
def cross_backward(grad, other, dim):
    """d cross(a, b) / da = ``cross(b, grad)`` (and / db = ``cross(grad, a)``)."""
    return np.cross(other, grad, axis=dim)


# ---------------------------------------------------------------- svd
def svd_backward(grad_u, grad_s, grad_vh, u, s, vh, full_matrices):
    """torch's svd_backward for real matrices: the gradient of ``A = U diag(S) Vh`` from
    the gradients of U, S and Vh (any of them None)."""
    m, n = u.shape[-2], vh.shape[-1]
    k = s.shape[-1]
    if full_matrices:  # the parts beyond k carry no derivative
        u, vh = u[..., :k], vh[..., :k, :]
        grad_u = None if grad_u is None else grad_u[..., :k]
        grad_vh = None if grad_vh is None else grad_vh[..., :k, :]
    if grad_u is None and grad_vh is None:
        return u @ (grad_s[..., :, None] * vh) if m >= n else (u * grad_s[..., None, :]) @ vh
    s2 = s * s
    e = s2[..., None, :] - s2[..., :, None]
    e[..., np.arange(k), np.arange(k)] = 1  # any nonzero: 0 / 1 off the distinct values
    ga = 0.0
    if grad_u is not None:
        uhgu = _mT(u) @ grad_u
        ga = ((uhgu - _mT(uhgu)) / e) * s[..., None, :]
    if grad_vh is not None:
        vhgv = vh @ _mT(grad_vh)
        ga = ga + s[..., :, None] * ((vhgv - _mT(vhgv)) / e)
    if grad_s is not None:
        ga = ga + grad_s[..., :, None] * np.eye(k)
    if m > k and grad_u is not None:
        ga = u @ ga
        gusinv = grad_u / s[..., None, :]
        ga = ga + gusinv - u @ (_mT(u) @ gusinv)
        return ga @ vh
    if n > k and grad_vh is not None:
        ga = ga @ vh
        sinvgvh = grad_vh / s[..., :, None]
        ga = ga + sinvgvh - (sinvgvh @ _mT(vh)) @ vh
        return u @ ga
    return u @ (ga @ vh) if m >= n else (u @ ga) @ vh


# ---------------------------------------------------------------- attention
def attention_weights(query, key, bias, scale):
    """``softmax(query @ keyᵀ * scale + bias)`` over the last dim (bias: a float mask with
    -inf where attention is not allowed, or None)."""
    scores = (query @ _mT(key)) * scale
    if bias is not None:
        scores = scores + bias
    top = np.max(scores, axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0)
    e = np.exp(scores - top)
    return e / np.sum(e, axis=-1, keepdims=True)


def attention(query, key, value, bias, scale):
    return attention_weights(query, key, bias, scale) @ value


def attention_backward(grad, query, key, value, bias, scale, which):
    """The gradient of ``softmax(q kᵀ s + bias) v`` for q (which 0), k (1) or v (2)."""
    p = attention_weights(query, key, bias, scale)
    if which == 2:
        return _mT(p) @ grad
    gp = grad @ _mT(value)
    gs = p * (gp - np.sum(gp * p, axis=-1, keepdims=True))
    return (gs @ key) * scale if which == 0 else (_mT(gs) @ query) * scale


# ---------------------------------------------------------------- an LSTM layer
def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def lstm_layer(x, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse):
    """One LSTM layer over time steps ``x[t]`` (``reverse``: last step first): the outputs,
    the last h and c, and what backward needs (each step's gates and cell)."""
    steps = range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])
    h, c = h0, c0
    out = np.empty(x.shape[:-1] + (h0.shape[-1],), x.dtype)
    cache = []
    for t in steps:
        gates = x[t] @ w_ih.T + h @ w_hh.T
        if b_ih is not None:
            gates = gates + b_ih + b_hh
        i, f, g, o = np.split(gates, 4, axis=-1)
        i, f, g, o = _sigmoid(i), _sigmoid(f), np.tanh(g), _sigmoid(o)
        c_prev, h_prev = c, h
        c = f * c + i * g
        h = o * np.tanh(c)
        out[t] = h
        cache.append((t, i, f, g, o, c_prev, h_prev, c))
    return out, h, c, cache


_last_lstm = [None, None]  # (key, gradients): the inputs' formulas share one backward


def lstm_layer_backward(grad, which, output, x, w_ih, w_hh, b_ih, h0, cache):
    """The gradient of input ``which`` (0 x, 1 w_ih, 2 w_hh, 3 b_ih, 4 b_hh, 5 h0, 6 c0)
    given the gradient of ``output`` (0 the outputs, 1 the last h, 2 the last c), by
    backpropagation through time."""
    key = (id(grad), output, id(cache))
    if _last_lstm[0] != key:
        _last_lstm[0], _last_lstm[1] = key, _lstm_backward(grad, output, x, w_ih, w_hh,
                                                           b_ih, h0, cache)
    return _last_lstm[1][which]


def _lstm_backward(grad, output, x, w_ih, w_hh, b_ih, h0, cache):
    dh_next = grad if output == 1 else np.zeros_like(h0)
    dc_next = grad if output == 2 else np.zeros_like(h0)
    dx = np.zeros_like(x)
    dw_ih, dw_hh = np.zeros_like(w_ih), np.zeros_like(w_hh)
    db = np.zeros(w_ih.shape[0], x.dtype)
    for t, i, f, g, o, c_prev, h_prev, c in reversed(cache):
        dh = dh_next + grad[t] if output == 0 else dh_next
        tc = np.tanh(c)
        dc = dc_next + dh * o * (1 - tc * tc)
        gates = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f),
                                dc * i * (1 - g * g), dh * tc * o * (1 - o)], axis=-1)
        dw_ih += gates.T @ x[t]
        dw_hh += gates.T @ h_prev
        db += gates.sum(axis=0)
        dx[t] = gates @ w_ih
        dh_next, dc_next = gates @ w_hh, dc * f
    return dx, dw_ih, dw_hh, db, db, dh_next, dc_next


# ---------------------------------------------------------------- distances between rows
def cdist_backward(grad, x1, x2, p, result):
    """cdist's derivative for ``x1`` (torch's ``_cdist_backward``): per row of x1, the sum over
    the rows of x2 of grad times d‖x1_i - x2_j‖_p / d x1_i (0 where the distance is 0)."""
    diff = x1[..., :, None, :] - x2[..., None, :, :]
    dist = result[..., None]
    g = grad[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        if p == 0:
            local = np.zeros_like(diff)
        elif p == 1:
            local = np.sign(diff)
        elif p == np.inf:
            local = np.sign(diff) * (np.abs(diff) == dist)
        elif p < 2:
            local = np.where((diff == 0) & (p < 1), 0.0,
                             np.sign(diff) * np.abs(diff) ** (p - 1) / dist ** (p - 1))
        elif p == 2:
            local = diff / dist
        else:
            local = diff * np.abs(diff) ** (p - 2) / dist ** (p - 1)
        out = np.where(dist == 0, 0.0, g * local)
    return out.sum(-2).astype(x1.dtype, copy=False)


def euclidean_dist_backward(grad, x1, x2, result):
    """The derivative for ``x1`` of torch's matmul-based Euclidean distances
    (``_euclidean_dist_backward``): ``x1 * Σ_j r - r @ x2`` with ``r = grad / result`` (0
    where the distance is 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(result == 0, 0.0, grad / result).astype(x1.dtype, copy=False)
    return x1 * ratio.sum(-1, keepdims=True) - ratio @ x2
