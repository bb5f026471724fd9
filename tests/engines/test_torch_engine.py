"""The torch engine (gradviz/engines/torch_engine.py and friends): real PyTorch recorded
into ``GraphModel(engine="torch")`` through the engine protocol; what it shows of
nodes, tensors, backward, dtypes, custom Functions, hooks, errors and released tensors.

Runs when torch is installed (CI installs it as the oracle)."""

from __future__ import annotations

import doctest
import gc
import inspect
import json
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from gradviz.engines import (  # noqa: E402
    Engine,
    SavedValue,
    get_engine,
    torch_describe,
    torch_engine,
    torch_ids,
    torch_watch,
)
from gradviz.engines.protocol import TensorInfo  # noqa: E402
from gradviz.model import GraphModel  # noqa: E402


@pytest.fixture(autouse=True)
def _nobody_left_watching():
    """Every test ends with the engine unsubscribed and its mode gone."""
    engine = get_engine("torch")
    yield
    assert not engine._subscribers and engine._mode is None


def functions(model, **match):
    return [n for n, d in model.graph.nodes(data=True)
            if d["kind"] == "function" and all(d.get(k) == v for k, v in match.items())]


def one(model, name):
    (nid,) = functions(model, name=name)
    return nid


# ---------------------------------------------------------------- the engine itself
@pytest.mark.parametrize("module", [torch_engine, torch_ids, torch_watch, torch_describe])
def test_docstring_examples_run(module):
    failed, _ = doctest.testmod(module, extraglobs={"GraphModel": GraphModel},
                                optionflags=doctest.ELLIPSIS)
    assert failed == 0


def test_get_engine_gives_the_torch_engine_with_every_protocol_member():
    engine = get_engine("torch")
    assert engine is get_engine("torch") and isinstance(engine, Engine)
    assert engine.name == "torch" and engine.module is torch
    assert GraphModel(engine="torch").engine is engine
    for name in ("subscribe", "describe_function", "saved_values", "as_array", "reference"):
        declared = inspect.signature(getattr(Engine, name)).parameters
        assert list(inspect.signature(getattr(engine, name)).parameters) == [
            p for p in declared if p != "self"], name


def test_nodes_are_torchs_grad_fns_with_leaves_outputs_and_constants():
    model = GraphModel(engine="torch")
    with model.recording():
        w = torch.ones(3, requires_grad=True)
        x = torch.tensor([1.0, 2.0, 3.0])
        y = (w * x).exp()
        loss = y.sum()
    g = model.graph
    mul, exp, total, acc = (one(model, n) for n in
                            ("MulBackward0", "ExpBackward0", "SumBackward0", "AccumulateGrad"))
    assert model.node_of(w) in g and g.nodes[model.node_of(w)]["role"] == "leaf"
    assert g.nodes[model.node_of(x)]["role"] == "constant"
    assert sorted((u, v, k) for u, v, k in g.edges(data="kind")) == sorted([
        (model.node_of(w), acc, "leaf"), (acc, mul, "next"), (model.node_of(x), mul, "constant"),
        (mul, exp, "next"), (exp, total, "next")])
    assert model.node_of(loss.grad_fn) == total and model.node_of(y.grad_fn) == exp
    assert model.function(mul).next_functions[0][0].variable is w
    assert g.nodes[exp]["shape"] == (3,) and g.nodes[acc]["shape"] == (3,)
    assert model.next_functions(exp) == ((mul, "MulBackward0"),)
    assert model.grad_fn_of(model.node_of(w)) is None
    saved = {s.name: s for s in model.saved_values(exp)}
    assert set(saved) == {"result"} and isinstance(saved["result"], SavedValue)
    np.testing.assert_array_equal(saved["result"].value, y.detach().numpy())


def test_backward_in_torchs_order_with_the_gradients_each_node_received_and_passed():
    model = GraphModel(engine="torch")
    with model.recording():
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        loss = (w * w).sum()
        loss.backward()
    g = model.graph
    total, mul, acc = one(model, "SumBackward0"), one(model, "MulBackward0"), \
        one(model, "AccumulateGrad")
    assert [g.nodes[n]["executed"] for n in (total, mul, acc)] == [1, 2, 3]
    np.testing.assert_array_equal(g.nodes[total]["grad_in"], 1.0)
    np.testing.assert_array_equal(g.nodes[mul]["grad_in"], [1.0, 1.0])
    np.testing.assert_array_equal(g.nodes[mul]["grads_out"][0], [1.0, 2.0])
    np.testing.assert_array_equal(g.nodes[acc]["grad_in"], [2.0, 4.0])
    assert g.nodes[mul]["freed"] and not g.nodes[total]["freed"]
    assert model.saved_values(mul) == []
    assert get_engine("torch").is_freed(loss.grad_fn.next_functions[0][0])
    [entry] = model.history(model.node_of(w))
    assert entry.label == "backward 1"
    np.testing.assert_array_equal(entry.value, [2.0, 4.0])
    np.testing.assert_array_equal(model.grad(model.node_of(w)), [2.0, 4.0])
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()  # torch's own error, unchanged by watching


