"""Numeric gradient checks over every row of the op table (no torch needed).

Parametrized over ``ROWS`` itself: a row added to the table without a case in
``op_cases`` fails ``test_every_row_has_a_case``. Each case's backward is compared
with central finite differences in float64, and its second derivatives (the
formulas run on Tensors under ``create_graph=True``) with finite differences of
its first derivatives.
"""

from __future__ import annotations

import numpy as np
import pytest
from op_cases import CASES, LOSSES

import gradviz
from gradviz.autograd import gradcheck
from gradviz.core.autograd.formulas import unpack
from gradviz.core.autograd.gradcheck import GradcheckError
from gradviz.core.optable.table import ROWS

BY_ROW = {name: [c for c in CASES if c.row == name] for name in ROWS}
# rows torch cannot differentiate (grad_fn NotImplemented): backward must fail, as torch's does
NOT_IMPLEMENTED = [c for c in CASES if ROWS[c.row].not_implemented]
DIFFERENTIABLE = [c for c in CASES if not ROWS[c.row].not_implemented]
SECOND_ORDER = [c for c in DIFFERENTIABLE if c.double]


@pytest.mark.parametrize("name", list(ROWS))
def test_every_row_has_a_case(name):
    assert BY_ROW[name], f"row {name!r} ({ROWS[name].grad_fn}) has no case in op_cases.py"


def test_every_case_names_a_row_and_ids_are_unique():
    assert sorted({c.row for c in CASES} - set(ROWS)) == []
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


def test_every_loss_has_a_case_per_reduction():
    functional = gradviz.nn.functional
    losses = {name for name in dir(functional) if name.endswith(("_loss", "entropy", "_logits"))}
    tagged = {c.tags for c in CASES}
    assert losses == set(LOSSES)
    assert all((loss, red) in tagged for loss in losses for red in ("none", "mean", "sum"))


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_output_carries_the_rows_grad_fn(case):
    out, inputs = case.run(gradviz)
    want = ROWS[case.row].grad_fn
    assert type(out.grad_fn).__name__ == want
    torch_namespaced = ("CopySlices", "CopyBackwards", "NotImplemented")
    prefix = "torch::autograd::" if want in torch_namespaced else ""
    assert out.grad_fn.name() == prefix + want
    assert out.requires_grad and not out.is_leaf
    assert all(t.dtype == gradviz.float64 for t in inputs if t.is_floating_point())


@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=repr)
def test_gradcheck(case):
    inputs = case.inputs(gradviz)
    assert any(t.requires_grad for t in inputs)
    assert gradcheck(lambda *xs: case.program(gradviz, *xs), inputs,
                     eps=case.eps, atol=case.atol)


EXACT = [c for c in CASES if ROWS[c.row].exact]


def test_the_hot_ops_are_marked_exact():
    assert {"mm", "sum", "t", "view", "exp", "relu"} <= {name for name, op in ROWS.items()
                                                        if op.exact}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", EXACT, ids=repr)
def test_exact_rows_give_each_input_its_shape_and_dtype(case, dtype, monkeypatch):
    """A row marked exact skips the engine's fitting of gradients to their inputs: check,
    with the fitting data recorded, that every formula already gives that shape and dtype."""
    op = ROWS[case.row]
    monkeypatch.setattr(op, "exact", False)  # record the shapes and dtypes to compare with
    arrays = [a.astype(dtype) if a.dtype.kind == "f" else a for a in case.arrays()]
    out = case.program(gradviz, *case.inputs(gradviz, arrays))
    node = out.grad_fn
    assert type(node).op is op
    grad = np.random.default_rng(0).standard_normal(out.shape).astype(out._data.dtype)
    values = unpack(node, False)
    checked = 0
    for nxt, formula, meta in zip(node._next, op.compiled, node._meta, strict=True):
        if nxt is None:
            continue
        g = formula(grad, *values)
        assert (g.shape, g.dtype) == meta, (case, g.shape, g.dtype, meta)
        checked += 1
    assert checked


@pytest.mark.parametrize("case", NOT_IMPLEMENTED, ids=repr)
def test_backward_through_not_implemented_fails(case):
    out, inputs = case.run(gradviz)
    aten = {"rremainder": "remainder"}.get(case.row, case.row)
    message = f"derivative for aten::{aten} is not implemented"
    with pytest.raises(RuntimeError, match=f"^{message}$"):
        out.sum().backward()
    with pytest.raises(RuntimeError, match=f"^{message}$"):
        gradviz.autograd.grad(out.sum(), [t for t in inputs if t.requires_grad])
    assert all(t.grad is None for t in inputs)


def _first_order_dot(case, xs, v, ws):
    """sum_i <d<out, v>/dx_i, w_i>: a scalar whose gradient holds the second derivatives."""
    out = case.program(gradviz, *xs)
    diff = [x for x in xs if x.requires_grad]
    grads = gradviz.autograd.grad(out, diff, v, create_graph=True, allow_unused=True)
    total = gradviz.zeros((), dtype=gradviz.float64)
    for g, w in zip(grads, ws, strict=True):
        if g is not None:
            total = total + (g * w).sum()
    return total


