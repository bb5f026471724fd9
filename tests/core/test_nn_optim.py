"""``gradviz.nn`` modules and ``gradviz.optim``: registration, freezing, printing, and
training runs that must match torch's step for step (float64) when torch is installed.

The comparison programs are written once against a library argument ``lib`` and run
unchanged on gradviz and on torch, which is the promise ``import gradviz as torch`` makes.
"""

from __future__ import annotations

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import gradviz
from gradviz import nn, optim


def _mlp(lib, dtype=None):
    dtype = dtype or lib.float64
    return lib.nn.Sequential(lib.nn.Linear(784, 256, dtype=dtype), lib.nn.ReLU(),
                             lib.nn.Linear(256, 10, dtype=dtype))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(gradviz.ones(3))
        self.body = nn.Sequential(nn.Linear(4, 3), nn.Tanh())
        self.head = nn.Linear(3, 2, bias=False)
        self.register_buffer("steps", gradviz.zeros(1))
        self.note = gradviz.zeros(2)  # a plain tensor attribute: not registered

    def forward(self, x):
        return self.head(self.body(x) * self.scale)


# ---------------------------------------------------------------- Parameter
def test_parameter_is_a_leaf_tensor_that_shares_data_and_version():
    t = gradviz.tensor([1.0, 2.0])
    p = nn.Parameter(t)
    assert isinstance(p, nn.Parameter) and isinstance(p, gradviz.Tensor)
    assert not isinstance(t, nn.Parameter) and not isinstance(p * 2, nn.Parameter)
    assert p.requires_grad and p.is_leaf
    t.add_(1)
    assert p.tolist() == [2.0, 3.0] and p._version == t._version == 1
    assert not nn.Parameter(gradviz.ones(2), requires_grad=False).requires_grad
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(gradviz.tensor([1, 2]))


def test_parameter_in_ops_records_and_accumulates_grad():
    p = nn.Parameter(gradviz.tensor([1.0, -2.0, 3.0]))
    out = (p * p + p).sum()
    assert out.grad_fn.name() == "SumBackward0"
    out.backward()
    assert p.grad.tolist() == [3.0, -3.0, 7.0]
    assert out.grad_fn.next_functions[0][0].next_functions[1][0].variable is p


def test_parameter_repr_as_torch():
    assert repr(nn.Parameter(gradviz.tensor([1.0, 2.0]))) == (
        "Parameter containing:\ntensor([1., 2.], requires_grad=True)")
    assert str(nn.Parameter(gradviz.zeros(2), requires_grad=False)) == (
        "Parameter containing:\ntensor([0., 0.])")


def test_parameter_repr_matches_torch():
    torch = pytest.importorskip("torch")
    for lib_p in (lambda L: L.nn.Parameter(L.tensor([[1.5, -2.0], [0.25, 3.0]])),
                  lambda L: L.nn.Parameter(L.arange(3.0), requires_grad=False)):
        assert repr(lib_p(gradviz)) == repr(lib_p(torch))


def test_parameter_survives_deepcopy_and_pickle():
    p = nn.Parameter(gradviz.tensor([1.0, 2.0]))
    for q in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert type(q) is nn.Parameter and q.requires_grad and q.tolist() == [1.0, 2.0]
        q.data.add_(1)
        assert p.tolist() == [1.0, 2.0]


# ---------------------------------------------------------------- registration
def test_module_registers_parameters_buffers_and_children():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["scale", "body.0.weight", "body.0.bias", "head.weight"]
    assert [type(m).__name__ for m in net.children()] == ["Sequential", "Linear"]
    assert [n for n, _ in net.named_modules()] == ["", "body", "body.0", "body.1", "head"]
    assert [n for n, _ in net.named_buffers()] == ["steps"]
    assert list(net.state_dict()) == ["scale", "steps", *names[1:]]  # own entries, then children
    assert "note" not in dict(net.named_parameters()) and net.head.bias is None
    assert net(gradviz.ones(5, 4)).shape == (5, 2)


def test_module_parameter_count_of_mlp():
    model = _mlp(gradviz, gradviz.float32)
    assert sum(p.numel() for p in model.parameters()) == 784 * 256 + 256 + 256 * 10 + 10
    assert len(list(model.parameters())) == 4


