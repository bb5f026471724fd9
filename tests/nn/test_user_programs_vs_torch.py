"""nn and optim mismatches with torch that a sweep of short user programs found (training
loops, checkpoints, losses and hooks as people write them): each program runs on gradviz
and on torch and the printed results are compared."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz


def _both(oracle, program):
    """``program(T)`` on gradviz and on torch; values as nested lists/arrays."""
    return program(gradviz), program(oracle)


def _close(got, want, rtol=1e-6):
    if isinstance(want, list | tuple):
        assert isinstance(got, list | tuple) and len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            _close(g, w, rtol)
    elif isinstance(want, float | np.ndarray):
        np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-7)
    else:
        assert got == want


# ---------------------------------------------------------------- optimizer checkpoints
@pytest.mark.parametrize("make", [
    "T.optim.Adam(ps, lr=0.01, amsgrad=True)", "T.optim.AdamW(ps, lr=0.01)",
    "T.optim.SGD(ps, lr=0.1, momentum=0.9)", "T.optim.RMSprop(ps, lr=0.01, momentum=0.5)",
    "T.optim.Adagrad(ps, lr=0.1)"])
def test_loaded_optimizer_shares_the_state_dicts_buffers(oracle, make):
    """torch's load_state_dict keeps the state dict's tensors (cast only when the dtype
    differs), so two optimizers loaded from one live state_dict step the same buffers."""
    def program(T):
        T.manual_seed(5)
        m = T.nn.Linear(3, 1)
        ps = list(m.parameters())
        opt = eval(make, {"T": T, "ps": ps})  # noqa: S307 - our own table
        x = T.randn(4, 3)
        for _ in range(2):
            opt.zero_grad()
            m(x).pow(2).mean().backward()
            opt.step()
        sd = opt.state_dict()
        m2 = T.nn.Linear(3, 1)
        m2.load_state_dict(m.state_dict())
        ps = list(m2.parameters())
        opt2 = eval(make, {"T": T, "ps": ps})  # noqa: S307 - our own table
        opt2.load_state_dict(sd)
        shared = [opt2.state[m2.weight][k] is v for k, v in opt.state[m.weight].items()]
        for o, mod in ((opt, m), (opt2, m2), (opt, m)):
            o.zero_grad()
            mod(x).pow(2).mean().backward()
            o.step()
        sd["param_groups"][0]["lr"] = 7.0  # the groups are copied
        return (shared, m.weight.detach().numpy().astype(float), m2.weight.detach().numpy()
                .astype(float), opt2.param_groups[0]["lr"])

    got, want = _both(oracle, program)
    _close(got, want)


def _described(t):
    """A tensor as (values, dtype, grad_fn name, its edges' names)."""
    fn = t.grad_fn
    edges = None if fn is None else [type(f).__name__ for f, _ in fn.next_functions]
    return (t.detach().numpy().astype(float), str(t.dtype).split(".")[-1],
            None if fn is None else type(fn).__name__, edges)


# ---------------------------------------------------------------- activations and losses
@pytest.mark.parametrize("call", [
    "F.relu6(x)", "F.relu6(x * 1, inplace=True)", "nn.ReLU6()(x)", "nn.ReLU6(inplace=True)(x * 1)",
    "F.softsign(x)", "nn.Softsign()(x)", "F.tanhshrink(x)", "nn.Tanhshrink()(x)",
    "F.softmin(x, dim=1)", "nn.Softmin(0)(x)", "F.softmin(x, 1, dtype=T.float64)",
    "nn.SmoothL1Loss()(x, y)", "nn.SmoothL1Loss(beta=0.5, reduction='sum')(x, y)",
    "nn.HuberLoss(delta=2.0)(x, y)", "nn.HuberLoss(reduction='none')(x, y)",
    "nn.KLDivLoss(reduction='batchmean')(F.log_softmax(x, 1), F.softmax(y, 1))",
    "nn.KLDivLoss(log_target=True, reduction='sum')(F.log_softmax(x, 1), F.log_softmax(y, 1))"])
def test_activation_and_loss_modules(oracle, call):
    def program(T):
        x = T.tensor([[-7.0, -0.5, 0.3], [2.0, 6.5, -1.2]], dtype=T.float64, requires_grad=True)
        y = T.tensor([[0.5, 2.0, -1.0], [1.0, 1.0, 3.0]], dtype=T.float64)
        out = eval(call, {"T": T, "F": T.nn.functional, "nn": T.nn, "x": x, "y": y})  # noqa: S307
        return _described(out), T.autograd.grad(out.sum(), x)[0].numpy()

    got, want = _both(oracle, program)
    _close(got, want, rtol=1e-12)


@pytest.mark.parametrize("make", [
    "nn.ReLU6()", "nn.ReLU6(True)", "nn.Softsign()", "nn.Tanhshrink()", "nn.Softmin(1)",
    "nn.Softmin()", "nn.SmoothL1Loss(beta=0.5)", "nn.HuberLoss(delta=2.0)",
    "nn.KLDivLoss(log_target=True)",
    "nn.Sequential(nn.Linear(2, 2), nn.ReLU6(), nn.Softsign(), nn.SmoothL1Loss())"])
def test_new_modules_print_as_torch(oracle, make):
    def program(T):
        return repr(eval(make, {"nn": T.nn}))  # noqa: S307 - our own table

    got, want = _both(oracle, program)
    assert got == want


def test_softmin_without_dim_warns_as_torch(oracle):
    def program(T):
        x = T.tensor([[1.0, 2.0], [0.5, -1.0]])
        with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
            out = T.nn.Softmin()(x)
        return out.numpy().astype(float)

    got, want = _both(oracle, program)
    _close(got, want)


# ---------------------------------------------------------------- full backward hooks
def _grads(gs):
    return [None if g is None else g.detach().numpy().astype(float).round(10).tolist()
            for g in gs]


@pytest.mark.parametrize("input_requires_grad", [True, False])
def test_full_backward_hooks_on_a_sequential(oracle, input_requires_grad):
    """Grad-CAM-style hooks on every module: the order they fire in, what they get, the
    BackwardHookFunctionBackward nodes torch puts around the module (and its warning when
    no input requires grad)."""
    def program(T):
        log = []

        def hook(name):
            return lambda m, gi, go: log.append((name, type(m).__name__, _grads(gi),
                                                  _grads(go)))

        T.manual_seed(0)
        net = T.nn.Sequential(T.nn.Linear(2, 3), T.nn.Tanh(), T.nn.Linear(3, 1)).double()
        for name, m in net.named_modules():
            m.register_full_backward_hook(hook(name or "root"))
        x = T.tensor([[0.5, -1.0]], dtype=T.float64, requires_grad=input_requires_grad)
        y = net(x)
        nodes = (y.grad_fn.name(), y.grad_fn.next_functions[0][0].name())
        if input_requires_grad:
            y.backward()
        else:
            with pytest.warns(UserWarning, match="Full backward hook is firing"):
                y.backward()
        with T.no_grad():
            untouched = net(x).grad_fn
        return nodes, log, untouched

    got, want = _both(oracle, program)
    assert got == want


def test_backward_hooks_replace_gradients(oracle):
    def program(T):
        T.manual_seed(1)
        lin = T.nn.Linear(2, 2)
        lin.register_full_backward_hook(lambda m, gi, go: (gi[0] * 10,))
        lin.register_full_backward_pre_hook(lambda m, go: (go[0] * 0.5,))
        first = lin.register_full_backward_hook(lambda m, gi, go: None, prepend=True)
        first.remove()
        x = T.ones(1, 2, requires_grad=True)
        lin(x).sum().backward()
        return _grads([x.grad, lin.weight.grad, lin.bias.grad])

    got, want = _both(oracle, program)
    assert got == want


def test_backward_hooks_with_non_tensor_args_and_several_outputs(oracle):
    def program(T):
        log = []

        class Two(T.nn.Module):
            def forward(self, a, k, b):
                return a * b * k, a - b

        two = Two()
        two.register_full_backward_hook(lambda m, gi, go: log.append((_grads(gi), _grads(go))))
        two.register_full_backward_pre_hook(lambda m, go: log.append(_grads(go)))
        a = T.tensor([1.0, 2.0], requires_grad=True)
        o1, o2 = two(a, 3, T.tensor([3.0, 4.0]))
        names = (o1.grad_fn.name(), o2.grad_fn.name())
        o1.sum().backward()
        return names, log, _grads([a.grad])

    got, want = _both(oracle, program)
    assert got == want


def test_backward_hook_returning_the_wrong_number_of_gradients(oracle):
    def program(T):
        lin = T.nn.Linear(2, 2)
        lin.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
        try:
            lin(T.ones(1, 2, requires_grad=True)).sum().backward()
        except RuntimeError as e:
            return str(e)
        return None

    got, want = _both(oracle, program)
    assert got == want


# ---------------------------------------------------------------- lr schedulers
_SCHEDULERS = [
    ("SGD", {"momentum": 0.9}, "L.OneCycleLR(o, max_lr=1.0, total_steps=13)"),
    ("Adam", {}, "L.OneCycleLR(o, max_lr=1.0, epochs=2, steps_per_epoch=7, three_phase=True, "
                 "anneal_strategy='linear')"),
    ("SGD", {}, "L.LinearLR(o, start_factor=0.5, total_iters=3)"),
    ("SGD", {}, "L.ConstantLR(o, factor=0.5, total_iters=3)"),
    ("SGD", {}, "L.PolynomialLR(o, total_iters=6, power=2.0)"),
    ("SGD", {}, "L.MultiplicativeLR(o, lambda e: 0.9)"),
    ("SGD", {}, "L.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.01)"),
    ("SGD", {}, "L.SequentialLR(o, [L.LinearLR(o, 0.1, total_iters=3), "
                "L.CosineAnnealingLR(o, T_max=5)], milestones=[3])"),
    ("SGD", {}, "L.SequentialLR(o, [L.ConstantLR(o, 0.1, total_iters=2), L.ExponentialLR(o, 0.9), "
                "L.StepLR(o, 2)], milestones=[2, 5])")]


@pytest.mark.parametrize(("optimizer", "kwargs", "make"), _SCHEDULERS)
def test_schedulers_follow_torch(oracle, optimizer, kwargs, make):
    def program(T):
        o = getattr(T.optim, optimizer)([T.nn.Parameter(T.zeros(1))], lr=0.5, **kwargs)
        s = eval(make, {"L": T.optim.lr_scheduler, "o": o})  # noqa: S307 - our own table
        seen = []
        for _ in range(12):
            o.step()
            s.step()
            group = o.param_groups[0]
            seen.append((s.get_last_lr()[0], group.get("momentum", group.get("betas"))))
        return seen

    got, want = _both(oracle, program)
    assert got == want


def test_scheduler_stepped_before_the_optimizer_warns_as_torch(oracle):
    def program(T):
        o = T.optim.SGD([T.nn.Parameter(T.zeros(1))], lr=0.5)
        s = T.optim.lr_scheduler.StepLR(o, 2)
        with pytest.warns(UserWarning) as caught:
            s.step()
            s.step(5)  # the deprecated epoch argument: the closed form
        return [str(w.message) for w in caught], s.get_last_lr()

    got, want = _both(oracle, program)
    assert got == want


@pytest.mark.parametrize("epochs", [[0.5, 1.25, 4.5, 9.0], [3, 7.5, 2]])
def test_warm_restarts_take_fractional_epochs(oracle, epochs):
    def program(T):
        o = T.optim.SGD([T.nn.Parameter(T.zeros(1))], lr=0.5)
        w = T.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2)
        seen = []
        for e in epochs:
            o.step()
            w.step(e)
            seen.append((w.get_last_lr(), w.T_cur, w.T_i, w.last_epoch))
        return seen

    got, want = _both(oracle, program)
    assert got == want


