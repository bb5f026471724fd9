"""In-place operations and the version counter, as torch 2.x: the check on saved
inputs and results (with torch's literal message), in-place changes through views,
in-place ops recorded in the graph, and in-place ops on leaves that require grad.
"""

from __future__ import annotations

import pytest
from autograd_helpers import VERSION_HINT, version_message

import gradviz


# ---------------------------------------------------------------- the version counter
def _modified_after_save(lib, dtype="float32"):
    a = lib.ones(3, requires_grad=True, dtype=getattr(lib, dtype))
    b = a * 1
    c = b * b
    b.mul_(2)
    c.sum().backward()


@pytest.mark.parametrize("dtype,name", [("float32", "gradviz.FloatTensor"),
                                        ("float64", "gradviz.DoubleTensor")])
def test_version_check_on_saved_inputs(dtype, name, raises_as_torch, maybe_torch):
    raises_as_torch(lambda: _modified_after_save(gradviz, dtype), RuntimeError,
                    version_message(name, [3], "Mul", 1),
                    lambda: _modified_after_save(maybe_torch, dtype))


def test_version_check_on_saved_results(raises_as_torch, maybe_torch):
    def run(lib):
        a = lib.ones(2, 3, requires_grad=True)
        c = a.sigmoid()
        c.add_(1)
        c.sum().backward()

    # a saved result is named by the node that saved it (a saved input by its grad_fn now)
    raises_as_torch(lambda: run(gradviz), RuntimeError,
                    version_message("gradviz.FloatTensor", [2, 3], "Sigmoid", 1),
                    lambda: run(maybe_torch))


def test_version_check_counts_every_change(raises_as_torch, maybe_torch):
    def run(lib):
        a = lib.ones(3, requires_grad=True)
        b = a.exp()
        b.mul_(2)
        b.add_(1)
        b.sum().backward()

    raises_as_torch(lambda: run(gradviz), RuntimeError,
                    version_message("gradviz.FloatTensor", [3], "Exp", 2),
                    lambda: run(maybe_torch))


def test_version_check_names_the_current_grad_fn_of_inputs(raises_as_torch, maybe_torch):
    def run(lib):
        a = lib.ones(3, requires_grad=True)
        b = a * 2
        c = b.sin()
        b.add_(1)
        c.sum().backward()

    raises_as_torch(lambda: run(gradviz), RuntimeError,
                    version_message("gradviz.FloatTensor", [3], "Add", 1),
                    lambda: run(maybe_torch))


def test_version_check_on_plain_tensor(raises_as_torch, maybe_torch):
    def run(lib):
        a = lib.ones(3)
        w = lib.ones(3, requires_grad=True)
        c = a * w
        a.add_(1)
        c.sum().backward()

    raises_as_torch(lambda: run(gradviz), RuntimeError,
                    version_message("gradviz.FloatTensor", [3], None, 1),
                    lambda: run(maybe_torch))


def test_in_place_change_of_unsaved_tensor_is_fine(libs):
    for lib in libs:
        a = lib.ones(3, requires_grad=True)
        b = a * 1
        c = b + 1  # AddBackward0 saves nothing
        b.mul_(2)
        c.sum().backward()
        assert a.grad.tolist() == [1.0, 1.0, 1.0]