def test_retain_graph_keeps_saved_tensors_and_the_second_backward_accumulates():
    model = GraphModel(engine="torch")
    with model.recording():
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        loss = (w * w).sum()
        loss.backward(retain_graph=True)
        assert not model.graph.nodes[one(model, "MulBackward0")]["freed"]
        torch.autograd.backward(loss)
    assert model.graph.nodes[one(model, "MulBackward0")]["freed"]
    assert [e.label for e in model.history(model.node_of(w))] == ["backward 1", "backward 2"]
    np.testing.assert_array_equal(model.grad(model.node_of(w)), [4.0, 8.0])


def test_autograd_grad_runs_nodes_without_accumulating():
    model = GraphModel(engine="torch")
    with model.recording():
        w = torch.tensor([3.0], requires_grad=True)
        (g,) = torch.autograd.grad((w * w).sum(), w)
    assert g.item() == 6.0 and w.grad is None
    assert model.graph.nodes[one(model, "MulBackward0")]["executed"] == 2
    assert model.history(model.node_of(w)) == []


def test_detach_zeroed_and_cleared_grads_versions_and_requires_grad():
    model = GraphModel(engine="torch")
    with model.recording():
        w = torch.ones(2, requires_grad=True)
        (w * 2).sum().backward()
        w.grad.zero_()
        w.grad = None
        d = w.detach()
        c = torch.zeros(2)
        c.requires_grad_()
        with torch.no_grad():
            w.add_(1)
    wid = model.node_of(w)
    assert [e.label for e in model.history(wid)] == ["backward 1", "zeroed", "set to None"]
    np.testing.assert_array_equal(model.history(wid)[1].value, [0.0, 0.0])
    assert model._detached[get_engine("torch").id_of(d)] == wid
    assert model.graph.nodes[wid]["version"] == w._version == 1
    model.set_names({"d": d, "c": c})
    assert model.graph.nodes[model.node_of(d)]["detached_from"] == wid
    assert model.graph.nodes[model.node_of(c)]["requires_grad"]


def test_in_place_op_redraws_the_output_and_torch_reports_a_modified_saved_tensor():
    model = GraphModel(engine="torch")
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        with model.recording():
            w = torch.ones(2, requires_grad=True)
            y = w * 2
            z = y * y  # saves y
            y.add_(1)
            saved = model.saved_values(model.node_of(z.grad_fn))
            z.sum().backward()
    model.set_names({"y": y, "z": z})
    yid = model.node_of(y)
    assert model.graph.nodes[yid]["version"] == 1
    assert model.grad_fn_of(yid)[1] == "AddBackward0"
    assert {(s.name, s.version, s.current_version) for s in saved} == {
        ("self", 0, 1), ("other", 0, 1)}
    # what ran before the error stays
    assert functions(model, name="MulBackward0") and model.backward_runs == 1


def test_a_raising_program_keeps_what_it_built():
    model = GraphModel(engine="torch")
    with pytest.raises(ValueError, match="the program's own error"), model.recording():
        w = torch.ones(2, requires_grad=True)
        y = torch.relu(w * 3)
        raise ValueError("the program's own error")
    assert {model.graph.nodes[n]["name"] for n in functions(model)} == {
        "AccumulateGrad", "MulBackward0", "ReluBackward0"}
    assert model.node_of(y) is None or model.graph.nodes[model.node_of(y)]["kind"] == "tensor"


def test_node_of_accepts_tensors_and_grad_fns_and_nothing_else():
    model = GraphModel(engine="torch")
    with model.recording():
        w = torch.ones(2, requires_grad=True)
        y = w.exp()
    assert model.node_of(w) is not None and model.node_of(y.grad_fn) == one(model, "ExpBackward0")
    assert model.node_of(torch.zeros(1)) is None and model.node_of("w") is None


class Double(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * 2

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * 2 + a * 0


def test_custom_functions_keep_their_names_and_saved_tensors():
    model = GraphModel(engine="torch")
    with model.recording():
        w = torch.tensor([1.0, 5.0], requires_grad=True)
        y = Double.apply(w)
        saved = model.saved_values(model.node_of(y.grad_fn)) if model.node_of(y.grad_fn) \
            else None
        y.sum().backward()
    nid = one(model, "DoubleBackward")
    assert model.graph.nodes[nid]["executed"] == 2 and model.graph.nodes[nid]["freed"]
    assert saved is None or [s.name for s in saved] == ["saved_tensors[0]"]
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 2.0])
    fn = get_engine("torch").describe_function(y.grad_fn)
    assert fn.name == "DoubleBackward" and fn.saved_tensors == ("saved_tensors",)


