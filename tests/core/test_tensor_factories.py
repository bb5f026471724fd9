"""Tensor factories as torch 2.x defines them: ``tensor``, ``as_tensor``,
``from_numpy`` (copying or sharing memory), the deterministic factories printed as
torch's, and the random ones with ``manual_seed``.

Each test asserts gradviz's behaviour literally; where torch is installed (the
``oracle`` fixture) the same call is also made on torch and the results compared.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import gradviz


# ---------------------------------------------------------------- factories
def test_tensor_copies_its_data():
    a = np.array([1.0, 2.0], dtype=np.float32)
    t = gradviz.tensor(a)
    a[0] = 9
    assert t.tolist() == [1.0, 2.0]
    src = gradviz.ones(2)
    assert gradviz.tensor([src[0], 2.0]).tolist() == [1.0, 2.0]


def test_tensor_of_a_tensor_warns_as_torch(libs):
    for lib in libs:
        src = lib.ones(2, requires_grad=True)
        with pytest.warns(UserWarning) as record:
            copy = lib.tensor(src)
        assert str(record[0].message) == (
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True), "
            "rather than torch.tensor(sourceTensor).")
        assert not copy.requires_grad and copy.data_ptr() != src.data_ptr()
        lib.tensor([src[0].detach(), 2.0])  # tensors inside a list: no warning


def test_as_tensor_shares_memory_with_arrays():
    a = np.array([1.0, 2.0], dtype=np.float32)
    t = gradviz.as_tensor(a)
    a[0] = 9
    assert t.tolist() == [9.0, 2.0]
    t.add_(1)
    assert a.tolist() == [10.0, 3.0]
    copy = gradviz.as_tensor(a, dtype=gradviz.float64)  # a different dtype must copy
    a[1] = 0
    assert copy.tolist() == [10.0, 3.0]
    same = gradviz.ones(2)
    assert gradviz.as_tensor(same) is same
    assert gradviz.as_tensor([1, 2]).dtype is gradviz.int64


def test_from_numpy_shares_memory():
    a = np.arange(4.0)
    t = gradviz.from_numpy(a)
    assert t.dtype is gradviz.float64
    a[0] = 7
    assert t[0].item() == 7
    t[1] = 8
    assert a[1] == 8
    assert t.data_ptr() == a.__array_interface__["data"][0]
    with pytest.raises(TypeError, match=re.escape("expected np.ndarray (got list)")):
        gradviz.from_numpy([1, 2])


DETERMINISTIC = [
    "lib.ones(2, 3)", "lib.ones((2, 3))", "lib.ones([2])", "lib.ones(())", "lib.ones(0)",
    "lib.zeros(2, dtype=lib.int64)", "lib.zeros(2, 2, dtype=lib.bool)", "lib.full((2, 2), 7)",
    "lib.full((2, 2), 7.0)", "lib.full((2,), True)", "lib.full((2,), 7, dtype=lib.float64)",
    "lib.eye(3)", "lib.eye(2, 3)", "lib.eye(2, dtype=lib.int64)", "lib.arange(5)",
    "lib.arange(1, 4)", "lib.arange(0, 1, 0.25)", "lib.arange(0.0, 3)", "lib.arange(10, 0, -3)",
    "lib.arange(5, dtype=lib.float32)", "lib.linspace(0, 1, 5)", "lib.linspace(0, 1, 1)",
    "lib.linspace(-1, 1, steps=3, dtype=lib.float64)", "lib.zeros(2, 3, requires_grad=True)",
    "lib.ones_like(lib.ones(2, 3, dtype=lib.int64))", "lib.zeros_like(lib.ones(2))",
    "lib.full_like(lib.ones(2), 3)", "lib.full_like(lib.ones(2, dtype=lib.int64), 3.7)",
    "lib.ones_like(lib.ones(2), requires_grad=True)", "lib.empty(2, 3).shape",
    "lib.empty_like(lib.ones(2, dtype=lib.float64)).dtype", "lib.tensor([[1, 2], [3, 4]])",
    "lib.tensor(1)", "lib.tensor(1.0)", "lib.tensor([])", "lib.tensor([[]])",
    "lib.tensor((1, 2))", "lib.tensor([True, False])",
]


@pytest.mark.parametrize("expr", DETERMINISTIC)
def test_deterministic_factories_print_as_torch(expr, oracle):
    ours = eval(expr, {"lib": gradviz})  # noqa: S307
    theirs = eval(expr, {"lib": oracle})  # noqa: S307
    assert repr(ours) == repr(theirs)


def test_factory_literals():
    assert gradviz.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert gradviz.arange(3).dtype is gradviz.int64
    assert gradviz.arange(0, 1, 0.5).tolist() == [0.0, 0.5]
    assert gradviz.full((2,), 7).dtype is gradviz.int64
    assert gradviz.linspace(0, 1, 3).tolist() == [0.0, 0.5, 1.0]
    assert gradviz.empty(2, 3).shape == (2, 3)
    assert gradviz.zeros_like(gradviz.ones(2, requires_grad=True)).requires_grad is False


@pytest.mark.parametrize("factory", ["rand", "randn"])
def test_random_factories(factory):
    f = getattr(gradviz, factory)
    t = f(200, 3)
    assert t.shape == (200, 3) and t.dtype is gradviz.float32
    assert f(2, dtype=gradviz.float64).dtype is gradviz.float64
    assert f(2, requires_grad=True).requires_grad
    values = t.numpy()
    if factory == "rand":
        assert values.min() >= 0 and values.max() < 1
    else:
        assert values.min() < 0 < values.max()
        assert abs(values.mean()) < 0.3 and 0.7 < values.std() < 1.3
    like = getattr(gradviz, f"{factory}_like")(gradviz.ones(4, dtype=gradviz.float64))
    assert like.shape == (4,) and like.dtype is gradviz.float64


def test_randint():
    t = gradviz.randint(3, 5, (100,))
    assert t.dtype is gradviz.int64 and t.shape == (100,)
    assert set(t.tolist()) == {3, 4}
    assert gradviz.randint(10, (2, 2)).shape == (2, 2)
    assert gradviz.randint(0, 10, size=(3,)).max().item() < 10
    assert gradviz.randint(2, (3,), dtype=gradviz.float32).dtype is gradviz.float32


def test_manual_seed_reproducibility():
    gradviz.manual_seed(123)
    a = [gradviz.randn(3), gradviz.rand(2), gradviz.randint(0, 100, (4,))]
    gradviz.manual_seed(123)
    b = [gradviz.randn(3), gradviz.rand(2), gradviz.randint(0, 100, (4,))]
    for x, y in zip(a, b, strict=True):
        assert x.tolist() == y.tolist()
    gradviz.manual_seed(124)
    assert gradviz.randn(3).tolist() != a[0].tolist()