def _in_place_on_views(lib):
    """Programs that change a tensor in the graph through a view; what each observes."""
    seen = []
    x = lib.ones(3, requires_grad=True).clone()
    x[:2].mul_(lib.full((2,), 3.0, requires_grad=True))
    x.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        x.sum().backward()  # CopySlices freed what its MulBackward0 saved
    w = lib.ones(2, requires_grad=True)
    c = lib.zeros(3)
    u = c[1:]  # a view of a constant, taken before the constant changes through another
    c[:2].add_(w)
    seen += [u.requires_grad, u.is_leaf, type(u.grad_fn).__name__]
    (u * lib.tensor([5.0, 7.0])).sum().backward()
    seen.append(w.grad.tolist())
    a = lib.ones(3, requires_grad=True)
    x = a * 2
    v = x[1:]
    x.mul_(3)  # the base itself changes: the old view is regenerated over its new grad_fn
    seen += [type(v.grad_fn).__name__, type(v.grad_fn.next_functions[0][0]).__name__]
    v.sum().backward()
    seen.append(a.grad.tolist())
    a = lib.arange(6.0).reshape(2, 3).requires_grad_()
    x = a * 1
    x[0][1:] = lib.tensor([10.0, 20.0])  # setitem on a view of a view
    seen += [x.tolist(), [type(n).__name__ for n, _ in x.grad_fn.next_functions]]
    x.sum().backward()
    seen.append(a.grad.tolist())
    a = lib.ones(3, requires_grad=True)
    y = a.clone()[:2]
    y.exp_()
    z = y * 1
    y.add_(1)  # exp_ saved its result: now out of date
    with pytest.raises(RuntimeError) as info:
        z.sum().backward()
    seen.append(str(info.value).replace("torch.", "gradviz.").split(" Hint")[0])
    return seen


def test_in_place_through_views_as_torch(oracle):
    assert _in_place_on_views(gradviz) == _in_place_on_views(oracle)


def test_in_place_through_views():
    seen = _in_place_on_views(gradviz)
    assert seen[:4] == [True, False, "AsStridedBackward0", [0.0, 5.0]]
    assert seen[4:7] == ["AsStridedBackward0", "MulBackward0", [0.0, 6.0, 6.0]]
    assert seen[7:10] == [[[0.0, 10.0, 20.0], [3.0, 4.0, 5.0]], ["MulBackward0", "NoneType"],
                          [[1.0, 0.0, 0.0], [1.0, 1.0, 1.0]]]
    assert seen[10] + VERSION_HINT == version_message("gradviz.FloatTensor", "[2]", "AsStrided",
                                                       2, 1)


def test_in_place_ops_are_recorded():
    a = gradviz.tensor([1.0, 2.0], requires_grad=True)
    b = a * 1
    b.mul_(3)
    b.add_(1)
    assert b.grad_fn.name() == "AddBackward0"
    assert b.grad_fn.next_functions[0][0].name() == "MulBackward0"
    assert b.tolist() == [4.0, 7.0] and b._version == 2
    (b * b).sum().backward()
    assert a.grad.tolist() == [24.0, 42.0]  # 2b * 3


def test_in_place_op_reading_itself(raises_as_torch, maybe_torch):
    def run(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = a * 1
        b.mul_(b)  # saves b as `other`, then changes it
        b.sum().backward()

    raises_as_torch(lambda: run(gradviz), RuntimeError,
                    version_message("gradviz.FloatTensor", [2], "Mul", 1),
                    lambda: run(maybe_torch))


def test_in_place_on_leaf_that_requires_grad(raises_as_torch, maybe_torch):
    def add(lib):
        lib.ones(3, requires_grad=True).add_(1)

    def iadd(lib):
        a = lib.ones(3, requires_grad=True)
        a += 1

    message = "a leaf Variable that requires grad is being used in an in-place operation."
    raises_as_torch(lambda: add(gradviz), RuntimeError, message, lambda: add(maybe_torch))
    raises_as_torch(lambda: iadd(gradviz), RuntimeError, message, lambda: iadd(maybe_torch))
    a = gradviz.ones(3, requires_grad=True)
    with gradviz.no_grad():
        a.add_(1)  # allowed, as an optimizer step
    assert a.tolist() == [2.0, 2.0, 2.0] and a._version == 1 and a.is_leaf


def test_setitem_on_leaf_that_requires_grad(raises_as_torch, maybe_torch):
    def run(lib):
        a = lib.ones(3, requires_grad=True)
        a[0] = 2

    raises_as_torch(lambda: run(gradviz), RuntimeError,
                    "a view of a leaf Variable that requires grad is being used in an in-place "
                    "operation.", lambda: run(maybe_torch))


def test_retain_grad_follows_in_place_changes(libs):
    for lib in libs:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.retain_grad()
        y.add_(1)  # a new grad_fn: the retained .grad is the gradient of the new value
        (y * y).sum().backward()
        assert y.grad.tolist() == [6.0, 10.0]
        assert x.grad.tolist() == [12.0, 20.0]