def test_custom_function_saved_tensors_are_shown():
    w = torch.tensor([1.0, 5.0], requires_grad=True)
    y = Double.apply(w)
    [entry] = get_engine("torch").saved_values(y.grad_fn)
    assert entry.name == "saved_tensors[0]" and entry.tensor is not None
    np.testing.assert_array_equal(entry.value, [1.0, 5.0])


@pytest.mark.parametrize(("dtype", "shown"), [
    (torch.float16, "float16"), (torch.bfloat16, "float32"), (torch.complex64, "complex64"),
    (torch.float64, "float64")])
def test_dtypes_are_shown_as_numpy(dtype, shown):
    model = GraphModel(engine="torch")
    with model.recording():
        w = torch.tensor([1.5, -2.0], dtype=dtype, requires_grad=True)
        y = w * w
        y.sum().abs().backward() if dtype.is_complex else y.sum().backward()
    wid = model.node_of(w)
    assert model.graph.nodes[wid]["dtype"] == str(dtype).rpartition(".")[2]
    value, grad = model.value(wid), model.grad(wid)
    assert value.dtype == np.dtype(shown) and grad.dtype == np.dtype(shown)
    np.testing.assert_array_equal(value, w.detach().to(torch.complex64 if dtype.is_complex
                                                       else torch.float32).numpy()
                                  .astype(shown))


def test_big_tensors_give_a_sample(monkeypatch):
    monkeypatch.setattr(torch_describe, "SAMPLE_LIMIT", 10)
    t = torch.arange(100.0).reshape(10, 10)
    np.testing.assert_array_equal(get_engine("torch").value(t), np.arange(10.0))


def test_inference_mode_tensors_are_constants_with_values():
    model = GraphModel(engine="torch")
    with model.recording():
        w = torch.ones(2, requires_grad=True)
        with torch.inference_mode():
            x = torch.full((2,), 3.0)
            frozen = w * 2  # nothing recorded in inference mode
        loss = (w + x).sum()
        loss.backward()
    assert x.is_inference() and frozen.grad_fn is None
    assert model.graph.nodes[model.node_of(x)]["role"] == "constant"
    np.testing.assert_array_equal(model.value(model.node_of(x)), [3.0, 3.0])
    assert {model.graph.nodes[n]["name"] for n in functions(model)} == {
        "AccumulateGrad", "AddBackward0", "SumBackward0"}


def test_user_hooks_are_still_called_in_order():
    calls = []
    model = GraphModel(engine="torch")
    with model.recording():
        w = torch.ones(2, requires_grad=True)
        y = w * 3
        y.register_hook(lambda g: calls.append(("tensor y", g.tolist())))
        y.grad_fn.register_prehook(lambda go: calls.append(("pre Mul",)))
        y.grad_fn.register_hook(lambda gi, go: calls.append(("post Mul",)))
        w.register_hook(lambda g: calls.append(("tensor w", g.tolist())))
        w.register_post_accumulate_grad_hook(lambda t: calls.append(("accumulated",)))
        y.sum().backward()
    assert calls == [("tensor y", [1.0, 1.0]), ("pre Mul",), ("post Mul",),
                     ("tensor w", [3.0, 3.0]), ("accumulated",)]
    assert model.graph.nodes[one(model, "AccumulateGrad")]["executed"] == 3


def test_hooks_are_gone_after_backward_and_watching_stops_with_the_recording():
    model = GraphModel(engine="torch")
    with model.recording():
        w = torch.ones(2, requires_grad=True)
        y = w * 3
        y.sum().backward(retain_graph=True)
    count = len(model.graph)
    z = y * 2  # not recording: nothing seen
    z.sum().backward()
    assert len(model.graph) == count and model.backward_runs == 1
    assert get_engine("torch").id_of(z.grad_fn) is None


def test_released_tensors_fade_and_nodes_are_never_kept_alive():
    model = GraphModel(engine="torch")
    with model.recording():
        w = torch.ones(2, requires_grad=True)
        loss = (w.exp() * 2).sum()
    exp = one(model, "ExpBackward0")
    assert model.function(exp) is not None  # reached through loss, though exp's output died
    del loss
    gc.collect()
    model.flush()
    assert model.graph.nodes[exp]["released"] and model.function(exp) is None
    assert not model.graph.nodes[model.node_of(w)]["released"]


