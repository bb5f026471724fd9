"""``gradviz.engines``: the engine lookup, the NumPy engine against the ``Engine``
protocol, and a second engine (a hand-made one, not the NumPy core) feeding
``GraphModel`` through the protocol alone, as the torch engine will."""

from __future__ import annotations

import doctest
import inspect
import json
import subprocess
import sys
import weakref

import numpy as np
import pytest

import gradviz
import gradviz.engines
from gradviz import events
from gradviz.engines import (
    Engine,
    EngineUnavailable,
    FunctionInfo,
    SavedValue,
    TensorInfo,
    get_engine,
    numpy_engine,
    protocol,
)
from gradviz.engines.numpy_engine import NumpyEngine
from gradviz.model import GraphModel


def protocol_members() -> set[str]:
    """Every method and attribute ``Engine`` declares."""
    own = set(vars(Engine)) | set(Engine.__annotations__)
    return {n for n in own if not n.startswith("_")}


# ---------------------------------------------------------------- the doctests
@pytest.mark.parametrize("module", [gradviz.engines, protocol, numpy_engine])
def test_docstring_examples_run(module):
    failed, attempted = doctest.testmod(
        module, extraglobs={"get_engine": get_engine, "GraphModel": GraphModel,
                            "NumpyEngine": NumpyEngine, "gradviz": gradviz},
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert attempted and failed == 0


# ---------------------------------------------------------------- lookup
def test_get_engine_gives_one_numpy_engine():
    engine = get_engine("numpy")
    assert engine is get_engine() is get_engine(engine)
    assert isinstance(engine, Engine) and engine.name == "numpy"
    assert engine.module is gradviz
    assert GraphModel().engine is engine


def test_unknown_engines_and_non_engines_are_refused():
    with pytest.raises(ValueError, match="unknown engine 'jax'; choose one of numpy, torch"):
        get_engine("jax")
    with pytest.raises(TypeError, match="engine must be a name or an Engine"):
        GraphModel(engine=object())


def test_without_torch_the_torch_engine_says_how_to_install(monkeypatch):
    monkeypatch.setattr(gradviz.engines, "_made", {})  # as in a process that never made it
    real = gradviz.engines.importlib.util.find_spec
    monkeypatch.setattr(gradviz.engines.importlib.util, "find_spec",
                        lambda name, *a: None if name == "torch" else real(name, *a))
    with pytest.raises(EngineUnavailable, match=r"pip install 'gradviz\[torch\]'"):
        get_engine("torch")
    with pytest.raises(EngineUnavailable, match=r"pip install 'gradviz\[torch\]'"):
        GraphModel(engine="torch")


def test_engines_are_imported_only_when_asked_for():
    code = ("import json, sys; import gradviz.model; before = sorted(sys.modules); "
            "gradviz.model.GraphModel(); after = sorted(sys.modules); "
            "print(json.dumps([before, after]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    before, after = json.loads(done.stdout.strip().splitlines()[-1])
    assert "gradviz.engines" in before and "gradviz.engines.numpy_engine" not in before
    assert "gradviz.engines.numpy_engine" in after
    assert "torch" not in after


# ---------------------------------------------------------------- the NumPy engine
def test_numpy_engine_has_every_protocol_member_with_its_arguments():
    engine = get_engine("numpy")
    members = protocol_members()
    assert {"subscribe", "describe_function", "describe_tensor", "value", "grad"} <= members
    for name in sorted(members):
        assert hasattr(engine, name), name
        declared = getattr(Engine, name, None)
        if callable(declared) and name != "reference":  # KeyedRef's is not introspectable
            want = [p for p in inspect.signature(declared).parameters if p != "self"]
            assert list(inspect.signature(getattr(engine, name)).parameters) == want, name


def test_protocol_records_have_the_fields_the_model_reads():
    assert FunctionInfo._fields == ("name", "formula", "saved", "saved_tensors")
    assert TensorInfo._fields == ("shape", "dtype", "requires_grad", "is_leaf", "version",
                                 "device")
    a = gradviz.ones(2, requires_grad=True)
    entry = get_engine("numpy").saved_values((a * a).grad_fn)[0]
    assert entry._fields == SavedValue._fields  # the core's entries have the protocol's shape


def test_numpy_engine_describes_functions_once_per_class():
    engine = NumpyEngine()
    a = gradviz.ones(2, requires_grad=True)
    first, second = (a * a).grad_fn, (a * 3).grad_fn
    info = engine.describe_function(first)
    assert info == FunctionInfo("MulBackward0", "self: grad * other; other: grad * self",
                                ("self", "other"), ("self", "other"))
    assert engine.describe_function(second) is info


def test_numpy_engine_reads_tensors_and_nodes():
    engine = get_engine("numpy")
    a = gradviz.tensor([1.0, 2.0], requires_grad=True)
    z = a * a
    assert engine.describe_tensor(z) == TensorInfo((2,), "float32", True, False, 0)
    assert engine.is_tensor(a) and engine.is_function(z.grad_fn)
    assert engine.id_of(z) is None
    assert engine.tensor_by_id(engine.tensor_id(z)) is z
    acc = engine.next_functions(z.grad_fn)[0][0]
    assert engine.variable(acc) is a and engine.grad_fn(z) is z.grad_fn
    z.sum().backward()
    assert engine.is_freed(z.grad_fn)
    np.testing.assert_array_equal(engine.grad(a), [2.0, 4.0])
    np.testing.assert_array_equal(engine.value(z), [1.0, 4.0])
    ref = engine.reference(z, None, 7)
    assert ref() is z and ref.key == 7


def test_subscribing_through_the_engine_delivers_the_cores_events():
    engine = get_engine("numpy")
    seen = []
    token = engine.subscribe(seen.append)
    try:
        gradviz.ones(1, requires_grad=True) * 2
    finally:
        engine.unsubscribe(token)
    assert [type(e).__name__ for e in seen][:3] == ["TensorCreated", "FunctionCreated",
                                                     "FunctionCreated"]
    count = len(seen)
    gradviz.ones(1, requires_grad=True) * 2
    assert len(seen) == count


# ---------------------------------------------------------------- a second engine
class Leaf:
    """A toy engine's tensor."""

    def __init__(self, tid, values, grad_fn=None, requires_grad=True):
        self.tid, self.values, self.grad_fn = tid, np.asarray(values), grad_fn
        self.requires_grad, self.grad = requires_grad, None


class Op:
    """A toy engine's grad_fn."""

    def __init__(self, fid, name, inputs=(), variable=None):
        self.fid, self.name, self.inputs, self.variable = fid, name, inputs, variable
        self.freed = False


class ToyEngine:
    """An engine that is not the NumPy core: its own objects, its own event source."""

    name = "toy"
    module = None
    reference = weakref.KeyedRef

    def __init__(self):
        self.listeners = []

    def emit(self, event):
        for callback in self.listeners:
            callback(event)

    def subscribe(self, callback, kinds=None):  # (delivers every kind)
        self.listeners.append(callback)
        return callback

    def unsubscribe(self, token):
        self.listeners.remove(token)

    def is_tensor(self, obj):
        return isinstance(obj, Leaf)

    def is_function(self, obj):
        return isinstance(obj, Op)

    def tensor_id(self, t):
        return t.tid

    def function_id(self, fn):
        return fn.fid

    def id_of(self, obj):
        return getattr(obj, "tid", None) or getattr(obj, "fid", None)

    def tensor_by_id(self, i):
        return self.tensors.get(i)

    def describe_function(self, fn):
        saved = ("self", "other") if fn.name == "MulBackward0" else ()
        return FunctionInfo(fn.name, "self: grad * other" if saved else "", saved, saved)

    def next_functions(self, fn):
        return tuple((n, 0) for n in fn.inputs)

    def is_freed(self, fn):
        return fn.freed

    def saved_values(self, fn):
        return [] if fn.freed else [SavedValue("self", np.ones(2), 0, 0, None)]

    def variable(self, fn):
        return fn.variable

    def describe_tensor(self, t):
        return TensorInfo(t.values.shape, t.values.dtype.name, t.requires_grad,
                          t.grad_fn is None, 0)

    def shape(self, t):
        return t.values.shape

    def grad_fn(self, t):
        return t.grad_fn

    def requires_grad(self, t):
        return t.requires_grad

    def value(self, t):
        return np.array(t.values)

    def grad(self, t):
        return None if t.grad is None else np.array(t.grad)

    def as_array(self, x):
        return None if x is None else np.asarray(x)


def test_a_second_engine_feeds_the_same_model():
    toy = ToyEngine()
    assert isinstance(toy, Engine)
    w = Leaf(1, [1.0, 2.0])
    acc = Op(2, "AccumulateGrad", variable=w)
    mul = Op(3, "MulBackward0", inputs=(acc, acc))
    out = Leaf(4, [1.0, 4.0], grad_fn=mul)
    toy.tensors = {1: w, 4: out}
    model = GraphModel(engine=toy)
    changes = []
    model.add_listener(changes.append)
    with model.recording():
        toy.emit(events.TensorCreated(w, 1, "leaf"))
        toy.emit(events.FunctionCreated(acc, 2, "AccumulateGrad", (), None, (1,), ()))
        toy.emit(events.FunctionCreated(mul, 3, "MulBackward0", ((2, 0), (2, 0)), 4, (1, 1),
                                        ("self", "other")))
        toy.emit(events.TensorCreated(out, 4, "output"))
        toy.emit(events.BackwardStarted((3,), False, False))
        toy.emit(events.NodeExecuted(mul, 3, np.ones(2), (np.array([1.0, 2.0]),) * 2))
        toy.emit(events.NodeExecuted(acc, 2, np.array([2.0, 4.0]), ()))
        w.grad = np.array([2.0, 4.0])
        toy.emit(events.GradAccumulated(w, 1, None, np.array([2.0, 4.0])))
        mul.freed = True
        toy.emit(events.SavedTensorsFreed((3,)))
        toy.emit(events.BackwardFinished((3,)))
    assert not toy.listeners  # recording() unsubscribed from the toy engine
    g = model.graph
    assert {n: d["name"] for n, d in g.nodes(data=True) if d["kind"] == "function"} == {
        2: "AccumulateGrad", 3: "MulBackward0"}
    assert sorted((u, v, d["kind"]) for u, v, d in g.edges(data=True)) == [
        (1, 2, "leaf"), (2, 3, "next"), (2, 3, "next"), (3, 4, "output")]
    assert g.nodes[3]["shape"] == (2,) and g.nodes[3]["freed"]
    assert g.nodes[2]["shape"] == (2,)
    assert (g.nodes[3]["executed"], g.nodes[2]["executed"]) == (1, 2)
    assert g.nodes[1]["role"] == "leaf" and g.nodes[4]["role"] == "output"
    assert [e.label for e in model.history(1)] == ["backward 1"]
    np.testing.assert_array_equal(model.grad(1), [2.0, 4.0])
    np.testing.assert_array_equal(model.value(4), [1.0, 4.0])
    assert model.node_of(out) == 4 and model.node_of(mul) == 3
    assert model.next_functions(3) == ((2, "AccumulateGrad"), (2, "AccumulateGrad"))
    assert model.saved_values(3) == []
    assert model.grad_fn_of(4) == (3, "MulBackward0")
    assert changes and changes[-1].added >= {1, 2, 3, 4}
