"""``import torch`` inside the app's code gives gradviz, only while that code runs."""

import sys
import types

import pytest

import gradviz
from gradviz.autograd import Variable
from gradviz.torch_alias import torch_alias

IMPORTS = """
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import nn as nn2, optim
from torch.autograd import Variable, grad
"""


def run(source):
    namespace = {}
    with torch_alias():
        exec(source, namespace)
    return namespace


def test_torch_imports_resolve_to_gradviz_modules():
    ns = run(IMPORTS)
    assert ns["torch"] is gradviz
    assert ns["nn"] is gradviz.nn and ns["nn2"] is gradviz.nn
    assert ns["F"] is gradviz.nn.functional
    assert ns["optim"] is gradviz.optim
    assert ns["Variable"] is Variable and ns["grad"] is gradviz.autograd.grad


def test_code_written_for_torch_trains_on_the_numpy_engine():
    ns = run(IMPORTS + """
net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
opt = optim.SGD(net.parameters(), lr=0.1)
x = torch.randn(8, 3)
losses = []
for _ in range(5):
    opt.zero_grad()
    loss = F.mse_loss(net(x), torch.zeros(8, 1))
    loss.backward()
    opt.step()
    losses.append(loss.item())
""")
    assert isinstance(ns["loss"], gradviz.Tensor)
    assert ns["losses"][-1] < ns["losses"][0]


def test_the_real_torch_elsewhere_in_the_process_is_untouched(monkeypatch):
    real = types.ModuleType("torch")
    real_nn = types.ModuleType("torch.nn")
    monkeypatch.setitem(sys.modules, "torch", real)
    monkeypatch.setitem(sys.modules, "torch.nn", real_nn)
    ns = run("import torch\nimport torch.nn as nn")
    assert ns["torch"] is gradviz and ns["nn"] is gradviz.nn
    assert sys.modules["torch"] is real and sys.modules["torch.nn"] is real_nn
    import torch

    assert torch is real
    assert _torch_finders() == []


def _torch_finders():
    return [f for f in sys.meta_path if type(f).__name__ == "_TorchFinder"]


def test_blocks_nest_and_an_exception_still_restores(monkeypatch):
    real = types.ModuleType("torch")
    monkeypatch.setitem(sys.modules, "torch", real)
    with pytest.raises(ZeroDivisionError), torch_alias():
        with torch_alias():
            import torch
            assert torch is gradviz
        import torch
        assert torch is gradviz  # still aliased in the outer block
        raise ZeroDivisionError
    assert sys.modules["torch"] is real
    assert _torch_finders() == []


def test_a_missing_name_says_the_engine_lacks_it():
    with pytest.raises(AttributeError) as e:
        run("import torch\ntorch.not_a_torch_function")
    message = str(e.value)
    assert message.startswith("module 'gradviz' has no attribute 'not_a_torch_function'")
    assert "(torch.not_a_torch_function)" in message
    assert "NumPy engine" in message and "--engine torch" in message
    nn_message = r"'gradviz.nn' has no attribute 'Nope' \(torch.nn.Nope\)"
    with pytest.raises(AttributeError, match=nn_message):
        run("import torch.nn as nn\nnn.Nope")
    with pytest.raises(AttributeError, match=r"\(torch.autograd.nope\): gradviz's NumPy engine"):
        run("import torch\ntorch.autograd.nope")


def test_a_missing_submodule_says_the_engine_lacks_it():
    with pytest.raises(ModuleNotFoundError, match="No module named 'torch.not_there'.*NumPy"):
        run("import torch.not_there")
    with pytest.raises(ImportError, match="cannot import name 'not_there'"):
        run("from torch import not_there")


def test_variable_is_torchs_legacy_wrapper(maybe_torch):
    x = gradviz.ones(2)
    v = Variable(x, requires_grad=True)
    assert v is not x and v.is_leaf and v.requires_grad and not x.requires_grad
    v.data[0] = 5.0  # shares x's storage, as torch's does
    assert x[0].item() == 5.0
    assert isinstance(x, Variable) and not isinstance(1.0, Variable)
    assert Variable().shape == (0,)
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        Variable([1, 2])
    y = (gradviz.ones(2, requires_grad=True) * 3)
    assert Variable(y).grad_fn is None and not Variable(y).requires_grad
    if maybe_torch is not None:
        with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
            maybe_torch.autograd.Variable([1, 2])