def test_memory_stays_flat_over_a_thousand_training_steps():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    data = torch.randn(4, 8)
    model = GraphModel(engine="torch", release_policy="remove")
    engine = get_engine("torch")
    sizes = []
    tracemalloc.start()
    try:
        with model.recording():
            for step in range(1000):
                opt.zero_grad()
                loss = net(data).pow(2).mean()
                loss.backward()
                opt.step()
                model.flush()  # as the app does after each statement
                if step in (299, 999):  # grad timelines are full (200 entries) by then
                    model.flush()
                    model.runs.clear()  # the per-run history grows by design (capped)
                    gc.collect()
                    sizes.append((len(model.graph), len(engine._ids._tensors),
                                  tracemalloc.get_traced_memory()[0]))
    finally:
        tracemalloc.stop()
    (nodes_100, tensors_100, bytes_100), (nodes_1000, tensors_1000, bytes_1000) = sizes
    assert nodes_1000 == nodes_100 and tensors_1000 <= tensors_100
    assert bytes_1000 < bytes_100 + 200_000, sizes  # not 900 steps' worth of graphs


def test_watching_is_per_thread_and_watching_covers_another_thread():
    import threading

    model = GraphModel(engine="torch")
    engine = get_engine("torch")
    made = {}

    def program(key, watched):
        if watched:
            with engine.watching():
                made[key] = torch.ones(2, requires_grad=True).exp()
        else:
            made[key] = torch.ones(2, requires_grad=True).exp()

    with model.recording():
        for key, watched in (("plain", False), ("watched", True)):
            worker = threading.Thread(target=program, args=(key, watched))
            worker.start()
            worker.join()
    assert model.node_of(made["watched"].grad_fn) is not None
    assert model.node_of(made["plain"].grad_fn) is None


def test_watching_on_a_watched_thread_reports_each_op_once():
    model = GraphModel(engine="torch")
    engine = get_engine("torch")
    with model.recording(), engine.watching(), engine.watching():
        w = torch.ones(2, requires_grad=True)
        (w * 2).sum().backward()
    assert sorted(d["executed"] for _, d in model.graph.nodes(data=True)
                  if d["kind"] == "function") == [1, 2, 3]
    assert [e.label for e in model.history(model.node_of(w))] == ["backward 1"]


def test_tensor_info_and_protocol_reads():
    engine = get_engine("torch")
    w = torch.ones(2, 3, requires_grad=True)
    y = w.sum(0)
    assert engine.grad_fn(y) is y.grad_fn  # (the engine reaches a node through its output)
    assert engine.describe_tensor(y) == TensorInfo((3,), "float32", True, False, 0)
    assert engine.is_tensor(y) and engine.is_function(y.grad_fn) and not engine.is_function(y)
    fid = engine.function_id(y.grad_fn)
    assert engine.id_of(y.grad_fn) == fid == engine.function_id(y.grad_fn)
    tid = engine.tensor_id(y)
    assert engine.tensor_by_id(tid) is y and engine.id_of(y) == tid != fid
    acc = engine.next_functions(y.grad_fn)[0][0]
    assert engine.variable(acc) is w and engine.variable(y.grad_fn) is None
    ref = engine.reference(y.grad_fn, None, 5)
    assert ref() is y.grad_fn and ref.key == 5
    with pytest.raises(TypeError):
        engine.reference(3, None, 1)


# ---------------------------------------------------------------- torch stays optional
def test_gradviz_imports_torch_only_when_its_engine_is_asked_for():
    code = ("import json, sys; import gradviz, gradviz.model, gradviz.cli, gradviz.session; "
            "gradviz.model.GraphModel(); before = 'torch' in sys.modules; "
            "gradviz.model.GraphModel(engine='torch'); "
            "print(json.dumps([before, 'torch' in sys.modules]))")
    try:
        import gradviz.session  # noqa: F401
    except ImportError:  # before the session package lands
        code = code.replace(", gradviz.session", "")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [False, True]


def test_a_compiled_region_is_one_node_with_a_note():
    def region(x):
        return (x.sin() * 2).sum()

    compiled = torch.compile(region, backend="aot_eager")
    model = GraphModel(engine="torch")
    with model.recording():
        w = torch.ones(3, requires_grad=True)
        compiled(w).backward()
    (nid,) = [n for n in functions(model) if model.graph.nodes[n]["name"] != "AccumulateGrad"]
    data = model.graph.nodes[nid]
    assert data["name"] == "CompiledFunctionBackward" and data["executed"] == 1
    assert data["formula"] == torch_describe.COMPILED_NOTE
    assert torch.allclose(w.grad, 2 * torch.ones(3).cos())