# ---------------------------------------------------------------- nn.init
@pytest.mark.parametrize("call", [
    "init.trunc_normal_(w, std=0.02)", "init.trunc_normal_(w, mean=1.0, std=2.0, a=-1.0, b=0.5)",
    "init.trunc_normal_(w, 0.0, 1.0, -0.5, 3.0)", "init.orthogonal_(w)",
    "init.orthogonal_(w, gain=2.0)"])
@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 2, 3), (64,)])
def test_trunc_normal_and_orthogonal_draw_torchs_values(oracle, call, shape):
    def program(T):
        T.manual_seed(0)
        w = T.empty(*shape)
        try:
            eval(call, {"init": T.nn.init, "w": w})  # noqa: S307 - our own table
        except ValueError as e:
            return str(e)
        return w.numpy().astype(float), w._version

    got, want = _both(oracle, program)
    _close(got, want, rtol=2e-6)


# ---------------------------------------------------------------- module and tensor lookups
@pytest.mark.parametrize("target", ["0.weight", "1.running_mean", "1.num_batches_tracked",
                                    "0.nope", "2.weight", "scale", "0", "0.weight.data", "",
                                    "1.weight"])
def test_get_parameter_buffer_and_submodule(oracle, target):
    def program(T):
        T.manual_seed(0)
        m = T.nn.Sequential(T.nn.Linear(2, 2), T.nn.BatchNorm1d(2))
        m.scale = 3
        seen = []
        for get in (m.get_parameter, m.get_buffer, m.get_submodule):
            try:
                got = get(target)
            except AttributeError as e:
                seen.append(str(e))
            else:
                seen.append(repr(got))
        return seen

    got, want = _both(oracle, program)
    assert got == want