@pytest.mark.parametrize("case", SECOND_ORDER, ids=repr)
def test_second_order(case):
    """Double backward against central differences of the first derivative, with respect to
    every input and to the incoming gradient ``v``."""
    rng = np.random.default_rng(7)
    xs = case.inputs(gradviz)
    out_shape = case.program(gradviz, *xs).shape
    v = gradviz.from_numpy(rng.standard_normal(tuple(out_shape))).requires_grad_()
    ws = [gradviz.from_numpy(rng.standard_normal(tuple(x.shape))) for x in xs if x.requires_grad]
    total = _first_order_dot(case, xs, v, ws)
    wrt = [x for x in xs if x.requires_grad] + [v]
    if total.requires_grad:
        analytic = gradviz.autograd.grad(total, wrt, allow_unused=True)
    else:
        analytic = [None] * len(wrt)
    eps = 1e-6
    for t, g in zip(wrt, analytic, strict=True):
        flat = t._data.reshape(-1)
        numeric = np.empty(flat.size)
        for k in range(flat.size):
            orig = flat[k]
            flat[k] = orig + eps
            plus = _first_order_dot(case, xs, v, ws).item()
            flat[k] = orig - eps
            minus = _first_order_dot(case, xs, v, ws).item()
            flat[k] = orig
            numeric[k] = (plus - minus) / (2 * eps)
        got = np.zeros(flat.size) if g is None else g._data.reshape(-1)
        assert got.shape == numeric.shape
        np.testing.assert_allclose(got, numeric, rtol=1e-3, atol=1e-5)


def test_gradcheck_catches_a_wrong_gradient():
    """The checker itself can fail: a hook doubling a gradient is caught."""

    def doubled(x):
        y = x * 1
        if y.requires_grad:
            y.register_hook(lambda g: g * 2)
        return y.sin()

    x = gradviz.tensor([0.3, -0.7], dtype=gradviz.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradcheck(doubled, (x,))


def test_readable_formulas_name_real_inputs_and_read_as_math():
    """``readable`` gives learners the math where a formula calls a helper: it may only name
    the row's inputs, and it replaces the helper call in ``formula_text``."""
    from gradviz.core.optable.table import ROWS

    with_readable = [op for op in ROWS.values() if op.readable]
    assert len(with_readable) >= 20
    for op in with_readable:
        assert set(op.readable) <= set(op.inputs), op.name
        text = op.formula_text()
        for name, math in op.readable.items():
            assert f"{name}: {math}" in text
            assert "; " not in math  # formula_text separates inputs with "; "
    assert ROWS["mm"].formula_text() == "self: grad @ mat2ᵀ; mat2: selfᵀ @ grad"


def test_formulas_see_only_the_names_of_their_namespace():
    """Each formula is compiled against ``ARRAY_NAMES`` (plain backward) and ``TENSOR_NAMES``
    (create_graph): the same names, each list an ``__all__``, every one a function (no
    ``np``, no module), with every name a formula uses; the mode-specific ones differ."""
    import ast

    from gradviz.core.optable import tensor_formulas
    from gradviz.core.optable.table import ARRAY_NAMES, TENSOR_NAMES

    assert set(ARRAY_NAMES) == set(TENSOR_NAMES) == set(tensor_formulas.__all__)
    for names in (ARRAY_NAMES, TENSOR_NAMES):
        assert names and all(callable(f) and not isinstance(f, type) for f in names.values())
        assert not {"np", "annotations", "Tensor", "__builtins__"} & set(names)
    assert ARRAY_NAMES["exp"] is not TENSOR_NAMES["exp"]
    assert TENSOR_NAMES["exp"].__module__ == tensor_formulas.__name__
    # a helper written only in terms of other names is rebound: it calls the Tensor versions
    assert TENSOR_NAMES["sum_backward"].__globals__ is vars(tensor_formulas)
    missing = set()
    for op in ROWS.values():
        known = {"grad", "result", "i", *op.inputs, *op.attrs}
        for text in filter(None, op.formulas.values()):
            for node in ast.walk(ast.parse(text, mode="eval")):
                if isinstance(node, ast.Name) and node.id not in known | set(ARRAY_NAMES):
                    missing.add((op.name, node.id))
    assert missing == set()


def test_plain_backward_formulas_run_on_arrays_only():
    """The array namespace is NumPy alone: it imports no Tensor, nothing of autograd."""
    import ast
    import inspect

    from gradviz.core.optable import derivatives, helpers, nn_helpers

    for module in (helpers, derivatives, nn_helpers):
        tree = ast.parse(inspect.getsource(module))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert imported <= {"__future__", "gradviz.core.optable.helpers",
                            "gradviz.core.autograd.formulas"}, (module, imported)
        assert "_tensor_mode" not in vars(module) and "Tensor" not in vars(module)
