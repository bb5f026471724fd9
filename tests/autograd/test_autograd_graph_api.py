"""``gradviz.autograd.graph``, the public way to read the recorded graph: each function
on real programs, torch as the spec where torch has the same notion (names, saved
values, freeing, versions), and the docstring examples run as doctests."""

from __future__ import annotations

import doctest
import gc
import warnings

import numpy as np
import pytest

import gradviz
from gradviz.autograd import graph


def saved_names_in(torch_fn) -> set:
    """The names torch's grad_fn exposes as ``_saved_<name>``."""
    return {n[len("_saved_"):] for n in dir(torch_fn) if n.startswith("_saved_")}


PROGRAMS = {  # name -> program taking the library, returning the output
    "mul": lambda lib, a: a * a,
    "pow": lambda lib, a: a ** 2,
    "sum_dim": lambda lib, a: a.sum(0),
    "exp": lambda lib, a: a.exp(),
    "matmul": lambda lib, a: a.reshape(2, 2) @ a.reshape(2, 2),
    "relu": lambda lib, a: lib.relu(a),
}


# ---------------------------------------------------------------- the doctests
def test_docstring_examples_run():
    failed, attempted = doctest.testmod(
        graph, extraglobs={"torch": gradviz, "graph": graph}, optionflags=doctest.ELLIPSIS,
        report=True)
    assert attempted >= len(graph.__all__) - 2  # an example per function at least
    assert failed == 0


def test_all_names_exist():
    assert set(graph.__all__) <= set(dir(graph))
    assert gradviz.autograd.graph is graph


# ---------------------------------------------------------------- what an object is
def test_is_tensor_and_is_node_tell_objects_apart():
    a = gradviz.ones(2, requires_grad=True)
    z = a * 2
    acc = z.grad_fn.next_functions[0][0]
    assert graph.is_tensor(a) and graph.is_tensor(gradviz.nn.Parameter(gradviz.ones(1)))
    assert not graph.is_tensor(z.grad_fn) and not graph.is_tensor(np.ones(2))
    assert graph.is_node(z.grad_fn) and graph.is_node(acc) and not graph.is_node(a)
    assert isinstance(z.grad_fn, graph.Node)


# ---------------------------------------------------------------- ids
def test_tensor_ids_are_stable_given_on_first_ask_and_never_reused():
    t = gradviz.ones(1)
    assert graph.id_of(t) is None  # nobody asked yet
    i = graph.tensor_id(t)
    assert graph.tensor_id(t) == i == graph.id_of(t)
    assert i != id(t)
    seen = {i}
    for _ in range(50):  # Python reuses id() of dead objects; gradviz's ids never repeat
        u = gradviz.ones(1)
        seen.add(graph.tensor_id(u))
        del u
    assert len(seen) == 51


def test_node_ids_are_shared_with_tensor_ids_without_collisions():
    a = gradviz.ones(1, requires_grad=True)
    z = a * 2
    ids = [graph.node_id(z.grad_fn), graph.node_id(z.grad_fn.next_functions[0][0]),
           graph.tensor_id(a), graph.tensor_id(z)]
    assert len(set(ids)) == 4
    assert graph.id_of(z.grad_fn) == ids[0]
    assert graph.id_of("z") is None and graph.id_of(3) is None


def test_tensor_by_id_is_weak():
    t = gradviz.ones(1)
    i = graph.tensor_id(t)
    assert graph.tensor_by_id(i) is t
    del t
    gc.collect()
    assert graph.tensor_by_id(i) is None
    assert graph.tensor_by_id(-5) is None


# ---------------------------------------------------------------- grad_fn nodes
@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_node_names_and_saved_names_are_torchs(program, oracle):
    out = {}
    for lib in (gradviz, oracle):
        a = lib.tensor([1.0, -2.0, 3.0, 4.0], requires_grad=True)
        out[lib] = PROGRAMS[program](lib, a).grad_fn
    ours, theirs = out[gradviz], out[oracle]
    assert graph.node_name(ours) == type(theirs).__name__
    # every name is one torch saves too (torch's mm also saves sizes and strides)
    assert graph.saved_names(ours) and set(graph.saved_names(ours)) <= saved_names_in(theirs)
    assert set(graph.saved_tensor_names(ours)) <= set(graph.saved_names(ours))


def test_next_functions_as_torch_with_none_for_inputs_without_grad(oracle):
    names = {}
    for lib in (gradviz, oracle):
        a = lib.ones(2, requires_grad=True)
        c = lib.ones(2)
        fn = (a * c).grad_fn
        nxt = graph.next_functions(fn) if lib is gradviz else fn.next_functions
        names[lib] = [(type(n).__name__ if n is not None else None, nr) for n, nr in nxt]
    assert names[gradviz] == names[oracle] == [("AccumulateGrad", 0), (None, 0)]


