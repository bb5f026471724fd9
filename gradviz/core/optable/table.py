"""The op table: one row per autograd op.

A row names the op, torch's grad_fn class, its tensor inputs and non-tensor
arguments, its NumPy forward and one backward formula per input, written the
way torch's ``derivatives.yaml`` writes them::

    row("mul", "MulBackward0", ("self", "other"), np.multiply,
        self="grad * other", other="grad * self")

A formula may use ``grad`` (the incoming gradient), ``result`` (the op's
output), the inputs and the arguments by name, and the names listed in ``__all__`` by
``helpers``, ``derivatives`` and ``nn_helpers``, nothing else (not ``np``). Each formula is
compiled twice: against those names on NumPy arrays (``ARRAY_NAMES``: a plain backward,
``Op.compiled``) and against the same names on Tensors (``TENSOR_NAMES``, from
``tensor_formulas``: ``create_graph=True``, where the formula is itself recorded,
``Op.tensor_compiled``).
Broadcasting is undone by the engine, never inside a formula. An input whose
formula is ``None`` has no derivative and fails with a message naming it; a
formula that returns ``None`` gives its input no gradient (torch's undefined
gradient). A row whose grad_fn is ``NotImplemented`` is an op torch cannot
differentiate: its node links only the inputs that require grad, and its
formulas (``not_implemented('floor_divide')``) fail as torch's backward does.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from gradviz.core.autograd.function import ROWS, register_row
from gradviz.core.optable import (
    conv_helpers,
    derivatives,
    helpers,
    matrix_helpers,
    nn_helpers,
    nn_layer_helpers,
    tensor_formulas,
    tensor_op_helpers,
    upsample_helpers,
)

__all__ = ["ROWS", "Op", "mark_exact", "row"]
# what a formula may call: exactly the names the formula modules list in __all__
ARRAY_NAMES = {name: getattr(module, name) for module in (helpers, derivatives, nn_helpers,
                                                                 conv_helpers, nn_layer_helpers,
                                                                 tensor_op_helpers,
                                                                 matrix_helpers,
                                                                 upsample_helpers)
               for name in module.__all__}
TENSOR_NAMES = {name: getattr(tensor_formulas, name) for name in tensor_formulas.__all__}
NAMES = ARRAY_NAMES  # (the plain backward's, which inspectors show)
# eval adds __builtins__ to the dict it is given: copies, so that the namespaces stay exact
_ARRAY_GLOBALS, _TENSOR_GLOBALS = dict(ARRAY_NAMES), dict(TENSOR_NAMES)


@dataclass(eq=False)
class Op:
    name: str  # the op as the user calls it: "mul", "matmul" parts, ...
    grad_fn: str  # torch's grad_fn class name: "MulBackward0"
    inputs: tuple  # tensor inputs, by formula name
    forward: object  # NumPy function: forward(*input_arrays, *attrs) -> ndarray
    formulas: dict  # input name -> formula text (None: not differentiable)
    attrs: tuple = ()  # non-tensor arguments, by formula name
    variadic: bool = False  # one input name standing for any number of tensors (cat, stack)
    readable: dict = field(default_factory=dict)  # input -> the formula as math, for people
    frees: tuple = ()  # arguments torch saves as tensors (max(dim)'s indices): freed by backward
    saved: tuple = field(init=False)  # names the formulas use: saved on the node
    save_plan: tuple = field(init=False)
    save_kinds: tuple = field(init=False)  # per saved name: 0 result, 1 input, 2 argument
    saved_tensors: tuple = field(init=False)
    release_mask: tuple = field(init=False)  # per saved name: whether backward frees it
    save_users: tuple = field(init=False)
    save_steps: tuple = field(init=False)
    saves_attrs_only: bool = field(init=False)  # saved == attrs: the node keeps attrs as is
    compiled: tuple = field(init=False)  # one callable (or None) per input, on arrays
    tensor_compiled: tuple = field(init=False)  # the same on Tensors (create_graph)
    node_class: type = field(init=False)
    not_implemented: bool = field(init=False)  # torch's NotImplemented node: no derivative
    exact: bool = field(init=False, default=False)  # see mark_exact

    def __post_init__(self):
        self.not_implemented = self.grad_fn == "NotImplemented"
        known = {"grad", "result", *self.inputs, *self.attrs}
        if self.variadic:
            known -= set(self.inputs)
        used: list[str] = []
        for text in self.formulas.values():
            if text is None:
                continue
            for node in ast.walk(ast.parse(text, mode="eval")):
                if isinstance(node, ast.Name) and node.id in known and node.id != "grad":
                    if node.id not in used:
                        used.append(node.id)
        order = ["result", *self.inputs, *self.attrs]
        self.saved = tuple(n for n in order if n in used)
        # which inputs' formulas use each saved name: saved only when one of them needs grad
        users = {n: set() for n in self.saved}
        for i, name in enumerate(self.inputs):
            text = self.formulas.get(name)
            if text is None:
                continue
            for node in ast.walk(ast.parse(text, mode="eval")):
                if isinstance(node, ast.Name) and node.id in users:
                    users[node.id].add(i)
        self.save_users = tuple(
            None if self.variadic else frozenset(users[n]) for n in self.saved
        )
        # how the recorder finds each saved value: (0, 0) result, (1, i) input i, (2, j) attr j
        self.save_plan = tuple(
            (0, 0) if n == "result"
            else (1, self.inputs.index(n)) if n in self.inputs
            else (2, self.attrs.index(n))
            for n in self.saved
        )
        # what the recorder runs per saved name: (kind, index, users or None)
        self.save_kinds = tuple(kind for kind, _ in self.save_plan)
        self.save_steps = tuple(
            (kind, i, None if users is None else tuple(sorted(users)))
            for (kind, i), users in zip(self.save_plan, self.save_users, strict=True)
        )
        self.saves_attrs_only = bool(self.saved) and self.save_plan == tuple(
            (2, j) for j in range(len(self.attrs)))
        # the saved names that hold tensors (the result, inputs): what a backward without
        # retain_graph frees; arguments such as dim or alpha stay
        self.saved_tensors = tuple(n for n, (kind, _) in zip(self.saved, self.save_plan)
                                   if kind != 2 or n in self.frees)
        self.release_mask = tuple(n in self.saved_tensors for n in self.saved)
        lead = ("grad", "i") if self.variadic else ("grad",)
        params = ", ".join((*lead, *self.saved))
        compiled, tensor_compiled = [], []
        for name in self.inputs:
            text = self.formulas.get(name)
            if text is None:
                compiled.append(None)
                tensor_compiled.append(None)
                continue
            source = f"lambda {params}: {text}"
            code = compile(source, f"<{self.grad_fn} {name}>", "eval")
            compiled.append(eval(code, _ARRAY_GLOBALS))  # noqa: S307 - our own table
            tensor_compiled.append(eval(code, _TENSOR_GLOBALS))  # noqa: S307
        self.compiled = tuple(compiled)
        self.tensor_compiled = tuple(tensor_compiled)

    def formula_text(self) -> str:
        """The derivative as one line, e.g. ``self: grad * other; other: grad * self``;
        where a formula calls a helper, the row's ``readable`` math is shown instead."""
        parts = [f"{n}: {self.readable.get(n) or self.formulas.get(n) or 'not differentiable'}"
                 for n in self.inputs]
        return "; ".join(parts)


def row(name, grad_fn, inputs, forward, attrs=(), variadic=False, readable=None, frees=(),
        **formulas) -> Op:
    """Add one op to the table and return it. ``readable`` optionally gives, per input, the
    derivative as a learner would write it (``"grad @ mat2ᵀ"``) where the formula calls a
    helper; it is what inspectors and the backward stepper show."""
    if name in ROWS:
        raise ValueError(f"op {name!r} is already in the table")
    missing = set(inputs) - set(formulas)
    if missing:
        raise ValueError(f"op {name!r} gives no formula for {sorted(missing)}")
    op = Op(name, grad_fn, tuple(inputs), forward, formulas, tuple(attrs), variadic,
            dict(readable or {}), tuple(frees))
    if set(op.readable) - set(inputs):
        raise ValueError(f"op {name!r}: readable names unknown inputs")
    op.node_class = register_row(op)
    return op


def mark_exact(*ops) -> None:
    """Mark rows whose formulas, given a gradient of the output's shape and dtype, give every
    input a gradient of exactly that input's shape and dtype. Their nodes keep no per-input
    shape and dtype and the engine skips fitting their gradients (a test checks each claim)."""
    for op in ops:
        op.exact = True