def test_module_shared_parameter_listed_once_and_reassignment_moves_it():
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    b.weight = a.weight
    model = nn.Sequential(a, b)
    assert len(list(model.parameters())) == 3
    b.weight = None
    assert b.weight is None and [n for n, _ in b.named_parameters()] == ["bias"]
    del b.bias
    assert list(b.parameters()) == [] and "bias" not in b.state_dict()


def test_module_assignment_errors_as_torch(raises_as_torch):
    torch_lin = None
    try:
        import torch

        torch_lin = torch.nn.Linear(2, 3)
    except ImportError:
        pass
    lin = nn.Linear(2, 3)
    raises_as_torch(
        lambda: setattr(lin, "weight", gradviz.zeros(3, 2)), TypeError,
        "cannot assign 'gradviz.FloatTensor' as parameter 'weight' "
        "(torch.nn.Parameter or None expected)",
        torch_lin and (lambda: setattr(torch_lin, "weight", torch.zeros(3, 2))))
    raises_as_torch(lambda: lin.missing, AttributeError,
                    "'Linear' object has no attribute 'missing'",
                    torch_lin and (lambda: torch_lin.missing))

    class Early(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\) call"):
        Early()


def test_train_eval_propagates():
    net = Net()
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="boolean"):
        net.train("yes")


def test_forward_hooks_run_and_can_be_removed():
    lin = nn.Linear(2, 2)
    seen = []
    handle = lin.register_forward_hook(lambda m, args, out: seen.append(out.shape) or out * 0)
    pre = lin.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    assert lin(gradviz.ones(1, 2)).tolist() == [[0.0, 0.0]]
    handle.remove()
    pre.remove()
    assert lin(gradviz.ones(1, 2)).tolist() != [[0.0, 0.0]] and seen == [(1, 2)]


# ---------------------------------------------------------------- freezing and zero_grad
def test_requires_grad_false_freezes_a_submodule():
    net = Net()
    net.body.requires_grad_(False)
    net(gradviz.randn(3, 4)).sum().backward()
    assert net.body[0].weight.grad is None and net.body[0].bias.grad is None
    assert net.scale.grad is not None and net.head.weight.grad is not None
    assert net.body(gradviz.randn(3, 4)).grad_fn is None


def test_tutorial_frozen_parameters_finetune_only_the_new_head():
    # "mark some parameters in your neural network as frozen": freeze a "pretrained"
    # model, replace its classifier, and let the optimizer see every parameter
    gradviz.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
    for param in model.parameters():
        param.requires_grad = False
    model[2] = nn.Linear(16, 3)  # new parameters require grad by default
    frozen = {n: p.detach().clone() for n, p in model.named_parameters() if n.startswith("0.")}
    optimizer = optim.SGD(model.parameters(), lr=1e-1, momentum=0.9)
    head_before = model[2].weight.detach().clone()
    for _ in range(3):
        optimizer.zero_grad()
        loss = nn.CrossEntropyLoss()(model(gradviz.randn(5, 8)), gradviz.tensor([0, 1, 2, 0, 1]))
        loss.backward()
        optimizer.step()
    for name, before in frozen.items():
        p = dict(model.named_parameters())[name]
        assert p.grad is None and p.equal(before) and p._version == 1  # only its init wrote
    assert not model[2].weight.equal(head_before)
    assert set(optimizer.state) == {model[2].weight, model[2].bias}


def test_module_zero_grad_to_none_and_to_zeros():
    net = Net()
    net(gradviz.ones(2, 4)).sum().backward()
    grad = net.head.weight.grad
    net.zero_grad(set_to_none=False)
    assert net.head.weight.grad is grad and not grad.any()
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_optimizer_zero_grad():
    lin = nn.Linear(3, 1)
    opt = optim.SGD(lin.parameters(), lr=0.1)
    lin(gradviz.ones(2, 3)).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert lin.weight.grad.tolist() == [[0.0, 0.0, 0.0]]
    opt.zero_grad()
    assert lin.weight.grad is None and lin.bias.grad is None