def test_is_inference(oracle):
    def program(T):
        x = T.ones(2)
        with T.inference_mode():
            y = x * 2
        return x.is_inference(), y.is_inference(), T.is_inference(y), (y + 1).is_inference()

    got, want = _both(oracle, program)
    assert got == want


def test_module_half_casts_floating_parameters_and_buffers(oracle):
    def program(T):
        T.manual_seed(0)
        m = T.nn.Sequential(T.nn.Linear(2, 2), T.nn.BatchNorm1d(2))
        out = m.half()
        return (out is m, [str(v.dtype) for v in m.state_dict().values()],
                m[0].weight.detach().float().numpy().astype(float))

    got, want = _both(oracle, program)
    _close(got, want)


def test_inplace_relu_after_a_hooked_module_raises_as_torch(oracle):
    """The famous Grad-CAM pitfall: the hooked module's output is a view made by
    BackwardHookFunction, which an in-place ReLU may not change."""
    def program(T):
        net = T.nn.Sequential(T.nn.Linear(2, 2), T.nn.ReLU(inplace=True))
        net[0].register_full_backward_hook(lambda m, gi, go: None)
        try:
            net(T.ones(1, 2, requires_grad=True))
        except RuntimeError as e:
            return str(e)
        return None

    got, want = _both(oracle, program)
    assert got == want and got is not None


