"""The Tensor API as torch 2.x defines it: dtypes, sizes, conversions, detach, the
autograd attributes, hooks, versions, indexing, comparisons and factories.

Each test asserts gradviz's behaviour literally; where torch is installed (the
``oracle`` fixture) the same call is also made on torch and the results compared.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import gradviz
from gradviz.core.tensor import NON_LEAF_GRAD_WARNING

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


# ---------------------------------------------------------------- detach
def test_detach_shares_memory_and_version_counter():
    x = gradviz.ones(3, requires_grad=True)
    d = x.detach()
    assert d.requires_grad is False and d.is_leaf and d.grad_fn is None
    assert d.data_ptr() == x.data_ptr()
    d.add_(1)
    assert x.tolist() == [2.0, 2.0, 2.0]
    assert x._version == d._version == 1
    x.detach().mul_(2)
    assert d._version == 2 and d.tolist() == [4.0, 4.0, 4.0]


def test_detached_change_is_caught_by_backward(raises_as_torch, maybe_torch):
    def run(lib):
        a = lib.ones(3, requires_grad=True)
        b = a * a
        a.detach().add_(1)
        b.sum().backward()

    raises_as_torch(
        lambda: run(gradviz), RuntimeError,
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [gradviz.FloatTensor [3]] is at version 1; expected version 0 instead. Hint: "
        "enable anomaly detection to find the operation that failed to compute its gradient, "
        "with torch.autograd.set_detect_anomaly(True, check_nan=False).",
        lambda: run(maybe_torch))


def test_data_has_its_own_version_counter(libs):
    for lib in libs:
        x = lib.ones(2, requires_grad=True)
        y = x * x
        x.data.add_(1)  # invisible to autograd, as in torch
        assert x._version == 0
        y.sum().backward()
        assert x.grad.tolist() == [4.0, 4.0]  # the saved x is the changed memory


def test_detach_in_place():
    x = gradviz.ones(2, requires_grad=True)
    y = x * 2
    assert y.detach_() is y
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf
    leaf = gradviz.ones(2, requires_grad=True)
    leaf.detach_()
    assert not leaf.requires_grad


def test_detach_in_place_refuses_views(raises_as_torch, maybe_torch):
    raises_as_torch(
        lambda: gradviz.ones(2, requires_grad=True)[0].detach_(), RuntimeError,
        "Can't detach views in-place. Use detach() instead. If you are using "
        "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as True, "
        "gradients are views of DDP buckets, and hence detach_() cannot be called on these "
        "gradients. To fix this error, please refer to the Optimizer.zero_grad() function in "
        "torch/optim/optimizer.py as the solution.",
        lambda: maybe_torch.ones(2, requires_grad=True)[0].detach_())


# ---------------------------------------------------------------- requires_grad
def test_requires_grad_flag():
    t = gradviz.ones(2)
    assert t.requires_grad is False and t.is_leaf
    assert t.requires_grad_() is t and t.requires_grad
    t.requires_grad_(False)
    assert not t.requires_grad
    t.requires_grad = True
    assert t.requires_grad
    assert gradviz.zeros(2, requires_grad=True).requires_grad


def test_results_of_tracked_ops():
    x = gradviz.ones(2, requires_grad=True)
    c = gradviz.ones(2)
    y = x * c
    assert y.requires_grad and not y.is_leaf
    assert y.grad_fn.name() == "MulBackward0"
    assert (c * 2).requires_grad is False and (c * 2).grad_fn is None
    assert x.grad_fn is None
    assert y.requires_grad_(True) is y  # allowed on non-leaves


def test_requires_grad_off_on_non_leaf(raises_as_torch, maybe_torch):
    raises_as_torch(
        lambda: (gradviz.ones(2, requires_grad=True) * 2).requires_grad_(False), RuntimeError,
        "you can only change requires_grad flags of leaf variables. If you want to use a "
        "computed variable in a subgraph that doesn't require differentiation use "
        "var_no_grad = var.detach().",
        lambda: (maybe_torch.ones(2, requires_grad=True) * 2).requires_grad_(False))


def test_non_float_cannot_require_grad(raises_as_torch, maybe_torch):
    raises_as_torch(
        lambda: gradviz.ones(2, dtype=gradviz.int64, requires_grad=True), RuntimeError,
        "Only Tensors of floating point and complex dtype can require gradients",
        lambda: maybe_torch.ones(2, dtype=maybe_torch.int64, requires_grad=True))
    raises_as_torch(
        lambda: gradviz.tensor([1, 2], requires_grad=True), RuntimeError,
        "Only Tensors of floating point and complex dtype can require gradients",
        lambda: maybe_torch.tensor([1, 2], requires_grad=True))
    raises_as_torch(
        lambda: gradviz.tensor([1, 2]).requires_grad_(), RuntimeError,
        "only Tensors of floating point dtype can require gradients",
        lambda: maybe_torch.tensor([1, 2]).requires_grad_())

    def set_flag(t):
        t.requires_grad = True

    raises_as_torch(
        lambda: set_flag(gradviz.tensor([True])), RuntimeError,
        "only Tensors of floating point and complex dtype can require gradients",
        lambda: set_flag(maybe_torch.tensor([True])))
    assert gradviz.tensor([1, 2]).requires_grad_(False).requires_grad is False


# ---------------------------------------------------------------- .grad
def test_grad_of_non_leaf_warns_with_torchs_text(maybe_torch):
    x = gradviz.ones(2, requires_grad=True)
    y = x * 2
    with pytest.warns(UserWarning) as record:
        assert y.grad is None
    assert len(record) == 1
    assert str(record[0].message) == NON_LEAF_GRAD_WARNING
    assert record[0].filename == __file__  # points at the user's line, as torch's does
    assert NON_LEAF_GRAD_WARNING.startswith("The .grad attribute of a Tensor that is not a leaf")
    if maybe_torch is not None:
        with pytest.warns(UserWarning) as theirs:
            (maybe_torch.ones(2, requires_grad=True) * 2).grad  # noqa: B018
        assert str(theirs[0].message).startswith(NON_LEAF_GRAD_WARNING)


def test_grad_of_leaves_and_retained_does_not_warn():
    x = gradviz.ones(2, requires_grad=True)
    assert x.grad is None  # filterwarnings=error: any warning fails this test
    y = x * 2
    y.retain_grad()
    assert y.grad is None
    assert gradviz.ones(2).grad is None


def test_grad_assignment(raises_as_torch, maybe_torch):
    x = gradviz.ones(2, requires_grad=True)
    g = gradviz.tensor([1.0, 2.0])
    x.grad = g
    assert x.grad is g
    (x * 3).sum().backward()
    assert x.grad is g and g.tolist() == [4.0, 5.0]  # accumulated in place
    x.grad = None
    assert x.grad is None
    del x.grad
    assert x.grad is None

    def assign(lib, value):
        lib.ones(2, requires_grad=True).grad = value

    raises_as_torch(
        lambda: assign(gradviz, gradviz.ones(3)), RuntimeError,
        "attempting to assign a gradient of size '[3]' to a tensor of size '[2]'. Please ensure "
        "that the gradient and the tensor are the same size",
        lambda: assign(maybe_torch, maybe_torch.ones(3)))
    raises_as_torch(
        lambda: assign(gradviz, [1.0, 2.0]), TypeError,
        "assigned grad expected to be a Tensor or None but got grad of type list",
        lambda: assign(maybe_torch, [1.0, 2.0]))
    raises_as_torch(
        lambda: assign(gradviz, gradviz.ones(2, dtype=gradviz.float64)), RuntimeError,
        "attempting to assign a gradient with dtype 'double' to a tensor with grad_dtype 'Float'. "
        "The gradient must match the tensor's grad_dtype (defaults to the tensor's dtype). You "
        "can set the tensor's grad_dtype attribute with a specific dtype, or None to allow any "
        "dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its gradient "
        "may break downstream systems that assume they match.",
        lambda: assign(maybe_torch, maybe_torch.ones(2, dtype=maybe_torch.float64)))


# ---------------------------------------------------------------- retain_grad
def test_retain_grad():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    assert not y.retains_grad
    y.retain_grad()
    assert y.retains_grad and not x.retains_grad
    x.retain_grad()  # a no-op on leaves
    assert not x.retains_grad
    (y * y).sum().backward(retain_graph=True)
    assert y.grad.tolist() == [6.0, 12.0]
    assert y.grad.grad_fn is None and not y.grad.requires_grad
    (y * y).sum().backward()
    assert y.grad.tolist() == [12.0, 24.0]  # accumulates like a leaf's


def test_retain_grad_needs_requires_grad(raises_as_torch, maybe_torch):
    raises_as_torch(lambda: gradviz.ones(2).retain_grad(), RuntimeError,
                    "can't retain_grad on Tensor that has requires_grad=False",
                    lambda: maybe_torch.ones(2).retain_grad())


# ---------------------------------------------------------------- register_hook
def test_leaf_hook_sees_and_replaces_the_gradient():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    h1 = x.register_hook(lambda g: seen.append(g.tolist()))
    h2 = x.register_hook(lambda g: g * 10)
    (x * 3).sum().backward()
    assert seen == [[3.0, 3.0]]
    assert x.grad.tolist() == [30.0, 30.0]
    h2.remove()
    h2.remove()  # removing twice is harmless
    (x * 3).sum().backward()
    assert x.grad.tolist() == [33.0, 33.0]
    assert seen == [[3.0, 3.0], [3.0, 3.0]]
    h1.remove()
    (x * 3).sum().backward()
    assert len(seen) == 2


def test_non_leaf_hook_changes_what_flows_on():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    h = y.register_hook(lambda g: g * 2)
    (y * y).sum().backward(retain_graph=True)
    assert x.grad.tolist() == [36.0, 72.0]  # 2 * (2y) * 3
    h.remove()
    x.grad = None
    (y * y).sum().backward()
    assert x.grad.tolist() == [18.0, 36.0]


def test_hooks_run_before_retain_grad(libs):
    for lib in libs:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        seen = []
        y.register_hook(lambda g, seen=seen: seen.append(g.tolist()))
        y.retain_grad()
        y.register_hook(lambda g: g + 1)  # registered after retain_grad, still runs first
        (y * y).sum().backward()
        assert seen == [[6.0, 12.0]]
        assert y.grad.tolist() == [7.0, 13.0]
        assert x.grad.tolist() == [21.0, 39.0]


def test_hook_on_tensor_without_grad(raises_as_torch, maybe_torch):
    raises_as_torch(lambda: gradviz.ones(2).register_hook(lambda g: g), RuntimeError,
                    "cannot register a hook on a tensor that doesn't require gradient",
                    lambda: maybe_torch.ones(2).register_hook(lambda g: g))


@pytest.mark.parametrize("leaf", [True, False])
def test_hook_results_are_checked(raises_as_torch, maybe_torch, leaf):
    def run(lib, hook):
        x = lib.ones(2, requires_grad=True)
        t = x if leaf else x * 2
        t.register_hook(hook)
        (t * 2).sum().backward()

    raises_as_torch(lambda: run(gradviz, lambda g: gradviz.ones(3)), RuntimeError,
                    "hook '<lambda>' has changed the size of value",
                    lambda: run(maybe_torch, lambda g: maybe_torch.ones(3)))
    raises_as_torch(lambda: run(gradviz, lambda g: (g,)), TypeError,
                    "expected Variable, but hook returned 'tuple'",
                    lambda: run(maybe_torch, lambda g: (g,)))
    raises_as_torch(lambda: run(gradviz, lambda g: g.double()), RuntimeError,
                    "hook '<lambda>' has changed the type of value (was gradviz.FloatTensor got "
                    "gradviz.DoubleTensor)",
                    lambda: run(maybe_torch, lambda g: g.double()))


@pytest.mark.parametrize("kind", ["prehook", "posthook"])
def test_grad_fn_hook_results_keep_dtype_and_size(raises_as_torch, maybe_torch, kind):
    def run(lib, change):
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        if kind == "prehook":
            y.grad_fn.register_prehook(lambda grads: (change(grads[0]),))
        else:
            y.grad_fn.register_hook(lambda grads_in, grads_out: (change(grads_in[0]), None))
        y.sum().backward()

    raises_as_torch(lambda: run(gradviz, lambda g: g.double()), RuntimeError,
                    "hook '<lambda>' has changed the type of value (was gradviz.FloatTensor got "
                    "gradviz.DoubleTensor)",
                    lambda: run(maybe_torch, lambda g: g.double()))
    raises_as_torch(lambda: run(gradviz, lambda g: g.sum()), RuntimeError,
                    "hook '<lambda>' has changed the size of value",
                    lambda: run(maybe_torch, lambda g: g.sum()))


# ---------------------------------------------------------------- versions
def test_in_place_ops_bump_the_version():
    a = gradviz.ones(3)
    assert a._version == 0
    a.add_(1)
    assert a._version == 1
    before = a
    a += 1
    assert a is before and a._version == 2
    a *= 2
    a -= 1
    a /= 2
    assert a._version == 5
    a[0] = 7
    assert a._version == 6
    a.zero_()
    a.fill_(3)
    assert a._version == 8
    a + 1  # noqa: B018 - out of place: no bump
    assert a._version == 8
    assert a.tolist() == [3.0, 3.0, 3.0]


def test_views_share_the_version_counter(libs):
    for lib in libs:
        a = lib.ones(4)
        v = a[1:]
        w = a.view(2, 2)
        v.add_(1)
        assert a._version == v._version == w._version == 1
        assert a.tolist() == [1.0, 2.0, 2.0, 2.0]
        a.mul_(2)
        assert v._version == 2


def test_out_of_place_results_have_their_own_version():
    a = gradviz.ones(3)
    b = a * 1
    b.add_(1)
    assert a._version == 0 and b._version == 1


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