# ---------------------------------------------------------------- Sequential and layers
def test_sequential_forward_indexing_and_renumbering():
    gradviz.manual_seed(1)
    fc1, fc2 = nn.Linear(4, 3), nn.Linear(3, 2)
    model = nn.Sequential(fc1, nn.ReLU(), fc2)
    x = gradviz.randn(6, 4)
    expected = fc2(fc1(x).relu())
    assert model(x).allclose(expected) and model(x).grad_fn.name() == "AddmmBackward0"
    assert len(model) == 3 and model[-1] is fc2 and list(model)[0] is fc1
    assert isinstance(model[:2], nn.Sequential) and len(model[:2]) == 2
    del model[1]
    assert list(model._modules) == ["0", "1"] and model[1] is fc2
    model.append(nn.Sigmoid())
    assert model(x).grad_fn.name() == "SigmoidBackward0"
    named = nn.Sequential(OrderedDict([("fc", fc1), ("act", nn.Tanh())]))
    assert named.fc is fc1 and [n for n, _ in named.named_parameters()] == ["fc.weight", "fc.bias"]
    with pytest.raises(IndexError, match="index 5 is out of range"):
        model[5]


def test_linear_init_is_kaiming_uniform_and_seeded():
    gradviz.manual_seed(7)
    a = nn.Linear(100, 50)
    gradviz.manual_seed(7)
    b = nn.Linear(100, 50)
    assert a.weight.equal(b.weight) and a.bias.equal(b.bias)
    assert a.weight.dtype == gradviz.float32
    bound = 1 / 100**0.5
    w = a.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert abs(float(w.std()) - bound / 3**0.5) < 0.1 * bound  # U(-b, b) has std b / sqrt(3)
    assert nn.Linear(2, 3, dtype=gradviz.float64).weight.dtype == gradviz.float64


def test_activation_and_shape_modules():
    x = gradviz.tensor([[-1.0, 0.0, 2.0]])
    assert nn.ReLU()(x).tolist() == [[0.0, 0.0, 2.0]]
    assert nn.Identity(3, foo=1)(x) is x
    assert nn.Softmax(dim=1)(x).sum().item() == pytest.approx(1.0)
    assert nn.LogSoftmax(dim=1)(x).exp().sum().item() == pytest.approx(1.0)
    assert nn.Sigmoid()(x).grad_fn is None and nn.Tanh()(x)[0, 0].item() < 0
    assert nn.Flatten()(gradviz.ones(2, 1, 3, 3)).shape == (2, 9)
    y = x.clone()
    assert nn.ReLU(inplace=True)(y) is y and y.tolist() == [[0.0, 0.0, 2.0]]


def test_module_double_casts_parameters_in_place():
    lin = nn.Linear(2, 2)
    weight = lin.weight
    assert lin.double() is lin and lin.weight is weight
    assert weight.dtype == gradviz.float64 and lin.bias.dtype == gradviz.float64
    assert lin(gradviz.ones(1, 2, dtype=gradviz.float64)).dtype == gradviz.float64


# ---------------------------------------------------------------- printing
def test_reprs():
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=784, out_features=256, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Linear(in_features=256, out_features=10, bias=True)\n"
        ")")
    assert repr(Net()) == (
        "Net(\n"
        "  (body): Sequential(\n"
        "    (0): Linear(in_features=4, out_features=3, bias=True)\n"
        "    (1): Tanh()\n"
        "  )\n"
        "  (head): Linear(in_features=3, out_features=2, bias=False)\n"
        ")")
    assert repr(nn.ModuleList([nn.ReLU(), nn.ReLU(), nn.Tanh()])) == (
        "ModuleList(\n  (0-1): 2 x ReLU()\n  (2): Tanh()\n)")
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"


MODULE_REPRS = [
    lambda L: L.nn.Sequential(L.nn.Linear(3, 4), L.nn.Sigmoid(),
                              L.nn.Sequential(L.nn.Linear(4, 1, bias=False), L.nn.Identity())),
    lambda L: L.nn.ModuleList([L.nn.Linear(2, 2), L.nn.Linear(2, 2), L.nn.Softmax(dim=1)]),
    lambda L: L.nn.Sequential(OrderedDict([("flat", L.nn.Flatten(0)),
                                            ("out", L.nn.LogSoftmax(1))])),
    lambda L: L.nn.Sequential(),
    lambda L: L.nn.BCEWithLogitsLoss(pos_weight=L.ones(2)),
    lambda L: L.nn.MSELoss(reduction="sum"),
]


