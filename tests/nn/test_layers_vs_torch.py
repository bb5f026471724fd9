"""BatchNorm, LayerNorm, Embedding, GELU, Unflatten, ModuleDict and ParameterList against
torch: reprs, state dict keys, initial weights from the same seed, outputs, gradients and
running statistics over a few training steps, then eval mode."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("layer", [
    "BatchNorm1d(3)", "BatchNorm2d(4, affine=False, momentum=None)", "LayerNorm(5)",
    "LayerNorm((2, 3), elementwise_affine=False)", "Embedding(10, 3, padding_idx=0)",
    "GELU('tanh')", "Unflatten(1, (2, 3))", "ModuleDict({'a': T.nn.ReLU(), 'b': T.nn.GELU()})",
    "ParameterList([T.nn.Parameter(T.ones(2)), T.zeros(3, 2)])"])
def test_repr_and_state_match_torch(layer):
    seen = []
    for T in (gradviz, torch):
        T.manual_seed(0)
        module = eval(f"T.nn.{layer}")  # noqa: S307 - our own table
        seen.append((repr(module), list(module.state_dict()),
                     [str(p) for p in module.parameters()]))
    assert seen[0] == seen[1]


def _steps(T, make, shape):
    T.manual_seed(0)
    model = make(T).double()  # float64: float32 cancellation in batch norm's backward would
    opt = T.optim.SGD(model.parameters(), lr=0.1)  # depend on torch's thread count
    outs = []
    for _ in range(3):
        x = T.randn(*shape).double()
        y = model(x)
        loss = (y ** 2 * T.arange(float(y[0].numel())).reshape(y.shape[1:])).mean()
        opt.zero_grad()
        loss.backward()
        outs += [loss.item()] + [p.grad.numpy().copy() for p in model.parameters()]
        opt.step()
    model.eval()
    with T.no_grad():
        outs.append(model(T.randn(*shape).double()).numpy())
    outs += [b.numpy().copy() for b in model.buffers()]
    return outs


MODELS = {
    "batchnorm1d": (lambda T: T.nn.Sequential(T.nn.Linear(3, 4), T.nn.BatchNorm1d(4)), (6, 3)),
    "batchnorm1d_3d": (lambda T: T.nn.BatchNorm1d(2, momentum=None), (3, 2, 4)),
    "batchnorm2d": (lambda T: T.nn.Sequential(T.nn.Conv2d(2, 3, 3), T.nn.BatchNorm2d(3),
                                              T.nn.GELU()), (2, 2, 5, 5)),
    "layernorm": (lambda T: T.nn.Sequential(T.nn.Linear(3, 4), T.nn.LayerNorm(4)), (5, 3)),
    "unflatten": (lambda T: T.nn.Sequential(T.nn.Linear(3, 6), T.nn.Unflatten(1, (2, 3)),
                                            T.nn.LayerNorm((2, 3))), (4, 3)),
}


@pytest.mark.parametrize("name", MODELS)
def test_training_steps_match_torch(name):
    make, shape = MODELS[name]
    got, want = _steps(gradviz, make, shape), _steps(torch, make, shape)
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12, err_msg=f"item {i}")


def test_embedding_lookup_and_padding_grad_match_torch():
    results = []
    for T in (gradviz, torch):
        T.manual_seed(1)
        emb = T.nn.Embedding(5, 3, padding_idx=2)
        out = emb(T.tensor([[0, 2], [2, 4]]))
        (out * T.arange(12.0).reshape(2, 2, 3)).sum().backward()
        results.append((str(out), str(emb.weight.grad)))
    assert results[0] == results[1]
    frozen = gradviz.nn.Embedding.from_pretrained(gradviz.ones(2, 3))
    assert not frozen.weight.requires_grad


def test_batchnorm_errors_match_torch():
    messages = []
    for T in (gradviz, torch):
        found = []
        for call in ("T.nn.BatchNorm1d(3)(T.ones(1, 3))", "T.nn.BatchNorm2d(3)(T.ones(2, 3, 4))",
                     "T.nn.functional.embedding(T.tensor([5]), T.ones(3, 2))",
                     "T.nn.functional.one_hot(T.tensor([1.0]))"):
            with pytest.raises((ValueError, RuntimeError, IndexError)) as info:
                eval(call, {"T": T})  # noqa: S307 - our own programs
            found.append((type(info.value).__name__, str(info.value)))
        messages.append(found)
    assert messages[0] == messages[1]


def test_module_dict_registers_its_modules():
    d = gradviz.nn.ModuleDict({"fc": gradviz.nn.Linear(2, 2)})
    d["act"] = gradviz.nn.ReLU()
    assert list(d.keys()) == ["fc", "act"] and "fc" in d and len(d) == 2
    assert [n for n, _ in d.named_parameters()] == ["fc.weight", "fc.bias"]
    plist = gradviz.nn.ParameterList([gradviz.ones(2)])
    plist.append(gradviz.zeros(3))
    assert [p.shape for p in plist] == [(2,), (3,)] and len(list(plist.parameters())) == 2