def test_formula_comes_from_the_op_table_or_the_node():
    a = gradviz.ones(2, requires_grad=True)
    z = a * a
    assert graph.formula(z.grad_fn) == "self: grad * other; other: grad * self"
    acc = graph.next_functions(z.grad_fn)[0][0]
    assert graph.formula(acc) == "variable.grad += grad"

    class Twice(gradviz.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    custom = Twice.apply(a).grad_fn
    assert graph.node_name(custom) == "TwiceBackward"
    assert graph.formula(custom) == "Twice.backward(ctx, grad)"
    assert graph.saved_names(custom) == ()


def test_saved_values_and_freeing(oracle):
    a = gradviz.tensor([1.0, 2.0], requires_grad=True)
    b = gradviz.tensor([3.0, 4.0], requires_grad=True)
    fn = (a * b).grad_fn
    entries = graph.saved_values(fn)
    assert [e.name for e in entries] == ["self", "other"]
    assert entries[0].tensor is a and entries[1].tensor is b
    np.testing.assert_array_equal(entries[1].value, [3.0, 4.0])
    assert (entries[0].version, entries[0].current_version) == (0, 0)
    assert not graph.is_freed(fn)
    (a * b).sum().backward()  # another graph: fn keeps its saved tensors
    assert not graph.is_freed(fn)
    z = a * b
    z.sum().backward()  # z's graph is freed by its backward
    assert graph.is_freed(z.grad_fn) and graph.saved_values(z.grad_fn) == []
    # torch agrees: the saved tensor is gone (reading it raises)
    ta = oracle.tensor([1.0, 2.0], requires_grad=True)
    t_root = ta * ta
    t_root.sum().backward()
    with pytest.raises(RuntimeError, match="after they have already been freed"):
        t_root.grad_fn._saved_self  # noqa: B018
    with pytest.raises(RuntimeError, match="after they have already been freed"):
        z.grad_fn._saved_self  # noqa: B018


def test_saved_values_see_an_in_place_change():
    a = gradviz.ones(2, requires_grad=True)
    b = a * 1
    fn = (b * b).grad_fn
    b.add_(1)
    entry = graph.saved_values(fn)[0]
    assert (entry.version, entry.current_version) == (0, 1)


def test_a_node_that_saved_no_tensor_is_never_freed():
    a = gradviz.ones(2, requires_grad=True)
    loss = (a + 1).sum()
    loss.backward()
    assert graph.saved_tensor_names(loss.grad_fn) == ()
    assert not graph.is_freed(loss.grad_fn)


def test_variable_is_the_leaf_of_accumulate_grad_only(oracle):
    a = gradviz.ones(2, requires_grad=True)
    z = a * 2
    acc = graph.next_functions(z.grad_fn)[0][0]
    assert graph.variable(acc) is a
    assert graph.variable(z.grad_fn) is None
    ta = oracle.ones(2, requires_grad=True)
    assert (ta * 2).grad_fn.next_functions[0][0].variable is ta  # the same notion in torch


# ---------------------------------------------------------------- tensors
def test_value_and_grad_are_numpy_copies():
    a = gradviz.tensor([1.0, 2.0], requires_grad=True)
    v = graph.value(a)
    assert isinstance(v, np.ndarray) and v.dtype == np.float32
    v[0] = 100.0
    assert a.tolist() == [1.0, 2.0]  # a copy: changing it never changes the tensor
    assert graph.grad(a) is None
    (a * a).sum().backward()
    g = graph.grad(a)
    np.testing.assert_array_equal(g, [2.0, 4.0])
    g[0] = 0.0
    assert a.grad.tolist() == [2.0, 4.0]


def test_grad_of_a_non_leaf_does_not_warn():
    a = gradviz.ones(2, requires_grad=True)
    z = a * 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert graph.grad(z) is None
    with pytest.warns(UserWarning):
        assert z.grad is None  # the property warns, as torch's does


def test_shape_dtype_requires_grad_is_leaf(oracle):
    def ours(t):
        return graph.shape(t), graph.dtype_name(t), graph.requires_grad(t), graph.is_leaf(t)

    def torchs(t):
        return tuple(t.shape), str(t.dtype).removeprefix("torch."), t.requires_grad, t.is_leaf

    got = {}
    for lib, describe in ((gradviz, ours), (oracle, torchs)):
        a = lib.zeros(2, 3, requires_grad=True)
        got[lib] = [describe(t) for t in (a, a * 2, lib.arange(3), a.detach())]
    assert got[gradviz] == got[oracle]
    assert got[gradviz][1] == ((2, 3), "float32", True, False)


def test_versions_count_in_place_changes_as_torch(oracle):
    versions = {}
    for lib in (gradviz, oracle):
        t = lib.zeros(3)
        v = t[:2]
        steps = [t._version if lib is oracle else graph.version(t)]
        t.add_(1)
        v.mul_(2)
        t[0] = 5.0
        steps.append(t._version if lib is oracle else graph.version(t))
        steps.append(v._version if lib is oracle else graph.version(v))
        versions[lib] = steps
    assert versions[gradviz] == versions[oracle]


def test_grad_fn_reads_without_regenerating_a_stale_view():
    a = gradviz.ones(4, requires_grad=True)
    b = a * 1
    v = b[:2]
    b.mul_(2)  # v's base changed: torch gives v a new grad_fn when v.grad_fn is read
    assert graph.node_name(graph.grad_fn(v)) == "SliceBackward0"
    assert graph.grad_fn(b) is b.grad_fn
    assert graph.node_name(v.grad_fn) == "AsStridedBackward0"  # the property regenerates
    assert graph.grad_fn(gradviz.ones(1)) is None


def test_as_array_takes_arrays_tensors_and_none():
    assert graph.as_array(None) is None
    arr = np.ones(2)
    assert graph.as_array(arr) is arr
    t = gradviz.ones(2)
    out = graph.as_array(t)
    assert isinstance(out, np.ndarray) and out.tolist() == [1.0, 1.0]