@pytest.mark.parametrize("build", MODULE_REPRS)
def test_module_repr_matches_torch(build):
    torch = pytest.importorskip("torch")
    assert repr(build(gradviz)) == repr(build(torch))


def test_optimizer_repr_matches_torch():
    torch = pytest.importorskip("torch")
    for build in (lambda L, ps: L.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
                  lambda L, ps: L.optim.Adam(ps, lr=1e-3, amsgrad=True),
                  lambda L, ps: L.optim.AdamW([{"params": ps[:1]}, {"params": ps[1:], "lr": 0.5}])):
        got = build(gradviz, list(nn.Linear(2, 2).parameters()))
        want = build(torch, list(torch.nn.Linear(2, 2).parameters()))
        assert repr(got) == repr(want)


# ---------------------------------------------------------------- state dicts
def test_state_dict_round_trip_and_errors():
    a, b = Net(), Net()
    result = b.load_state_dict(a.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    assert all(p.equal(q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert a.state_dict()["head.weight"].grad_fn is None
    assert not a.state_dict()["head.weight"].requires_grad
    assert a.state_dict(keep_vars=True)["head.weight"] is a.head.weight
    state = a.state_dict()
    del state["scale"]
    state["extra"] = gradviz.ones(1)
    keys = b.load_state_dict(state, strict=False)
    assert keys.missing_keys == ["scale"] and keys.unexpected_keys == ["extra"]


def test_load_state_dict_error_matches_torch(raises_as_torch):
    message = ('Error(s) in loading state_dict for Linear:\n\tMissing key(s) in state_dict: '
               '"bias". \n\tUnexpected key(s) in state_dict: "foo". \n\tsize mismatch for '
               'weight: copying a param with shape torch.Size([3, 3]) from checkpoint, the '
               'shape in current model is torch.Size([3, 2]).')

    def attempt(L):
        return lambda: L.nn.Linear(2, 3).load_state_dict({"weight": L.zeros(3, 3),
                                                          "foo": L.zeros(1)})

    try:
        import torch
    except ImportError:
        torch = None
    raises_as_torch(attempt(gradviz), RuntimeError, message, torch and attempt(torch))


def test_optimizer_state_dict_round_trip():
    gradviz.manual_seed(3)
    lin = nn.Linear(3, 2)
    opt = optim.Adam(lin.parameters(), lr=0.1, amsgrad=True)
    for _ in range(2):
        opt.zero_grad()
        lin(gradviz.randn(4, 3)).pow(2).sum().backward()
        opt.step()
    saved = opt.state_dict()
    assert set(saved["state"]) == {0, 1} and saved["param_groups"][0]["params"] == [0, 1]
    assert saved["state"][0]["step"].item() == 2.0
    clone = optim.Adam(lin.parameters(), lr=0.5)
    clone.load_state_dict(saved)
    assert clone.param_groups[0]["lr"] == 0.1 and clone.param_groups[0]["amsgrad"]
    assert clone.state[lin.weight]["exp_avg"].equal(opt.state[lin.weight]["exp_avg"])
    # as torch's: the loaded state keeps the state dict's tensors (same dtype: no copy)
    assert clone.state[lin.weight]["exp_avg"] is opt.state[lin.weight]["exp_avg"]
    half = optim.Adam(nn.Linear(3, 2).to(gradviz.float64).parameters())
    half.load_state_dict(saved)
    exp_avg = next(iter(half.state.values()))["exp_avg"]
    assert exp_avg.dtype == gradviz.float64 and exp_avg is not opt.state[lin.weight]["exp_avg"]


def test_optimizer_argument_errors():
    lin = nn.Linear(2, 2)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        optim.SGD(lin.weight, lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([lin.weight * 2], lr=0.1)
    with pytest.raises(ValueError, match="Nesterov momentum requires"):
        optim.SGD(lin.parameters(), lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [lin.weight]}, {"params": [lin.weight]}], lr=0.1)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1"):
        optim.Adam(lin.parameters(), betas=(0.9, 1.0))


def test_step_closure_and_versions():
    lin = nn.Linear(2, 1)
    opt = optim.SGD(lin.parameters(), lr=0.1)

    def closure():
        opt.zero_grad()
        loss = lin(gradviz.ones(3, 2)).sum()
        loss.backward()
        return loss

    version = lin.weight._version
    loss = opt.step(closure)
    assert loss.grad_fn is not None and lin.weight._version == version + 1
    assert not gradviz.is_grad_enabled() or lin(gradviz.ones(1, 2)).grad_fn is not None


# ---------------------------------------------------------------- against torch
def _mlp_data(seed=0, n=32, batch=8):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 784))
    y = rng.integers(0, 10, n)
    init = OrderedDict([
        ("0.weight", rng.uniform(-1, 1, (256, 784)) / 28),
        ("0.bias", rng.uniform(-0.03, 0.03, 256)),
        ("2.weight", rng.uniform(-1, 1, (10, 256)) / 16),
        ("2.bias", rng.uniform(-0.06, 0.06, 10)),
    ])
    batches = [(x[i:i + batch], y[i:i + batch]) for i in range(0, n, batch)]
    return init, batches


