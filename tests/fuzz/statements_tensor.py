"""Statement families on tensor values: arithmetic with numbers on either side and mixed
dtypes, math functions and casts, reductions, indexing, views, matmul and factories.

Each family takes the ``Builder`` (``program.py``), emits one or more statements through
it and returns ``False`` when nothing in the pool suits it. Families read the live
reference values (shapes, dtypes) to draw mostly valid statements; a few invalid ones are
drawn on purpose (out-of-range dims, mismatched shapes) so errors are compared too.
"""

from __future__ import annotations

import numpy as np

BINARY_OPS = ("+", "-", "*", "/", "**", "//", "%", "<", ">=", "==", "&", "|")
BINARY_FUNCS = ("add", "sub", "mul", "div", "rsub", "pow", "maximum", "minimum", "where")
UNARY = ("exp", "log", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "neg", "sqrt",
         "rsqrt", "reciprocal", "floor", "ceil", "round", "sign", "sgn", "log1p", "expm1",
         "square")
ACTIVATIONS = ("F.relu({})", "F.softplus({})", "F.leaky_relu({}, 0.1)", "F.elu({})",
               "F.hardtanh({})", "F.silu({})", "F.tanh({})", "F.sigmoid({})",
               "{}.clamp(min=0)", "{}.clamp(-0.5, 0.5)", "torch.clamp({}, max=1)")
CASTS = (".float()", ".double()", ".long()", ".int()", ".bool()", ".to(torch.float64)",
         ".half()", ".to(torch.float16)")


def kind(t) -> str:
    """``f`` float, ``i`` integer, ``b`` bool: the operand classes promotion cares about."""
    if t.dtype.is_floating_point:
        return "f"
    return "b" if str(t.dtype).endswith("bool") else "i"


def broadcastable(x, y) -> bool:
    try:
        np.broadcast_shapes(tuple(x.shape), tuple(y.shape))
    except ValueError:
        return False
    return True


def assign(b, expr: str, op: str) -> None:
    b.emit(f"{b.new_name()} = {expr}", op)


def binary(b):
    x = b.tensor()
    if x is None:
        return False
    tx = b.ns[x]
    op = b.pick(BINARY_OPS + BINARY_FUNCS)
    if b.chance(0.35):
        y, ky = b.number(), "n"
    else:
        y = b.tensor(lambda t: broadcastable(t, tx)) if b.chance(0.93) else b.tensor()
        ky = "T"
    left_number = ky == "n" and op in BINARY_OPS and b.chance(0.4)
    if op in BINARY_OPS:
        lhs, rhs = (y, x) if left_number else (x, y)
        sig = f"{'n' if left_number else 'T'}{op}{'T' if left_number else ky}"
        return assign(b, f"{lhs} {op} {rhs}", sig)
    if op == "where":
        cond = b.tensor(lambda t: kind(t) == "b" and broadcastable(t, tx)) or f"{x} > 0"
        return assign(b, f"torch.where({cond}, {x}, {y})", f"torch.where(T, {ky})")
    if op in ("maximum", "minimum") and ky == "n":
        y = f"torch.tensor({y})"
    extra = ""
    if op in ("add", "sub") and b.chance(0.3):
        extra = f", alpha={b.pick([2, -1, 0.5])}"
    if op == "div" and b.chance(0.2):
        extra = f", rounding_mode={b.pick(['floor', 'trunc'])!r}"
    if ky == "n" and op in ("add", "mul") and b.chance(0.2):
        return assign(b, f"torch.{op}({y}, {x}{extra})", f"torch.{op}(n, T)")
    if b.chance(0.5) and op != "rsub":
        return assign(b, f"{x}.{op}({y}{extra})", f".{op}({ky})")
    return assign(b, f"torch.{op}({x}, {y}{extra})", f"torch.{op}(T, {ky})")


def unary(b):
    x = b.tensor()
    if x is None:
        return False
    r = b.rng.random()
    if r < 0.25:
        form = b.pick(ACTIVATIONS)
        return assign(b, form.format(x), form.format("T"))
    if r < 0.4:
        cast = b.pick(CASTS)
        return assign(b, f"{x}{cast}", cast)
    fn = b.pick(UNARY)
    if b.chance(0.4):
        return assign(b, f"torch.{fn}({x})", f"torch.{fn}")
    return assign(b, f"{x}.{fn}()", f".{fn}()")


DIM_FREE = ("sum", "mean", "max", "min", "var", "std", "norm", "argmax", "amax")
WITH_DIM = ("sum", "mean", "max", "min", "amax", "amin", "var", "std", "logsumexp",
            "cumsum", "softmax", "log_softmax", "argmax", "argmin")


