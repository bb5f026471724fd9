"""``RNN``, ``LSTM``, ``GRU`` and their cells against torch: the same seed gives the same
parameters (names, shapes, values); outputs, final states and the gradient of every
parameter, input and initial state agree over single and multi-layer, bidirectional,
batch_first and unbatched inputs; reprs and errors."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz

torch = pytest.importorskip("torch")


def _flat(x):
    if isinstance(x, tuple):
        return [a for item in x for a in _flat(item)]
    return [x]


def _run(T, layer, shape, with_state):
    T.manual_seed(0)
    module = eval(f"T.nn.{layer}").double()  # noqa: S307 - our own table
    x = T.randn(*shape, dtype=T.float64, requires_grad=True)
    args = [x]
    states = []
    if with_state is not None:
        states = [T.randn(*s, dtype=T.float64, requires_grad=True) for s in with_state]
        args.append(tuple(states) if len(states) > 1 else states[0])
    outs = _flat(module(*args))
    weights = [T.arange(float(o.numel()), dtype=T.float64).reshape(o.shape).sin() for o in outs]
    sum((o * w).sum() for o, w in zip(outs, weights, strict=True)).backward()
    return ([o.detach().numpy() for o in outs],
            [p.grad.numpy().copy() for p in module.parameters()],
            [t.grad.numpy().copy() for t in [x, *states]],
            [name for name, _ in module.named_parameters()], repr(module),
            [o.grad_fn.name() for o in outs])


CASES = [
    ("RNN(3, 4)", (5, 2, 3), None),
    ("RNN(3, 4, nonlinearity='relu', bias=False)", (4, 2, 3), [(1, 2, 4)]),
    ("RNN(3, 4, num_layers=2, batch_first=True)", (2, 5, 3), None),
    ("LSTM(3, 4)", (5, 2, 3), None),
    ("LSTM(3, 4, num_layers=2, batch_first=True)", (2, 5, 3), [(2, 2, 4), (2, 2, 4)]),
    ("LSTM(3, 4, bidirectional=True)", (4, 2, 3), None),
    ("LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)", (2, 3, 3), None),
    ("LSTM(3, 4)", (5, 3), [(1, 4), (1, 4)]),
    ("GRU(3, 4)", (5, 2, 3), None),
    ("GRU(3, 4, num_layers=3, batch_first=True)", (2, 4, 3), [(3, 2, 4)]),
    ("GRU(3, 4, bidirectional=True)", (5, 3), None),
    ("RNNCell(3, 4)", (2, 3), [(2, 4)]),
    ("RNNCell(3, 4, nonlinearity='relu')", (2, 3), None),
    ("LSTMCell(3, 4)", (2, 3), [(2, 4), (2, 4)]),
    ("LSTMCell(3, 4, bias=False)", (3,), None),
    ("GRUCell(3, 4)", (2, 3), None),
    ("GRUCell(3, 4)", (3,), [(4,)]),
]


@pytest.mark.parametrize("layer,shape,state", CASES, ids=lambda c: str(c))
def test_recurrent_layer_matches_torch(layer, shape, state):
    got, want = _run(gradviz, layer, shape, state), _run(torch, layer, shape, state)
    assert got[3] == want[3] and got[4] == want[4] and got[5] == want[5]
    for kind, g_list, w_list in (("output", got[0], want[0]), ("param grad", got[1], want[1]),
                                 ("input grad", got[2], want[2])):
        assert len(g_list) == len(w_list)
        for i, (g, w) in enumerate(zip(g_list, w_list, strict=True)):
            assert g.shape == w.shape, f"{kind} {i}"
            np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12, err_msg=f"{kind} {i}")


def test_float32_initial_parameters_and_training_step_match_torch():
    """A float32 LSTM layer is one MkldnnRnnLayerBackward0 node, as torch's oneDNN kernel."""
    seen, names = [], []
    for T in (gradviz, torch):
        T.manual_seed(5)
        lstm = T.nn.LSTM(2, 3, num_layers=2, batch_first=True)
        opt = T.optim.SGD(lstm.parameters(), lr=0.5)
        x = T.randn(4, 6, 2)
        out, (h, c) = lstm(x)
        loss = out.pow(2).mean() + h.sum()
        loss.backward()
        opt.step()
        names.append((out.grad_fn.name(), out.grad_fn.next_functions[0][0].name(),
                      h.grad_fn.name(), c.grad_fn.name()))
        seen.append([loss.item()] + [p.detach().numpy().copy() for p in lstm.parameters()])
    assert names[0] == names[1] == [("TransposeBackward0", "MkldnnRnnLayerBackward0",
                                     "StackBackward0", "StackBackward0")][0]
    for g, w in zip(seen[0], seen[1], strict=True):
        np.testing.assert_allclose(g, w, rtol=2e-5, atol=1e-6)


def test_cell_grad_fns_match_torch():
    names = []
    for T in (gradviz, torch):
        T.manual_seed(0)
        h, c = T.nn.LSTMCell(2, 3)(T.randn(1, 2))
        names.append((h.grad_fn.name(), c.grad_fn.name(),
                      T.nn.GRUCell(2, 3)(T.randn(1, 2)).grad_fn.name(),
                      T.nn.RNNCell(2, 3)(T.randn(1, 2)).grad_fn.name()))
    assert names[0] == names[1]


def test_errors_match_torch():
    for T in (gradviz, torch):
        with pytest.raises(ValueError, match="Unknown nonlinearity 'sigmoid'"):
            T.nn.RNN(2, 3, nonlinearity="sigmoid")
        with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size"):
            T.nn.GRU(2, 3)(T.randn(4, 1, 5))
