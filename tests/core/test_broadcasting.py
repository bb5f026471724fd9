"""Broadcasting of the binary ops, over random shapes (hypothesis).

For shapes that broadcast, every input's gradient has the input's shape and the
values of torch's (when installed) or of central finite differences. For shapes
that do not, the op raises torch's RuntimeError naming both sizes.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import gradviz
from gradviz.autograd import gradcheck

try:
    import torch
except ImportError:  # the finite differences still check the values
    torch = None

# hypothesis imports libcst to report a failing example; its DeprecationWarning would turn the
# report into an INTERNALERROR under filterwarnings=error, so import it quietly up front
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        import hypothesis.extra._patching  # noqa: F401
    except ImportError:
        pass

# no "explain" phase: it imports libcst, whose DeprecationWarning the suite turns into an error
SETTINGS = settings(max_examples=25, deadline=None, database=None,
                    phases=(Phase.explicit, Phase.generate, Phase.shrink))

# op name -> (program on (lib, *tensors), value range of each input: "signed" or "positive")
BINARY = {
    "add": (lambda T, a, b: a + b, ("signed", "signed")),
    "sub": (lambda T, a, b: T.sub(a, b, alpha=2), ("signed", "signed")),
    "mul": (lambda T, a, b: a * b, ("signed", "signed")),
    "div": (lambda T, a, b: a / b, ("signed", "positive")),
    "maximum": (lambda T, a, b: T.maximum(a, b), ("signed", "signed")),
    "minimum": (lambda T, a, b: T.minimum(a, b), ("signed", "signed")),
    "pow": (lambda T, a, b: a ** b, ("positive", "signed")),
    "where": (lambda T, c, a, b: T.where(c, a, b), ("mask", "signed", "signed")),
}


def _values(rng, shape, kind):
    if kind == "mask":  # where's condition: no gradient
        return np.asarray(rng.random(shape) > 0.5)
    if kind == "positive":
        return np.asarray(rng.uniform(0.5, 2.0, shape))
    return np.asarray(rng.uniform(0.2, 1.5, shape) * rng.choice([-1.0, 1.0], shape))


def _grads(lib, program, arrays, v):
    xs = [_input(lib, a) for a in arrays]
    out = program(lib, *xs)
    out.backward(lib.from_numpy(v.copy()))
    return out, [x.grad.numpy() for x in xs if x.requires_grad]


def _input(lib, array):
    t = lib.from_numpy(array.copy())
    return t.requires_grad_() if t.is_floating_point() else t


@pytest.mark.parametrize("name", list(BINARY))
@SETTINGS
@given(data=st.data())
def test_broadcast_gradients_have_input_shapes(name, data):
    program, kinds = BINARY[name]
    shapes = data.draw(mutually_broadcastable_shapes(num_shapes=len(kinds), max_dims=3,
                                                     max_side=3), label="shapes")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    arrays = [_values(rng, s, k) for s, k in zip(shapes.input_shapes, kinds, strict=True)]
    v = np.asarray(rng.standard_normal(shapes.result_shape))
    out, grads = _grads(gradviz, program, arrays, v)
    assert tuple(out.shape) == shapes.result_shape
    assert [g.shape for g in grads] == [
        tuple(s) for s, k in zip(shapes.input_shapes, kinds, strict=True) if k != "mask"]
    if torch is not None:
        want_out, want = _grads(torch, program, arrays, v)
        np.testing.assert_allclose(out.detach().numpy(), want_out.detach().numpy(), rtol=1e-12)
        for g, w in zip(grads, want, strict=True):
            np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
    else:
        xs = [_input(gradviz, a) for a in arrays]
        assert gradcheck(lambda *t: program(gradviz, *t), xs)


@st.composite
def clashing_shapes(draw):
    """Two shapes that do not broadcast: one aligned dim where both sizes differ and are > 1."""
    shape = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    other = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    k = draw(st.integers(1, min(len(shape), len(other))))
    a = draw(st.integers(2, 4))
    shape[-k], other[-k] = a, draw(st.integers(2, 4).filter(lambda s: s != a))
    return tuple(shape), tuple(other)


@pytest.mark.parametrize("name", list(BINARY))
@SETTINGS
@given(shapes=clashing_shapes())
def test_non_broadcastable_shapes_name_both_sizes(name, shapes):
    program, kinds = BINARY[name]
    sa, sb = shapes
    arrays = [np.ones(sa), np.ones(sb)]
    if kinds[0] == "mask":
        arrays.insert(0, np.ones(sa, dtype=bool))
    with pytest.raises(RuntimeError) as got:
        program(gradviz, *[gradviz.from_numpy(a) for a in arrays])
    message = str(got.value)
    match = re.fullmatch(r"The size of tensor a \((\d+)\) must match the size of tensor b "
                         r"\((\d+)\) at non-singleton dimension (\d+)", message)
    assert match, message
    x, y, dim = (int(g) for g in match.groups())
    ndim = max(len(sa), len(sb))
    pa, pb = (1,) * (ndim - len(sa)) + sa, (1,) * (ndim - len(sb)) + sb
    assert {x, y} == {pa[dim], pb[dim]} and x != y and min(x, y) > 1
    if torch is not None:
        with pytest.raises(RuntimeError) as want:
            program(torch, *[torch.from_numpy(a) for a in arrays])
        assert message == str(want.value)