def reduction(b):
    x = b.tensor()
    if x is None:
        return False
    t = b.ns[x]
    nd = t.dim()
    if not b.chance(0.6):
        fn = b.pick(DIM_FREE)
        if fn == "sum" and b.chance(0.15):
            return assign(b, f"{x}.sum(dtype=torch.float64)", ".sum(dtype)")
        form = f"torch.{fn}({x})" if b.chance(0.3) else f"{x}.{fn}()"
        return assign(b, form, f".{fn}()")
    fn = b.pick(WITH_DIM)
    dims = list(range(-max(nd, 1), max(nd, 1)))
    dim = b.pick(dims) if b.chance(0.95) else max(nd, 1) + 1
    reduces = fn not in ("cumsum", "softmax", "log_softmax")
    keep = ", keepdim=True" if reduces and b.chance(0.3) else ""
    if fn in ("var", "std") and b.chance(0.4):
        keep += f", correction={b.pick([0, 1, 2])}"
    expr = f"{x}.{fn}({dim}{keep})"
    if fn in ("softmax", "log_softmax") and b.chance(0.4):
        if b.chance(0.2):
            expr = f"F.{fn}({x})"
        else:
            expr = f"F.{fn}({x}, dim={dim})"
    if fn in ("max", "min"):
        expr += b.pick(["", ".values", ".indices", "[0]"])
    if fn == "sum" and nd >= 2 and b.chance(0.2):
        expr = f"{x}.sum(dim=(0, -1){keep})"
    return assign(b, expr, f".{fn}(dim)")


def index(b):
    x = b.tensor(lambda t: t.dim() >= 1)
    if x is None:
        x = b.tensor()
        if x is None:
            return False
        return assign(b, f"{x}[{b.pick(['None', '...', '()'])}]", "T[none]")
    t = b.ns[x]
    n0 = max(t.shape[0], 1)  # an empty first dim gets an out-of-range index, compared too
    forms = [(f"{b.rng.randint(-n0, n0 - 1) if b.chance(0.95) else n0}", "T[int]"),
             ("1:", "T[slice]"), ("::2", "T[slice]"), ("..., -1", "T[..., int]"),
             ("None", "T[None]"), (f"{x} > 0", "T[mask]"),
             (f"[{b.rng.randint(0, n0 - 1)}, 0]", "T[list]"),
             (f"torch.tensor([{n0 - 1}, 0])", "T[long]")]
    if t.dim() >= 2:
        forms += [(":, 0", "T[:, int]"), ("0, 1:", "T[int, slice]"), ("-1, None", "T[int, None]")]
    masks = b.tensors(lambda m: kind(m) == "b" and tuple(m.shape) == tuple(t.shape))
    if masks:
        forms.append((b.pick(masks), "T[mask]"))
    idx, sig = b.pick(forms)
    return assign(b, f"{x}[{idx}]", sig)


def view(b):
    x = b.tensor()
    if x is None:
        return False
    t = b.ns[x]
    nd = t.dim()
    forms = [".view(-1)", ".reshape(-1, 1)", ".unsqueeze(0)", ".unsqueeze(-1)", ".squeeze()",
             ".flatten()", ".contiguous()", ".detach()", ".clone()", ".view_as({x})"]
    if nd <= 2:
        forms.append(".t()")
    if nd >= 1:
        forms += [".squeeze(0)", ".flip(0)", f".expand(2, {', '.join(map(str, t.shape))})",
                  ".narrow(0, 0, 1)", ".T"]
    forms += [".transpose(0, -1)", ".swapaxes(0, -1)", ".mT"]
    if nd >= 2:
        forms += [".permute(1, 0)" if nd == 2 else ".permute(*reversed(range({x}.dim())))"]
    form = b.pick(forms)
    if b.chance(0.12):
        others = b.tensors(lambda o: tuple(o.shape) == tuple(t.shape))
        fn = b.pick(["stack", "cat"])
        return assign(b, f"torch.{fn}([{x}, {b.pick(others)}])", f"torch.{fn}")
    return assign(b, f"{x}{form.format(x=x)}", form.split("(")[0])


def matmul(b):
    pairs = []
    for x in b.tensors(lambda t: t.dim() >= 1 and kind(t) == "f"):
        for y in b.tensors(lambda t: t.dim() >= 1 and kind(t) == "f"):
            tx, ty = b.ns[x], b.ns[y]
            if tx.shape[-1] == ty.shape[0 if ty.dim() == 1 else -2]:
                pairs.append((x, y))
    if not pairs:
        return False
    x, y = b.pick(pairs)
    form = b.pick(["{} @ {}", "torch.matmul({}, {})", "{}.matmul({})"])
    dims = (b.ns[x].dim(), b.ns[y].dim())
    if dims == (2, 2) and b.chance(0.3):
        form = "torch.mm({}, {})"
    if dims == (1, 1) and b.chance(0.3):
        form = "torch.dot({}, {})"
    if dims == (1, 1) and b.chance(0.2):
        form = "torch.outer({}, {})"
    return assign(b, form.format(x, y), form.format("T", "T"))


def factory(b):
    forms = ["torch.zeros(2, 3)", "torch.ones(3, dtype=torch.float64)", "torch.arange(4)",
             "torch.arange(0.0, 1.0, 0.25)", "torch.linspace(-1, 1, 5)", "torch.eye(2)",
             "torch.full((2,), 1.5)", "torch.tensor({lit}, requires_grad=True)",
             "torch.tensor({ilit})", "torch.tensor(2.5)", "torch.tensor([True, False, True])"]
    x = b.tensor()
    if x is not None:
        forms += [f"torch.zeros_like({x})", f"torch.ones_like({x}, dtype=torch.float64)",
                  f"torch.full_like({x}, 2)", f"torch.tensor({x}.tolist())"]
    shape = b.pick([(3,), (2, 3), (), (2, 2)])
    form = b.pick(forms).format(lit=b.literal(shape), ilit=b.literal(shape, "int"))
    return assign(b, form, form.split("(")[0])
