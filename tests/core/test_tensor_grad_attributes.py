"""The Tensor's autograd attributes as torch 2.x defines them: ``detach`` (and
``detach_``, ``.data``), ``requires_grad``, ``.grad`` (its warning and assignment
checks) and ``retain_grad``.

Each test asserts gradviz's behaviour literally; where torch is installed the same
call is also made on torch and the results compared.
"""

from __future__ import annotations

import pytest

import gradviz
from gradviz.core.methods.autograd import NON_LEAF_GRAD_WARNING


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
