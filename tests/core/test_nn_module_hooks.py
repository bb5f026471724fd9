"""Forward hooks of ``nn.Module`` against torch: call order, replaced args and outputs,
removal, ``prepend``, ``with_kwargs``, ``always_call`` and the global hooks."""

import numpy as np
import pytest
import torch

import gradviz


def scenario(lib, log):
    """Registers hooks of every kind on a two-layer net, runs it and returns the output."""
    lib.manual_seed(0)
    net = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.ReLU())
    glob = lib.nn.modules.module
    handles = [
        glob.register_module_forward_pre_hook(lambda m, a: log.append(("gpre", type(m).__name__))),
        glob.register_module_forward_hook(lambda m, a, o: log.append(("gpost", type(m).__name__))),
        net.register_forward_pre_hook(lambda m, a: log.append(("pre", 1))),
        net.register_forward_pre_hook(lambda m, a: (log.append(("pre", 0)), (a[0] * 2,))[1],
                                      prepend=True),
        net.register_forward_hook(lambda m, a, o: log.append(("post", 1)) or o + 1),
        net.register_forward_hook(lambda m, a, kw, o: log.append(("post_kw", sorted(kw))),
                                  with_kwargs=True),
        net[0].register_forward_pre_hook(lambda m, a, kw: log.append(("pre_kw", len(a))),
                                         with_kwargs=True),
    ]
    try:
        out = net(lib.ones(1, 3))
    finally:
        for h in handles:
            h.remove()
    return out


def test_hooks_run_in_torchs_order_and_replace_args_and_output():
    tlog, glog = [], []
    tout = scenario(torch, tlog)
    gout = scenario(gradviz, glog)
    assert glog == tlog
    assert glog[0] == ("gpre", "Sequential") and ("pre", 0) in glog
    np.testing.assert_allclose(gout.detach().numpy(), tout.detach().numpy(), rtol=1e-6)


def test_removed_hooks_no_longer_run():
    for lib in (torch, gradviz):
        log = []
        net = lib.nn.Linear(2, 2)
        h = net.register_forward_hook(lambda m, a, o, log=log: log.append("post"))
        g = lib.nn.modules.module.register_module_forward_pre_hook(
            lambda m, a, log=log: log.append("g"))
        net(lib.ones(1, 2))
        h.remove()
        g.remove()
        h.remove()  # a second remove is harmless
        net(lib.ones(1, 2))
        assert log == ["g", "post"], lib.__name__


def test_a_pre_hook_returning_a_single_value_wraps_it_in_a_tuple():
    results = []
    for lib in (torch, gradviz):
        net = lib.nn.Identity()
        net.register_forward_pre_hook(lambda m, a: a[0] + 5)
        results.append(net(lib.zeros(2)).tolist())
    assert results[0] == results[1] == [5.0, 5.0]


class Boom(Exception):
    pass


@pytest.mark.parametrize("lib", [torch, gradviz], ids=["torch", "gradviz"])
def test_always_call_hooks_run_when_forward_raises(lib):
    class Bad(lib.nn.Module):
        def forward(self, x):
            raise Boom

    log = []
    bad = Bad()
    bad.register_forward_hook(lambda m, a, o: log.append(("always", o)), always_call=True)
    bad.register_forward_hook(lambda m, a, o: log.append("plain"))
    g = lib.nn.modules.module.register_module_forward_hook(
        lambda m, a, o: log.append("global always"), always_call=True)
    try:
        with pytest.raises(Boom):
            bad(lib.ones(1))
    finally:
        g.remove()
    assert log == ["global always", ("always", None)]


def test_a_pre_hook_with_kwargs_must_return_args_and_kwargs():
    net = gradviz.nn.Identity()
    net.register_forward_pre_hook(lambda m, a, kw: a, with_kwargs=True)
    with pytest.raises(RuntimeError, match="new_args, new_kwargs"):
        net(gradviz.ones(1))


def test_a_handle_is_a_context_manager():
    log = []
    net = gradviz.nn.Identity()
    with net.register_forward_hook(lambda m, a, o: log.append(1)):
        net(gradviz.ones(1))
    net(gradviz.ones(1))
    assert log == [1]