def _train(lib, model, make_opt, loss_fn, init, batches, steps):
    """The same training loop for gradviz and torch; returns losses and final weights."""
    model.load_state_dict({k: lib.tensor(v) for k, v in init.items()})
    opt = make_opt(lib, model)
    losses = []
    for i in range(steps):
        x, y = batches[i % len(batches)]
        opt.zero_grad()
        loss = loss_fn(model(lib.tensor(x)), lib.tensor(y))
        loss.backward()
        opt.step()
        losses.append(loss.item())
    state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    versions = [p._version for p in model.parameters()]
    return losses, state, versions


OPTIMIZERS = {
    "sgd": lambda L, m: L.optim.SGD(m.parameters(), lr=0.1),
    "sgd_momentum_dampening": lambda L, m: L.optim.SGD(m.parameters(), lr=0.05, momentum=0.8,
                                                       dampening=0.3),
    "sgd_nesterov_weight_decay": lambda L, m: L.optim.SGD(m.parameters(), lr=0.05, momentum=0.9,
                                                          nesterov=True, weight_decay=1e-2),
    "sgd_groups": lambda L, m: L.optim.SGD([{"params": m[0].parameters()},
                                            {"params": m[2].parameters(), "lr": 0.2}],
                                           lr=0.01, momentum=0.5),
    "adam": lambda L, m: L.optim.Adam(m.parameters(), lr=1e-3),
    "adam_amsgrad_weight_decay": lambda L, m: L.optim.Adam(m.parameters(), lr=2e-3,
                                                           betas=(0.8, 0.9), amsgrad=True,
                                                           weight_decay=1e-2),
    "adamw_amsgrad": lambda L, m: L.optim.AdamW(m.parameters(), lr=1e-3, amsgrad=True),
    "adam_maximize": lambda L, m: L.optim.Adam(m.parameters(), lr=1e-4, maximize=True),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_mlp_training_matches_torch(name):
    torch = pytest.importorskip("torch")
    init, batches = _mlp_data()
    runs = [_train(L, _mlp(L), OPTIMIZERS[name], L.nn.CrossEntropyLoss(), init, batches, 6)
            for L in (gradviz, torch)]
    (got_losses, got, got_versions), (want_losses, want, want_versions) = runs
    np.testing.assert_allclose(got_losses, want_losses, rtol=1e-10, atol=1e-12)
    for key in want:
        assert got[key].dtype == np.float64
        np.testing.assert_allclose(got[key], want[key], rtol=1e-9, atol=1e-12, err_msg=key)
        assert not np.allclose(got[key], init[key]), f"{key} did not move"
    assert got_versions == want_versions


REGRESSION_OPTIMIZERS = {
    "sgd_nesterov": lambda L, m: L.optim.SGD(m.parameters(), lr=0.05, momentum=0.9,
                                             nesterov=True, weight_decay=1e-3),
    "adam_amsgrad": lambda L, m: L.optim.Adam(m.parameters(), lr=0.05, amsgrad=True),
}


@pytest.mark.parametrize("name", list(REGRESSION_OPTIMIZERS))
@pytest.mark.parametrize("loss", ["MSELoss", "L1Loss"])
def test_regression_training_matches_torch(name, loss):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x = rng.standard_normal((16, 3))
    y = x @ np.array([[2.0], [-1.0], [0.5]]) + 0.3 + 0.01 * rng.standard_normal((16, 1))
    init = {"0.weight": rng.standard_normal((1, 3)), "0.bias": np.zeros(1)}
    runs = [_train(L, L.nn.Sequential(L.nn.Linear(3, 1, dtype=L.float64)),
                   REGRESSION_OPTIMIZERS[name], getattr(L.nn, loss)(), init, [(x, y)], 30)
            for L in (gradviz, torch)]
    (got_losses, got, _), (want_losses, want, _) = runs
    np.testing.assert_allclose(got_losses, want_losses, rtol=1e-10, atol=1e-12)
    assert got_losses[-1] < 0.5 * got_losses[0]  # it learns
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-10, atol=1e-12, err_msg=key)


