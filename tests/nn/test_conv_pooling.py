"""Conv and pooling layers against torch: same initial weights from the same seed, same
reprs, outputs and gradients through a small CNN, torch's errors for bad shapes; and the
second derivative through a convolution fails saying so."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz

torch = pytest.importorskip("torch")


def _cnn(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(4, 4, 3, stride=2, groups=2, bias=False),
                         nn.AvgPool2d(2, ceil_mode=True), nn.AdaptiveAvgPool2d((1, 1)),
                         nn.Flatten(), nn.Linear(4, 3))


def test_small_cnn_matches_torch():
    ours, theirs = [], []
    for lib, out in ((gradviz, ours), (torch, theirs)):
        lib.manual_seed(0)
        model = _cnn(lib)
        x = lib.randn(3, 2, 12, 12)
        y = model(x)
        loss = lib.nn.functional.cross_entropy(y, lib.tensor([0, 2, 1]))
        loss.backward()
        out.extend([repr(model), y.detach().numpy(), loss.item()]
                   + [p.grad.numpy() for p in model.parameters()])
    assert ours[0] == theirs[0]
    for a, b in zip(ours[1:], theirs[1:], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("layer", [
    "Conv1d(2, 3, 3, stride=2, padding=1, bias=False)", "Conv2d(4, 4, 3, groups=2, dilation=2)",
    "MaxPool2d(3, stride=1, padding=1, ceil_mode=True)", "MaxPool1d(2)", "AvgPool1d(3)",
    "AvgPool2d(2)", "AdaptiveAvgPool1d(1)", "AdaptiveAvgPool2d((2, 3))"])
def test_layer_reprs_match_torch(layer):
    assert repr(eval(f"gradviz.nn.{layer}")) == repr(eval(f"torch.nn.{layer}"))  # noqa: S307


@pytest.mark.parametrize("call", [
    "F.conv2d(x.double(), w)", "F.conv2d(x, T.randn(3, 4, 3, 3))", "F.conv2d(x[0, 0], w)",
    "F.conv2d(x, w, T.randn(3).double())", "F.conv2d(x, w, stride=0)",
    "F.conv2d(x[:, :, :2, :2], w)", "F.conv2d(x, w, groups=2)",
    "F.max_pool2d(x, 4, padding=3)", "F.max_pool2d(x[0, 0, 0], 2)"])
def test_errors_match_torch(call):
    messages = []
    for T in (gradviz, torch):
        F = T.nn.functional  # noqa: F841, N806 - used by eval
        x, w = T.ones(1, 2, 6, 6), T.ones(3, 2, 3, 3)  # noqa: F841
        with pytest.raises(RuntimeError) as info:
            eval(call)  # noqa: S307
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_max_pool_return_indices_match_torch():
    data = np.random.default_rng(0).standard_normal((1, 2, 5, 5))
    got = gradviz.nn.functional.max_pool2d(gradviz.from_numpy(data), 2, return_indices=True)
    want = torch.nn.functional.max_pool2d(torch.from_numpy(data), 2, return_indices=True)
    assert str(got[1].dtype) == str(want[1].dtype)
    np.testing.assert_array_equal(got[1].numpy(), want[1].numpy())


def test_conv_second_derivative_matches_torch():
    data = np.random.default_rng(1)
    xs, ws = data.standard_normal((1, 1, 4, 4)), data.standard_normal((1, 1, 3, 3))
    seen = []
    for T in (gradviz, torch):
        x = T.tensor(xs, requires_grad=True)
        w = T.tensor(ws, requires_grad=True)
        out = T.nn.functional.conv2d(x, w)
        (gx,) = T.autograd.grad((out * out).sum(), x, create_graph=True)
        plain = T.autograd.grad((out * out).sum(), x, retain_graph=True)[0]
        assert gx.equal(plain)
        gx.pow(2).sum().backward()
        seen.append((x.grad.numpy(), w.grad.numpy()))
    np.testing.assert_allclose(seen[0][0], seen[1][0], rtol=1e-12)
    np.testing.assert_allclose(seen[0][1], seen[1][1], rtol=1e-12)
