"""The gradients ``backward`` starts from and where it stops, as torch 2.x: implicit
gradients only for scalar outputs, given gradients (shape and type checks),
``autograd.backward`` of several tensors, ``backward(inputs=)``, and relu's zero
gradient where it is flat. Messages are compared with torch's when it is installed.
"""

from __future__ import annotations

import math

import pytest

import gradviz


# ---------------------------------------------------------------- implicit and given gradients
def test_implicit_grad_only_for_scalar_outputs(raises_as_torch, maybe_torch):
    raises_as_torch(lambda: (gradviz.ones(2, requires_grad=True) * 2).backward(), RuntimeError,
                    "grad can be implicitly created only for scalar outputs",
                    lambda: (maybe_torch.ones(2, requires_grad=True) * 2).backward())
    x = gradviz.tensor([[2.0]], requires_grad=True)
    (x * x).backward()  # one element, any shape: allowed
    assert x.grad.tolist() == [[4.0]]


@pytest.mark.parametrize("shape", [(3,), (2, 1), ()])
def test_gradient_shape_is_checked(shape, raises_as_torch, maybe_torch):
    message = (f"Mismatch in shape: grad_output[0] has a shape of torch.Size({list(shape)}) and "
               "output[0] has a shape of torch.Size([2]).")
    raises_as_torch(lambda: (gradviz.ones(2, requires_grad=True) * 2).backward(gradviz.ones(shape)),
                    RuntimeError, message,
                    lambda: (maybe_torch.ones(2, requires_grad=True) * 2).backward(
                        maybe_torch.ones(shape)))


def test_given_gradient_weights_the_backward():
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    (x * x).backward(gradviz.tensor([1.0, 10.0]))
    assert x.grad.tolist() == [2.0, 40.0]
    x.grad = None
    (x * x).sum().backward(gradviz.tensor(3.0))
    assert x.grad.tolist() == [6.0, 12.0]


def test_gradient_argument_types(raises_as_torch, maybe_torch):
    raises_as_torch(lambda: (gradviz.ones(2, requires_grad=True) * 2).backward([1.0, 1.0]),
                    TypeError, "gradients can be either Tensors or None, but got float",
                    lambda: (maybe_torch.ones(2, requires_grad=True) * 2).backward([1.0, 1.0]))
    raises_as_torch(lambda: (gradviz.ones(2, requires_grad=True) * 2).sum().backward(2.0),
                    TypeError, "'float' object is not iterable",
                    lambda: (maybe_torch.ones(2, requires_grad=True) * 2).sum().backward(2.0))


def test_backward_on_tensor_without_grad(raises_as_torch, maybe_torch):
    raises_as_torch(lambda: gradviz.ones(1).sum().backward(), RuntimeError,
                    "element 0 of tensors does not require grad and does not have a grad_fn",
                    lambda: maybe_torch.ones(1).sum().backward())


def test_autograd_backward_of_several_tensors(raises_as_torch, maybe_torch):
    x = gradviz.tensor([1.0, 2.0], requires_grad=True)
    gradviz.autograd.backward([(x * x).sum(), (x * 2).sum()])
    assert x.grad.tolist() == [4.0, 6.0]
    x.grad = None
    gradviz.autograd.backward([x * x, x * 2], [gradviz.ones(2), gradviz.ones(2) * 3])
    assert x.grad.tolist() == [8.0, 10.0]

    def too_few(lib):
        y = lib.ones(2, requires_grad=True)
        lib.autograd.backward([y.sum(), y.sum()], [lib.tensor(1.0)])

    raises_as_torch(lambda: too_few(gradviz), RuntimeError, "got 2 tensors and 1 gradients",
                    lambda: too_few(maybe_torch))

    def second_without_grad(lib):
        y = lib.ones(2, requires_grad=True)
        lib.autograd.backward([(y * 2).sum(), lib.ones(2).sum()])

    raises_as_torch(lambda: second_without_grad(gradviz), RuntimeError,
                    "element 1 of tensors does not require grad and does not have a grad_fn",
                    lambda: second_without_grad(maybe_torch))


# ---------------------------------------------------------------- backward(inputs=)
def test_backward_inputs_limits_accumulation(libs):
    for lib in libs:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0], requires_grad=True)
        (x * w).sum().backward(inputs=[x])
        assert x.grad.tolist() == [3.0, 4.0] and w.grad is None
        (x * w).sum().backward(inputs=w)
        assert w.grad.tolist() == [1.0, 2.0] and x.grad.tolist() == [3.0, 4.0]


def test_backward_inputs_non_leaf(libs):
    for lib in libs:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        z = y * 2
        z.sum().backward(inputs=[y], retain_graph=True)
        assert x.grad is None
        assert y.retains_grad and y.grad.tolist() == [2.0, 2.0]
        z.sum().backward()
        assert y.grad.tolist() == [4.0, 4.0] and x.grad.tolist() == [6.0, 6.0]


def test_backward_inputs_errors(raises_as_torch, maybe_torch):
    def run(lib, inputs):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward(inputs=inputs(lib))

    raises_as_torch(lambda: run(gradviz, lambda lib: []), RuntimeError,
                    "`inputs` argument to `backward()` cannot be empty.",
                    lambda: run(maybe_torch, lambda lib: []))
    raises_as_torch(lambda: run(gradviz, lambda lib: [lib.ones(2)]), RuntimeError,
                    "can't retain_grad on Tensor that has requires_grad=False",
                    lambda: run(maybe_torch, lambda lib: [lib.ones(2)]))
    unused = gradviz.ones(2, requires_grad=True)
    x = gradviz.ones(2, requires_grad=True)
    (x * x).sum().backward(inputs=[unused])  # unreachable: allowed, nothing accumulated
    assert unused.grad is None and x.grad is None


def test_relu_gives_zero_where_it_is_flat_even_to_a_nan_gradient(libs):
    """torch's threshold_backward: 0 where the input was <= 0, whatever arrives there."""
    for lib in libs:
        x = lib.tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
        x.relu().backward(lib.tensor([float("nan"), 1.0, float("inf"), float("nan")]))
        got = x.grad.tolist()
        assert got[0] == 0.0 and got[1] == 1.0 and got[2] == 0.0 and math.isnan(got[3])
