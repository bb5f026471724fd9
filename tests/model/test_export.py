"""Exports of a GraphModel (gradviz/model/export.py): DOT, GraphML, node-link JSON and
sessions that round-trip exactly; corrupt session files fail clearly."""

from __future__ import annotations

import gc
import json
import re
import shutil
import subprocess
from collections import Counter

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gradviz
from gradviz.events import dispatcher
from gradviz.model import GraphModel
from gradviz.model import export as ex
from gradviz.model.export import SessionError

NODE_LINE = re.compile(r'^\t(\d+) \[label="([^"]*)" fillcolor=(\S+?)( style="dashed,filled")?\]$')
EDGE_LINE = re.compile(r"^\t(\d+) -> (\d+)$")


@pytest.fixture(autouse=True)
def _nobody_left_listening():
    yield
    leaked = list(dispatcher._subscribers)
    for callback in leaked:
        dispatcher.unsubscribe(callback)
    assert not leaked


def build_model(policy="fade"):
    """The tutorial's graph after backward, the eye/pow/t timeline, a released node,
    parallel edges, a node never executed, computed positions and a pinned node."""
    model = GraphModel(release_policy=policy)
    rng = np.random.default_rng(0)
    with model.recording():
        x = gradviz.ones(5)
        y = gradviz.zeros(3)
        w = gradviz.tensor(rng.standard_normal((5, 3)).astype(np.float32), requires_grad=True)
        b = gradviz.tensor(rng.standard_normal(3).astype(np.float32), requires_grad=True)
        z = gradviz.matmul(x, w) + b
        loss = gradviz.nn.functional.binary_cross_entropy_with_logits(z, y)
        loss.backward()
        inp = gradviz.eye(4, 5, requires_grad=True)
        out = (inp + 1).pow(2).t()
        for _ in range(2):
            out.backward(gradviz.ones_like(out), retain_graph=True)
        inp.grad.zero_()
        out.backward(gradviz.ones_like(out), retain_graph=True)
        inp.grad = None
        sq = b * b  # parallel edges; never executed
        tmp = (w * 2).sum()
        del tmp
        gc.collect()
    namespace = {"x": x, "y": y, "w": w, "b": b, "z": z, "loss": loss, "inp": inp, "out": out,
                 "sq": sq}
    model.set_names(namespace)
    model.flush()
    positions = model.positions()
    model.pin(model.node_of(w), (positions[model.node_of(w)][0] + 3.0, -1.0))
    return model, namespace


@pytest.fixture
def built():
    return build_model()


def node_by_name(model, name):
    (nid,) = [n for n, d in model.graph.nodes(data=True) if d.get("name") == name
              and d["kind"] == "tensor"]
    return nid


# ---------------------------------------------------------------- DOT
def parse_dot(text):
    nodes, edges = {}, []
    lines = text.splitlines()
    assert lines[0] == "digraph {" and lines[-1] == "}"
    for line in lines[1:-1]:
        m = NODE_LINE.match(line)
        if m:
            nodes[int(m[1])] = (m[2], m[3], bool(m[4]))
            continue
        m = EDGE_LINE.match(line)
        if m:
            edges.append((int(m[1]), int(m[2])))
            continue
        assert line.startswith(("\tgraph [", "\tnode [")), line
    return nodes, edges


def test_dot_colors_and_edges(built):
    model, _ = built
    text = ex.to_dot(model)
    nodes, edges = parse_dot(text)
    assert set(nodes) == set(model.graph.nodes)
    assert Counter(edges) == Counter((u, v) for u, v in model.graph.edges())
    for nid, (label, color, dashed) in nodes.items():
        d = model.graph.nodes[nid]
        if d["kind"] == "function":
            assert label == d["name"] and color == "lightgrey"
        elif d["role"] == "leaf":
            assert color == "lightblue" and not dashed
        elif d["role"] == "output":
            assert "green" in color and not dashed
        else:
            assert d["ghost"] and dashed and color != "lightblue"
    w_label = nodes[node_by_name(model, "w")][0]
    assert w_label == "w\\n(5, 3)"
    assert nodes[node_by_name(model, "loss")][0] == "loss\\n()"


