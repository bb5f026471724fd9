"""GraphModel and a custom autograd.Function with several outputs: the model's function
graph is torch's (one node for the Function, no engine-internal output slots)."""

from __future__ import annotations

import pytest
from model_programs import describe, function_subgraph, same_graph, walked_graph

import gradviz
from gradviz.model import GraphModel


def _program(T):
    class Split(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2, x.exp()

        @staticmethod
        def backward(ctx, ga, gb):
            x, = ctx.saved_tensors
            return ga * 2 + gb * x.exp()

    x = T.tensor([1.0, 2.0], requires_grad=True)
    a, b = Split.apply(x)
    y = (a * b).sum() + b[0]
    y.backward()
    return y, x


def test_several_outputs_make_one_node_in_the_model(oracle):
    model = GraphModel()
    with model.recording():
        y, x = _program(gradviz)
    got = function_subgraph(model)
    want = walked_graph(_program(oracle)[0].grad_fn)
    assert same_graph(got, want), (describe(got), describe(want))
    assert "OutputSlot" not in {d["name"] for _, d in got.nodes(data=True)}
    assert x.grad.numpy() == pytest.approx(_program(oracle)[1].grad.numpy())
