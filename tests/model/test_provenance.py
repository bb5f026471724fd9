"""Where each function node came from: a console statement or the user's file:line."""

from __future__ import annotations

import inspect

import gradviz
from gradviz.model import GraphModel
from gradviz.model.provenance import describe_where


def _made_here(lib):
    x = lib.ones(2, requires_grad=True)
    return (x * 2).sum(), inspect.currentframe().f_lineno


def test_nodes_made_by_a_file_record_its_line_not_gradviz_frames():
    model = GraphModel()
    with model.recording():
        loss, line = _made_here(gradviz)
    data = model.graph.nodes[model.node_of(loss.grad_fn)]
    filename, lineno, number = data["where"]
    assert (filename, lineno, number) == (__file__, line, None)
    assert describe_where(data["where"]) == f"test_provenance.py:{line}"
    mul = model.graph.nodes[model.next_functions(model.node_of(loss.grad_fn))[0][0]]
    assert mul["name"] == "MulBackward0" and mul["where"][1] == line


def test_console_statements_are_numbered():
    model = GraphModel()
    namespace = {"torch": gradviz}
    with model.recording():
        for source in ("x = torch.ones(2, requires_grad=True)", "y = x.exp()",
                       "z = (y * 3).sum()"):
            model.provenance.begin(source)
            exec(compile(source, "<console>", "exec"), namespace)
            model.provenance.end()
    where = {model.graph.nodes[n]["name"]: model.graph.nodes[n]["where"]
             for n in model.graph if model.graph.nodes[n]["kind"] == "function"}
    assert where["ExpBackward0"][2] == 2 and where["MulBackward0"][2] == 3
    assert describe_where(where["SumBackward0"], model.provenance.texts) == (
        "statement 3: z = (y * 3).sum()")


def _linear_here(lib):
    lib.manual_seed(0)
    lin = lib.nn.Linear(3, 2)
    return lin(lib.ones(1, 3)).relu().sum(), inspect.currentframe().f_lineno


def test_on_the_torch_engine_torch_frames_are_skipped_like_gradviz_ones():
    import pytest

    torch = pytest.importorskip("torch")
    for engine, lib in (("numpy", gradviz), ("torch", torch)):
        model = GraphModel(engine=engine)
        with model.recording():
            loss, line = _linear_here(lib)
        where = {model.graph.nodes[n]["name"]: model.graph.nodes[n]["where"]
                 for n in model.graph if model.graph.nodes[n]["kind"] == "function"}
        # made inside nn.Linear's forward and torch's function mode: the user's line
        for name in ("AddmmBackward0", "ReluBackward0", "SumBackward0"):
            assert where[name][:2] == (__file__, line), (engine, name, where[name])
        del loss