def _loss_inputs(L, rng):
    f64 = L.float64
    logits = rng.standard_normal((6, 4))
    probs = 1 / (1 + np.exp(-rng.standard_normal((6, 4))))
    return {
        "logits": L.tensor(logits, dtype=f64, requires_grad=True),
        "probs": L.tensor(probs, dtype=f64, requires_grad=True),
        "binary": L.tensor(rng.integers(0, 2, (6, 4)), dtype=f64),
        "labels": L.tensor(rng.integers(0, 4, 6)),
        "target": L.tensor(rng.standard_normal((6, 4)), dtype=f64),
        "weight": L.tensor(rng.uniform(0.5, 2, 4), dtype=f64),
    }


LOSSES = [  # (module, functional twin, (input, target) names)
    (lambda L, a: L.nn.BCELoss(), lambda F, a: F.binary_cross_entropy, ("probs", "binary")),
    (lambda L, a: L.nn.BCELoss(weight=a["weight"], reduction="sum"),
     lambda F, a: lambda i, t: F.binary_cross_entropy(i, t, a["weight"], reduction="sum"),
     ("probs", "binary")),
    (lambda L, a: L.nn.BCEWithLogitsLoss(pos_weight=a["weight"]),
     lambda F, a: lambda i, t: F.binary_cross_entropy_with_logits(i, t, pos_weight=a["weight"]),
     ("logits", "binary")),
    (lambda L, a: L.nn.CrossEntropyLoss(), lambda F, a: F.cross_entropy, ("logits", "labels")),
    (lambda L, a: L.nn.CrossEntropyLoss(weight=a["weight"], ignore_index=1),
     lambda F, a: lambda i, t: F.cross_entropy(i, t, a["weight"], ignore_index=1),
     ("logits", "labels")),
    (lambda L, a: L.nn.NLLLoss(reduction="none"),
     lambda F, a: lambda i, t: F.nll_loss(i, t, reduction="none"), ("logits", "labels")),
    (lambda L, a: L.nn.MSELoss(), lambda F, a: F.mse_loss, ("logits", "target")),
    (lambda L, a: L.nn.L1Loss(reduction="sum"),
     lambda F, a: lambda i, t: F.l1_loss(i, t, reduction="sum"), ("logits", "target")),
]


@pytest.mark.parametrize("case", range(len(LOSSES)))
def test_loss_module_matches_torch_functional(case):
    torch = pytest.importorskip("torch")
    make_module, make_functional, (inp, tgt) = LOSSES[case]
    g = _loss_inputs(gradviz, np.random.default_rng(case))
    t = _loss_inputs(torch, np.random.default_rng(case))
    got = make_module(gradviz, g)(g[inp], g[tgt])
    want = make_functional(torch.nn.functional, t)(t[inp], t[tgt])
    assert got.grad_fn.name() == want.grad_fn.name()
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-12)
    got.sum().backward()
    want.sum().backward()
    np.testing.assert_allclose(g[inp].grad.numpy(), t[inp].grad.numpy(), rtol=1e-10, atol=1e-14)


def test_loss_legacy_flags_warn_as_torch():
    with pytest.warns(UserWarning, match="please use reduction='sum' instead"):
        loss = nn.MSELoss(size_average=False)
    assert loss.reduction == "sum"


def test_init_helpers():
    torch = pytest.importorskip("torch")
    for args in (("relu",), ("tanh",), ("leaky_relu", 0.2), ("linear",)):
        assert nn.init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)
    w = gradviz.empty(30, 20)
    nn.init.xavier_uniform_(w)
    assert float(w.abs().max()) <= (6 / 50) ** 0.5 and w._version == 1
    nn.init.zeros_(w)
    assert not w.any()
    nn.init.eye_(w)
    assert w.sum().item() == 20.0
