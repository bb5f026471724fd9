"""Features the official tutorial corpus (scripts/run_official_tutorials.py) needed, each
against torch: channel-wise dropout (``nn.Dropout2d`` / ``F.dropout2d``), ``mse_loss`` with
an integer target, the tensor class name, and the runner's printed-structure comparison."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import pytest

import gradviz

torch = pytest.importorskip("torch")


def _str_and_grad(T, shape, p, training):
    T.manual_seed(0)
    x = T.ones(*shape, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = T.nn.functional.dropout2d(x, p, training)
    if y is x:
        return "same", [str(w.message) for w in caught]
    (y * T.arange(float(y.numel())).reshape(y.shape)).sum().backward()
    return (str(y), type(y.grad_fn).__name__, str(x.grad), [str(w.message) for w in caught])


@pytest.mark.parametrize("shape, p, training", [
    ((2, 3, 2, 2), 0.5, True), ((4, 5, 1, 3), 0.25, True), ((2, 3, 2, 2), 1.0, True),
    ((2, 3, 2, 2), 0.5, False), ((3, 2, 2), 0.5, True), ((3, 4), 0.5, True)])
def test_dropout2d_drops_whole_channels_as_torch(shape, p, training):
    assert _str_and_grad(gradviz, shape, p, training) == _str_and_grad(torch, shape, p, training)


def test_dropout2d_module_repr_and_eval_mode():
    for T in (gradviz, torch):
        layer = T.nn.Dropout2d(0.25)
        x = T.ones(1, 2, 3, 3)
        assert repr(layer) == "Dropout2d(p=0.25, inplace=False)"
        assert layer.eval()(x) is x
    seen = []
    for T in (gradviz, torch):
        T.manual_seed(3)
        seen.append(str(T.nn.Dropout2d(0.4)(T.ones(3, 4, 1, 1)).flatten()))
    assert seen[0] == seen[1]


def _mse(T, input_dtype, target):
    T.manual_seed(0)
    x = T.randn(2, 3, requires_grad=True, dtype=getattr(T, input_dtype))
    loss = T.nn.functional.mse_loss(x, eval(target))  # noqa: S307 - our own table
    loss.backward()
    return (str(loss), loss.dtype == getattr(T, input_dtype),
            [n is None or type(n).__name__ for n, _ in loss.grad_fn.next_functions],
            str(x.grad))


@pytest.mark.parametrize("input_dtype, target", [
    ("float32", "T.arange(6).view(2, 3)"), ("float64", "T.tensor([[1, 0, 2], [3, 1, 1]])"),
    ("float32", "T.tensor([[True, False, True], [False, False, True]])")])
def test_mse_loss_promotes_an_integer_target_as_torch(input_dtype, target):
    assert _mse(gradviz, input_dtype, target) == _mse(torch, input_dtype, target)


@pytest.mark.parametrize("pair", ["T.arange(3), T.arange(3)",
                                  "T.tensor([True]), T.tensor([True])"])
def test_mse_loss_of_two_integer_tensors_raises_as_torch(pair):
    messages = []
    for T in (gradviz, torch):
        with pytest.raises(NotImplementedError) as info:
            T.nn.functional.mse_loss(*eval(pair))  # noqa: S307 - our own table
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def _runner():
    path = Path(__file__).parents[2] / "scripts" / "run_official_tutorials.py"
    spec = importlib.util.spec_from_file_location("run_official_tutorials", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_printed_structure_ignores_values_and_their_padding_but_not_structure():
    skeleton = _runner().skeleton
    torch.manual_seed(0)
    first = str(torch.randn(4, 3))
    torch.manual_seed(1)
    second = str(torch.randn(4, 3))
    assert first != second
    assert skeleton(first) == skeleton(second)
    assert skeleton(str(torch.ones(2, 2))) != skeleton(str(torch.ones(2, 2, dtype=torch.int32)))
    assert skeleton(str(torch.ones(2, requires_grad=True) * 2)) != skeleton(str(torch.ones(2)))


def test_the_tensor_class_prints_under_the_library_name_as_torch():
    assert str(type(torch.ones(1))) == "<class 'torch.Tensor'>"
    assert str(type(gradviz.ones(1))) == "<class 'gradviz.Tensor'>"
    assert gradviz.Tensor is type(gradviz.ones(1))