# ---------------------------------------------------------------- gradient penalties on CNNs
@pytest.mark.parametrize("make", [
    "nn.Conv2d(2, 3, 3, padding=1)", "nn.Conv2d(2, 4, 3, stride=2, groups=2)",
    "nn.Conv1d(2, 3, 2, dilation=2)", "nn.MaxPool2d(2)", "nn.MaxPool2d(3, 2, 1)",
    "nn.MaxPool1d(2)", "nn.AvgPool2d(3, 2, 1, count_include_pad=False)",
    "nn.AdaptiveAvgPool2d((2, 3))",
    "nn.Sequential(nn.Conv2d(2, 3, 3), nn.Tanh(), nn.MaxPool2d(2), nn.Flatten(), "
    "nn.Linear(12, 1))"])
def test_conv_and_pooling_second_derivatives(oracle, make):
    """A WGAN-GP style penalty on the input gradient, differentiated into the input and
    the weights, and the weight gradient's own gradient."""
    def program(T):
        T.manual_seed(0)
        m = eval(make, {"nn": T.nn}).double()  # noqa: S307 - our own table
        shape = (2, 2, 7) if "1d" in make else (2, 2, 6, 6)
        x = T.randn(*shape, dtype=T.float64, requires_grad=True)
        y = m(x)
        g, = T.autograd.grad((y ** 2).sum(), x, create_graph=True)
        ps = list(m.parameters())
        seen = [t.numpy() for t in T.autograd.grad((g.pow(2).sum() - 1) ** 2, [x, *ps])]
        if ps:
            gw = T.autograd.grad((m(x) ** 2).sum(), ps[0], create_graph=True)[0]
            seen += [t.numpy() for t in T.autograd.grad(gw.pow(2).sum(), [x, *ps],
                                                        materialize_grads=True)]
        return seen

    got, want = _both(oracle, program)
    _close(got, want, rtol=1e-10)


def test_reduce_on_plateau_after_a_param_group_is_added(oracle):
    """torch extends a single min_lr to groups added later (gradviz indexed past its list)
    and saves torch's state dict keys."""
    def program(T):
        p = T.nn.Parameter(T.zeros(1))
        opt = T.optim.SGD([p], lr=1.0)
        s = T.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1, factor=0.5, min_lr=0.1)
        for v in [1, 1, 1]:
            s.step(v)
        opt.add_param_group({"params": [T.nn.Parameter(T.ones(1))], "lr": 0.4})
        seen = []
        for v in [1, 1, 1, 1]:
            s.step(v)
            seen.append(([g["lr"] for g in opt.param_groups], s.get_last_lr()))
        fixed = T.optim.lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0.1, 0.2])
        opt.add_param_group({"params": [T.nn.Parameter(T.ones(1))]})
        try:
            for _ in range(15):
                fixed.step(1.0)
        except RuntimeError as e:
            seen.append(str(e))
        return seen, list(s.state_dict())

    got, want = _both(oracle, program)
    assert got == want
