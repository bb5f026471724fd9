"""The Tensor API as torch 2.x defines it: dtypes (objects, aliases, inference,
conversions), ``Size`` and strides, and values out (``item``, ``tolist``, Python
numbers, formatting, device, ``numpy``).

Each test asserts gradviz's behaviour literally; where torch is installed (the
``oracle`` fixture) the same call is also made on torch and the results compared.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradviz

# ---------------------------------------------------------------- dtypes
DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
ALIASES = {"float": "float32", "double": "float64", "half": "float16", "long": "int64",
           "int": "int32", "short": "int16"}


@pytest.mark.parametrize("name", DTYPES)
def test_dtype_objects_print_as_torch(name):
    d = getattr(gradviz, name)
    assert isinstance(d, gradviz.dtype)
    assert repr(d) == str(d) == f"torch.{name}"
    assert d.is_floating_point == name.startswith("float")


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_dtype_aliases(alias):
    assert getattr(gradviz, alias) is getattr(gradviz, ALIASES[alias])


def test_default_dtype_is_float32():
    assert gradviz.get_default_dtype() is gradviz.float32
    assert gradviz.ones(2).dtype is gradviz.float32
    assert gradviz.tensor([1.5, 2]).dtype is gradviz.float32
    assert gradviz.tensor(0.5).dtype is gradviz.float32
    assert gradviz.randn(2).dtype is gradviz.float32


def test_inferred_dtypes():
    assert gradviz.tensor([1, 2]).dtype is gradviz.int64
    assert gradviz.tensor(3).dtype is gradviz.int64
    assert gradviz.tensor([True, False]).dtype is gradviz.bool
    assert gradviz.tensor([1, 2.5]).dtype is gradviz.float32
    assert gradviz.tensor(np.array([1.0, 2.0])).dtype is gradviz.float64
    assert gradviz.tensor(np.array([1, 2], dtype=np.int32)).dtype is gradviz.int32


@pytest.mark.parametrize("name", DTYPES)
def test_explicit_dtype_argument(name, oracle):
    d = getattr(gradviz, name)
    ours = gradviz.tensor([0, 1, 2], dtype=d)
    theirs = oracle.tensor([0, 1, 2], dtype=getattr(oracle, name))
    assert ours.dtype is d
    assert ours.numpy().dtype == np.dtype(name)
    assert repr(ours) == repr(theirs)


def test_dtype_conversions():
    t = gradviz.tensor([1.7, -1.7])
    assert t.double().dtype is gradviz.float64
    assert t.to(gradviz.float64).dtype is gradviz.float64
    assert t.to(dtype=gradviz.float64).dtype is gradviz.float64
    assert t.long().tolist() == [1, -1]
    assert t.int().dtype is gradviz.int32
    assert t.bool().tolist() == [True, True]
    assert t.float() is t  # already float32: torch returns the tensor itself
    assert t.to(gradviz.ones(1, dtype=gradviz.float64)).dtype is gradviz.float64
    assert t.type() == "torch.FloatTensor"
    assert t.double().type() == "torch.DoubleTensor"
    assert t.sum(dtype=gradviz.float64).dtype is gradviz.float64


def test_float64_cast_keeps_its_gradient_path():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.grad_fn.name() == "ToCopyBackward0"
    (y * y).sum().backward()
    assert x.grad.dtype is gradviz.float32
    assert x.grad.tolist() == [2.0, 4.0]


# ---------------------------------------------------------------- Size
def test_shape_is_a_size():
    t = gradviz.ones(2, 3)
    assert type(t.shape) is gradviz.Size
    assert isinstance(t.shape, tuple)
    assert t.shape == (2, 3)
    assert repr(t.shape) == str(t.shape) == "torch.Size([2, 3])"
    assert repr(gradviz.ones(()).shape) == "torch.Size([])"
    assert t.shape.numel() == 6
    assert hash(t.shape) == hash((2, 3))


def test_size_operations_stay_sizes(oracle):
    ours, theirs = gradviz.Size([2, 3, 4]), oracle.Size([2, 3, 4])
    for op in (lambda s: s[1:], lambda s: s + (5,), lambda s: (1,) + s, lambda s: s * 2,
               lambda s: s[::-1]):
        assert type(op(ours)) is gradviz.Size
        assert repr(op(ours)) == repr(op(theirs))
    assert ours[0] == 2 and type(ours[0]) is int
    assert ours[-1] == theirs[-1]


def test_size_dim_numel():
    t = gradviz.zeros(2, 3, 4)
    assert t.size() == gradviz.Size([2, 3, 4])
    assert t.size(1) == 3 and t.size(-1) == 4
    assert t.dim() == t.ndim == t.ndimension() == 3
    assert t.numel() == t.nelement() == 24
    assert len(t) == 2
    assert gradviz.tensor(1.0).dim() == 0
    assert gradviz.tensor(1.0).numel() == 1
    assert gradviz.tensor(1.0).shape == ()


def test_stride_matches_torch(oracle):
    assert gradviz.ones(2, 3).stride() == oracle.ones(2, 3).stride() == (3, 1)
    assert gradviz.ones(2, 3).t().stride() == oracle.ones(2, 3).t().stride()
    assert gradviz.ones(2, 3).stride(0) == 3


# ---------------------------------------------------------------- values out
def test_item_returns_python_scalars():
    assert gradviz.tensor(3.5).item() == 3.5 and type(gradviz.tensor(3.5).item()) is float
    assert type(gradviz.tensor(3).item()) is int
    assert type(gradviz.tensor(True).item()) is bool
    assert gradviz.tensor([[2.0]]).item() == 2.0  # one element, any number of dims
    x = gradviz.tensor(2.0, requires_grad=True)
    assert x.item() == 2.0  # item() works on tensors that require grad


def test_tolist():
    assert gradviz.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert gradviz.tensor(2.5).tolist() == 2.5
    assert gradviz.tensor([True]).tolist() == [True]
    assert gradviz.ones(2, requires_grad=True).tolist() == [1.0, 1.0]


def test_python_number_conversions(raises_as_torch, maybe_torch):
    assert float(gradviz.tensor([2.5])) == 2.5
    assert int(gradviz.tensor([2.7])) == 2
    assert bool(gradviz.tensor([0.0])) is False
    assert [10, 20, 30][gradviz.tensor(1)] == 20
    for conv in (float, int):
        raises_as_torch(lambda conv=conv: conv(gradviz.tensor([1.0, 2.0])), ValueError,
                        "only one element tensors can be converted to Python scalars",
                        lambda conv=conv: conv(maybe_torch.tensor([1.0, 2.0])))
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value"):
        bool(gradviz.tensor([1.0, 2.0]))


def test_format_and_device(libs):
    for lib in libs:
        loss = lib.tensor(2.0, requires_grad=True) * 1.5
        assert f"{loss}" == "3.0" and f"{loss:.3f}" == "3.000"  # 0-d: the number, as torch
        assert f"{lib.ones(2)}" == "tensor([1., 1.])"
        with pytest.raises(TypeError, match="unsupported format string passed to Tensor"):
            f"{lib.ones(2):.2f}"  # noqa: B018
        assert repr(lib.ones(2).device) == "device(type='cpu')"
        assert str(lib.ones(2).device) == "cpu"
        assert lib.ones(2).device == lib.device("cpu") != lib.device("cuda:0")
        assert lib.ones(2).to("cpu").tolist() == [1.0, 1.0]
        assert lib.Tensor().shape == (0,) and lib.Tensor(2, 3).shape == (2, 3)
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        gradviz.ones(2).to("cuda")


def test_numpy_shares_memory():
    t = gradviz.zeros(3)
    a = t.numpy()
    a[0] = 5
    assert t.tolist() == [5.0, 0.0, 0.0]
    assert a.dtype == np.float32


def test_numpy_refuses_tensors_that_require_grad(raises_as_torch, maybe_torch):
    raises_as_torch(
        lambda: gradviz.ones(2, requires_grad=True).numpy(), RuntimeError,
        "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.",
        lambda: maybe_torch.ones(2, requires_grad=True).numpy())
    x = gradviz.ones(2, requires_grad=True)
    assert x.detach().numpy().tolist() == [1.0, 1.0]
    raises_as_torch(lambda: (x * 2).numpy(), RuntimeError,
                    "Can't call numpy() on Tensor that requires grad. Use "
                    "tensor.detach().numpy() instead.")
