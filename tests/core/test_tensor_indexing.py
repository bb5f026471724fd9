"""Tensor indexing and comparisons as torch 2.x defines them: values and gradients of
basic and advanced indexes against torch, views, index errors, and comparisons that
give bool tensors.

Each test asserts gradviz's behaviour literally; where torch is installed (the
``oracle`` fixture) the same call is also made on torch and the results compared.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradviz

# ---------------------------------------------------------------- indexing
INDEXES = [
    "1", "-1", "(1, 2)", "(-1, -2, 0)", "slice(1, None)", "slice(None, None, 2)",
    "(slice(None), 1)", "(Ellipsis, 1)", "(1, Ellipsis)", "(None, 1)", "(Ellipsis, None)",
    "(None, Ellipsis, None)", "(slice(0, 1), None, slice(None), 2)", "[0, 1, 0]",
    "(slice(None), [2, 0])", "([1, 0], [0, 2])", "([1, 0], slice(None), [0, 3])",
    "L([1, 0])", "(slice(None), L([[0, 1], [2, 2]]))", "mask > 5", "(slice(None), mask[0] > 5)",
    "np.array([1, 0])", "(Ellipsis, np.array([[0], [3]]))", "np.array([True, False])",
    "(0, np.int64(2))",
    "(1, Ellipsis, mask[0, 0] > 1)", "(Ellipsis, L([3]))", "slice(5, 10)", "slice(-2, None)",
]


def _index(lib, text):
    mask = lib.arange(24).reshape(2, 3, 4)

    def L(items):  # noqa: N802 - a long index tensor
        return lib.tensor(items)

    return eval(text, {"mask": mask, "L": L, "Ellipsis": Ellipsis, "np": np})  # noqa: S307


@pytest.mark.parametrize("text", INDEXES)
def test_indexing_values_match_torch(text, oracle):
    ours = gradviz.arange(24.0).reshape(2, 3, 4)[_index(gradviz, text)]
    theirs = oracle.arange(24.0).reshape(2, 3, 4)[_index(oracle, text)]
    assert repr(ours.shape) == repr(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("text", INDEXES)
def test_indexing_gradients_match_torch(text, oracle):
    def grad_of(lib):
        x = lib.arange(24.0).reshape(2, 3, 4).requires_grad_()
        y = x[_index(lib, text)]
        (y * lib.arange(float(y.numel())).reshape(y.shape)).sum().backward()
        return x.grad.numpy(), y.grad_fn.name()

    (ours, our_fn), (theirs, their_fn) = grad_of(gradviz), grad_of(oracle)
    np.testing.assert_array_equal(ours, theirs)
    assert our_fn == their_fn


def test_indexing_literal_results():
    t = gradviz.arange(12).reshape(3, 4)
    assert t[1].tolist() == [4, 5, 6, 7]
    assert t[-1, -1].item() == 11
    assert t[1:, ::2].tolist() == [[4, 6], [8, 10]]
    assert t[None, ..., 1].shape == (1, 3)
    assert t[[0, 2], [1, 3]].tolist() == [1, 11]
    assert t[t > 8].tolist() == [9, 10, 11]
    assert t[gradviz.tensor([True, False, True])].shape == (2, 4)


def test_basic_indexing_gives_views():
    t = gradviz.zeros(3, 4)
    t[1][2] = 5  # writes through the view
    assert t[1, 2].item() == 5
    row = t[0]
    row.fill_(1)
    assert t[0].tolist() == [1.0] * 4
    picked = t[[0, 1]]  # advanced indexing copies
    picked.fill_(9)
    assert t[0, 0].item() == 1


def test_index_errors(raises_as_torch, maybe_torch):
    raises_as_torch(lambda: gradviz.arange(12).reshape(3, 4)[5], IndexError,
                    "index 5 is out of bounds for dimension 0 with size 3",
                    lambda: maybe_torch.arange(12).reshape(3, 4)[5])
    raises_as_torch(lambda: gradviz.arange(12).reshape(3, 4)[:, 4], IndexError,
                    "index 4 is out of bounds for dimension 1 with size 4",
                    lambda: maybe_torch.arange(12).reshape(3, 4)[:, 4])
    raises_as_torch(lambda: gradviz.arange(12).reshape(3, 4)[1, 2, 3], IndexError,
                    "too many indices for tensor of dimension 2",
                    lambda: maybe_torch.arange(12).reshape(3, 4)[1, 2, 3])


# ---------------------------------------------------------------- comparisons
@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!="])
def test_comparisons_give_bool_tensors(op, oracle):
    a = [[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]]
    for other in ("2", "2.5", "lib.tensor([1.0, 2.0, 3.0])", "lib.tensor([[2.0], [1.0]])"):
        results = []
        for lib in (gradviz, oracle):
            x = lib.tensor(a, requires_grad=True)
            out = eval(f"x {op} {other}", {"x": x, "lib": lib})  # noqa: S307
            assert not out.requires_grad and out.grad_fn is None
            results.append(out)
        ours, theirs = results
        assert ours.dtype is gradviz.bool
        assert repr(ours) == repr(theirs)


def test_comparison_methods_and_logic():
    t = gradviz.arange(6.0)
    assert (t.gt(2) & t.lt(5)).tolist() == [False, False, False, True, True, False]
    assert (~(t > 2)).tolist() == [True, True, True, False, False, False]
    assert (t > 2).sum().item() == 3
    assert (2 < t).tolist() == (t > 2).tolist()
    assert (t == gradviz.arange(6)).all().item() is True
    assert (t == "a") is False  # foreign types compare unequal, as in torch


def test_comparison_of_unbroadcastable_shapes(raises_as_torch, maybe_torch):
    raises_as_torch(lambda: gradviz.ones(3) <= gradviz.ones(2), RuntimeError,
                    "The size of tensor a (3) must match the size of tensor b (2) at "
                    "non-singleton dimension 0",
                    lambda: maybe_torch.ones(3) <= maybe_torch.ones(2))


def test_masked_fill_keeps_the_tensor_dtype(libs):
    """The value is cast to the tensor's dtype, as torch casts it; the mask broadcasts."""
    for lib in libs:
        ints = lib.tensor([1, 2, 3]).masked_fill(lib.tensor([True, False, True]), 2.7)
        assert ints.tolist() == [2, 2, 2] and ints.dtype == lib.int64
        grid = lib.zeros(2, 3).masked_fill(lib.tensor([[True], [False]]), 9)
        assert grid.tolist() == [[9.0, 9.0, 9.0], [0.0, 0.0, 0.0]] and grid.dtype == lib.float32
