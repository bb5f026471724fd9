"""Code written for PyTorch runs unchanged in the app: ``import torch`` and its submodules
give gradviz in console statements, scripts and tutorial cells, and only there."""

import sys
import time
import types

import pytest

import gradviz
from gradviz.session import Session

TORCH_CODE = (
    "import torch\n"
    "import torch.nn as nn\n"
    "import torch.nn.functional as F\n"
    "from torch import optim\n"
    "from torch.autograd import Variable, grad\n"
    "net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))\n"
    "opt = optim.SGD(net.parameters(), lr=0.1)\n"
    "loss = F.mse_loss(net(torch.ones(2, 3)), torch.zeros(2, 1))\n"
    "loss.backward()\n"
)


@pytest.fixture
def app():
    session = Session()
    yield session
    session.close()


@pytest.fixture
def real_torch(monkeypatch):
    """A stand-in for the user's real torch, imported in the process before."""
    module = types.ModuleType("torch")
    monkeypatch.setitem(sys.modules, "torch", module)
    return module


def names_in(model):
    return {d.get("name") for _, d in model.graph.nodes(data=True)}


def test_a_statement_imports_gradviz_as_torch(app, real_torch):
    done = []
    for count, line in enumerate(TORCH_CODE.splitlines(), 1):
        code = compile(line, "<console>", "single")
        app.start_statement(code, line, done.append)
        app.runner.wait(30)
        # (the runner is free a moment before ``done`` is called: the batch closes first)
        until = time.monotonic() + 30
        while len(done) < count and time.monotonic() < until:
            time.sleep(0.01)
    assert done == [None] * len(TORCH_CODE.splitlines())
    ns = app.namespace
    assert ns["torch"] is gradviz and ns["nn"] is gradviz.nn and ns["F"] is gradviz.nn.functional
    assert {"MseLossBackward0", "AddmmBackward0", "AccumulateGrad"} <= names_in(app.model)
    assert sys.modules["torch"] is real_torch, "the real torch is back after the statement"


def test_a_script_and_run_source_import_gradviz_as_torch(app, real_torch, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(TORCH_CODE)
    assert app.run_file(script) is None
    assert app.namespace["nn"] is gradviz.nn
    assert app.namespace["loss"].grad_fn.name() == "MseLossBackward0"
    assert sys.modules["torch"] is real_torch


def test_a_missing_name_says_what_to_do(app):
    error = app.run_source("import torch\ntorch.fft_not_here(1)")
    assert isinstance(error, AttributeError)
    assert "NumPy engine" in str(error) and "--engine torch" in str(error)