def test_dot_lists_saved_tensors_on_request(built):
    model, _ = built
    plain, _ = parse_dot(ex.to_dot(model))
    nodes, _ = parse_dot(ex.to_dot(model, saved=True))
    (mm,) = [n for n, d in model.graph.nodes(data=True) if d.get("name") == "MmBackward0"]
    assert plain[mm][0] == "MmBackward0"
    lines = nodes[mm][0].split("\\n")
    assert lines[0] == "MmBackward0"
    assert [s.split()[0] for s in lines[1:]] == list(model.graph.nodes[mm]["saved"])
    assert "self" in lines[1] and all("freed" in s for s in lines[1:])  # backward freed them
    (pow_,) = [n for n, d in model.graph.nodes(data=True) if d.get("name") == "PowBackward0"]
    assert nodes[pow_][0].split("\\n")[1:] and "freed" not in nodes[pow_][0]  # retained


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz's dot is not installed")
def test_dot_is_valid_graphviz(built, tmp_path):
    model, _ = built
    path = tmp_path / "g.dot"
    ex.write(model, path, saved=True)
    result = subprocess.run(["dot", "-Tsvg", str(path)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count('class="node"') == model.graph.number_of_nodes()
    assert result.stdout.count('class="edge"') == model.graph.number_of_edges()


# ---------------------------------------------------------------- GraphML and JSON
def test_graphml_reads_back(built, tmp_path):
    model, _ = built
    path = tmp_path / "g.graphml"
    ex.write(model, path)
    back = nx.read_graphml(path)
    assert back.number_of_nodes() == model.graph.number_of_nodes()
    assert back.number_of_edges() == model.graph.number_of_edges()
    names = {int(n): d.get("name") for n, d in back.nodes(data=True)}
    assert names == {n: d["name"] or "" for n, d in model.graph.nodes(data=True)}
    kinds = {int(n): d["kind"] for n, d in back.nodes(data=True)}
    assert kinds == dict(model.graph.nodes(data="kind"))


def test_node_link_json(built, tmp_path):
    model, _ = built
    path = tmp_path / "g.json"
    ex.write(model, path)
    data = json.loads(path.read_text())
    back = nx.node_link_graph(data, edges="edges")
    assert back.is_multigraph() and back.is_directed()
    assert set(back.nodes) == set(model.graph.nodes)
    assert Counter(back.edges()) == Counter(model.graph.edges())
    for nid, d in model.graph.nodes(data=True):
        assert back.nodes[nid]["kind"] == d["kind"]
        assert back.nodes[nid]["name"] == (d["name"] or "")
    assert ex.to_json(model) == data


def test_write_refuses_unknown_extensions(built, tmp_path):
    model, _ = built
    with pytest.raises(ValueError, match="unknown export format"):
        ex.write(model, tmp_path / "g.png")
    ex.write(model, tmp_path / "g.gv")
    assert (tmp_path / "g.gv").read_text() == ex.to_dot(model)


# ---------------------------------------------------------------- sessions
def assert_same(a, b, where="value"):
    assert type(a) is type(b), (where, type(a), type(b))
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert np.array_equal(a, b, equal_nan=True), where
    elif isinstance(a, tuple | list):
        assert len(a) == len(b), where
        for k, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{k}]")
    elif isinstance(a, dict):
        assert set(a) == set(b), (where, set(a) ^ set(b))
        for k in a:
            assert_same(a[k], b[k], f"{where}.{k}")
    else:
        assert a == b, (where, a, b)


def assert_same_model(a: GraphModel, b: GraphModel):
    """``b`` (loaded) is ``a`` under the snapshot's renumbering, no node marked new."""
    ids = dict(zip(a.graph.nodes, b.graph.nodes, strict=True))
    assert list(b.graph.nodes) == [-1 - k for k in range(len(ids))]
    for nid in a.graph.nodes:
        assert b.graph.nodes[ids[nid]]["new"] is False
        assert_same({k: v for k, v in a.graph.nodes[nid].items() if k != "new"},
                    {k: v for k, v in b.graph.nodes[ids[nid]].items() if k != "new"},
                    f"node {nid}")
    assert_same([(ids[u], ids[v], k, d) for u, v, k, d in a.graph.edges(keys=True, data=True)],
                list(b.graph.edges(keys=True, data=True)), "edges")
    assert {ids[n] for n in a._histories} == set(b._histories)
    for nid in a._histories:
        assert_same([(e.label, e.value) for e in a.history(nid)],
                    [(e.label, e.value) for e in b.history(ids[nid])], f"history {nid}")
    assert {ids[n]: xy for n, xy in a.pinned.items()} == b.pinned
    assert {ids[n]: xy for n, xy in a.positions().items()} == b.positions()
    assert a.release_policy == b.release_policy
    for nid in a.graph.nodes:  # values and grads answer from the file
        for read in ("value", "grad"):
            x, y = getattr(a, read)(nid), getattr(b, read)(ids[nid])
            assert (x is None) == (y is None), (read, nid)
            if x is not None:
                assert_same(x, y, f"{read} {nid}")


def test_session_round_trip(built, tmp_path):
    model, ns = built
    # the model really holds what the round trip must keep
    assert any(d.get("released") for _, d in model.graph.nodes(data=True))
    assert any(isinstance(d.get("grad_in"), np.ndarray) for _, d in model.graph.nodes(data=True))
    inp = node_by_name(model, "inp")
    assert [e.label for e in model.history(inp)][-1] == "set to None"
    path = tmp_path / "s.json"
    ex.save_session(model, path)
    loaded = ex.load_session(path)
    assert_same_model(model, loaded)
    assert list(loaded._positions.values()) == list(model._positions.values())  # kept
    assert not loaded.attached and loaded.tensor(-1 - list(model.graph).index(inp)) is None
    ex.save_session(loaded, tmp_path / "again.json")  # a snapshot saves as itself
    ex.save_session(ex.load_session(tmp_path / "again.json"), tmp_path / "third.json")
    assert (tmp_path / "again.json").read_text() == (tmp_path / "third.json").read_text()
    assert not (tmp_path / "s.json.tmp").exists()


def test_session_keeps_special_values(tmp_path):
    model = GraphModel()
    model.graph.add_node(1, kind="tensor", odd=np.array([np.nan, np.inf, -0.0], np.float64),
                         scalar=np.array(3, np.int64), empty=np.zeros((0, 2), np.float32),
                         nested=(None, (np.ones(1, np.float16), "s"), 2.5), flag=True)
    model.graph.add_node(2, kind="function")
    model.graph.add_edge(1, 2, key=0, kind="leaf")
    model.graph.add_edge(1, 2, key=1, kind="leaf")
    path = tmp_path / "s.json"
    ex.save_session(model, path)
    loaded = ex.load_session(path)
    assert_same(dict(model.graph.nodes[1], new=False), dict(loaded.graph.nodes[-1]))
    assert list(loaded.graph.edges(keys=True)) == [(-1, -2, 0), (-1, -2, 1)]


def corrupt_cases(good: str) -> dict:
    data = json.loads(good)
    bad = {
        "truncated": good[: len(good) // 2],
        "empty": "",
        "not json": "hello",
        "another format": json.dumps({"format": "something-else"}),
        "a list": "[1, 2, 3]",
        "future version": json.dumps(dict(data, version=99)),
        "missing edges": json.dumps({k: v for k, v in data.items() if k != "edges"}),
        "nodes not a list": json.dumps(dict(data, nodes=5)),
        "attributes not a dict": json.dumps(dict(data, nodes=[[1, [1, 2]]], edges=[])),
        "edge to nowhere": json.dumps(dict(data, edges=[[999, 998, 0, {}]])),
        "bad array": json.dumps(dict(data, nodes=[[1, {"a": {"__array__": [1, 2],
                                                                "dtype": "float32",
                                                                "shape": [3]}}]], edges=[])),
        "bad dtype": json.dumps(dict(data, nodes=[[1, {"a": {"__array__": [1], "dtype": "nope",
                                                                "shape": [1]}}]], edges=[])),
        "unknown object": json.dumps(dict(data, nodes=[[1, {"a": {"b": 1}}]], edges=[])),
        "bad history": json.dumps(dict(data, histories=[[1, [["backward 1"]]]])),
        "bad positions": json.dumps(dict(data, positions=[[1, 5]])),
        "bad policy": json.dumps(dict(data, release_policy="forget")),
        "deeply nested": "[" * 100_000,
        "object values": json.dumps(dict(data, values=[[data["nodes"][0][0], {
            "dtype": "object", "shape": [1], "data": ["__import__('os')"]}, None]])),
        "short raw values": json.dumps(dict(data, values=[[data["nodes"][0][0], {
            "dtype": "float32", "shape": [100], "b64": "AAAAAA=="}, None]])),
        "values of no node": json.dumps(dict(data, values=[[10**9, None, None]])),
        "array of objects": json.dumps(dict(data, nodes=[[1, {"a": {
            "__array__": [1], "dtype": "O", "shape": [1]}}]], edges=[])),
    }
    return bad


def test_corrupt_sessions_fail_clearly_and_leave_the_model(built, tmp_path):
    model, _ = built
    good_path = tmp_path / "good.json"
    ex.save_session(model, good_path)
    current = ex.load_session(good_path)
    before = json.dumps(ex.session_dict(current))
    for name, text in corrupt_cases(good_path.read_text()).items():
        path = tmp_path / "bad.json"
        path.write_text(text)
        with pytest.raises(SessionError) as info:
            ex.load_session(path)
        message = str(info.value)
        assert str(path) in message, (name, message)
        assert "session" in message, (name, message)
        assert json.dumps(ex.session_dict(current)) == before, name
    path.write_bytes(b"\xff\xfe\x00 not text")
    with pytest.raises(SessionError, match="cannot read session"):
        ex.load_session(path)
    with pytest.raises(SessionError, match="cannot read session"):
        ex.load_session(tmp_path / "missing.json")
    with pytest.raises(SessionError, match="corrupt or truncated"):
        path.write_text(good_path.read_text()[:-1])
        ex.load_session(path)
    assert_same_model(current, ex.load_session(good_path))


def test_every_truncation_fails_clearly(built, tmp_path):
    model, _ = built
    path = tmp_path / "s.json"
    ex.save_session(model, path)
    text = path.read_text()
    for cut in np.linspace(0, len(text) - 1, 60).astype(int):
        path.write_text(text[:cut])
        with pytest.raises(SessionError, match="corrupt or truncated"):
            ex.load_session(path)


@pytest.fixture(scope="module")
def small_session():
    model = GraphModel()
    with model.recording():
        w = gradviz.ones(2, requires_grad=True)
        y = (w * w).sum()
        y.backward()
    model.set_names({"w": w, "y": y})
    return json.dumps(ex.session_dict(model)).encode()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_sessions_load_or_fail_clearly(small_session, tmp_path_factory, data):
    """Any byte changed, inserted or removed: a model, or SessionError, never another error."""
    raw = bytearray(small_session)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw) - 1))
        action = data.draw(st.sampled_from(["set", "insert", "delete"]))
        byte = data.draw(st.sampled_from(b'[]{}",:0123456789.-eE ntfa\xff'))
        if action == "set":
            raw[at] = byte
        elif action == "insert":
            raw.insert(at, byte)
        else:
            del raw[at]
    path = tmp_path_factory.mktemp("fuzz") / "s.json"
    path.write_bytes(bytes(raw))
    try:
        loaded = ex.load_session(path)
    except SessionError as exc:
        assert str(path) in str(exc)
    else:
        assert isinstance(loaded, GraphModel)


def test_dot_marks_only_saved_tensors_as_freed():
    """After a backward without retain_graph, DOT with saved=True marks the saved tensors
    freed and leaves arguments such as dim and keepdim unmarked (torch frees only tensors)."""
    model = GraphModel()
    with model.recording():
        a = gradviz.ones(3, requires_grad=True)
        (a * a).sum(dim=0).backward()
    dot = ex.to_dot(model, saved=True)
    assert "MulBackward0\\nself (freed)\\nother (freed)" in dot
    assert "SumBackward1\\nself_sym_sizes\\ndim\\nkeepdim" in dot
