"""Run one program on a reference library and a candidate side by side and find the first
difference; shrink a differing program to a minimal one.

After every statement both runs are compared on: the exception raised (builtin type and
message; either raising ends the program), printed output, warnings (category and
message), and every variable: tensors by dtype, shape, ``requires_grad``, ``is_leaf``,
``grad_fn`` graph (names along ``next_functions``, shared nodes kept shared), values
(tolerance per dtype, nan equal to nan), ``.grad`` (same checks, for leaves and
``retain_grad`` tensors) and ``str()``; modules by their parameters; numbers, sizes,
dtypes, tuples and lists by content. Text from each library has the library's own module
name spelt ``torch`` as the programs spell it, so ``x.float32`` reads alike.

    >>> import torch, gradviz
    >>> program = generate(7, torch)
    >>> run_program(program, torch, gradviz)     # None when they agree  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import io
import re
import types
import warnings
from dataclasses import dataclass

import numpy as np

from .program import SEED, Program, namespace

# (rtol, atol) per dtype; float64 is loose because float64 results often come from float32
# inputs (promotion) and float32 results may differ from torch in the last bit
TOLERANCE = {"float16": (2e-3, 1e-3), "bfloat16": (2e-2, 1e-2), "float32": (1e-4, 1e-5),
             "float64": (1e-6, 1e-9)}


@dataclass(frozen=True)
class Mismatch:
    """The first difference: statement ``index`` (its ``op``), what differs (``kind``, e.g.
    ``grad_fn`` or ``exception``), where (``path``, e.g. ``v3.grad``), and both sides."""

    index: int
    op: str
    kind: str
    path: str
    reference: str
    candidate: str

    @property
    def signature(self) -> tuple[str, str]:
        return (self.op, self.kind)


@dataclass(frozen=True)
class Step:
    error: tuple[str, str] | None
    stdout: str
    warnings: tuple[tuple[str, str], ...]


def _builtin_base(cls) -> str:
    return next(c for c in cls.__mro__ if c.__module__ == "builtins").__name__


def normalise(text: str, lib) -> str:
    text = re.sub(rf"\b{re.escape(lib.__name__)}\.", "torch.", text)
    text = re.sub(r"\s*\(Triggered internally at [^)]*\)\s*$", "", text)
    return re.sub(r"0x[0-9a-f]+", "0x?", text)


def run_statement(ns: dict, text: str, lib) -> Step:
    out = io.StringIO()
    error = None
    with contextlib.redirect_stdout(out), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(compile(text, "<fuzz>", "exec"), ns)
        except Exception as e:  # compared, not raised: the program ends here
            error = (_builtin_base(type(e)), normalise(str(e), lib))
    found = tuple((_builtin_base(w.category), normalise(str(w.message), lib)) for w in caught)
    return Step(error, normalise(out.getvalue(), lib), found)


NUMBER = re.compile(r"(?<![\w.])-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?(?!\w)")


def _last_place(token: str) -> float:
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent or 0) - decimals)


def same_text(a: str, b: str, rtol: float = 1e-6) -> bool:
    """Printed text agrees: equal, or equal but for numbers that differ by one unit in the
    last printed digit or by a relative ``rtol`` (a few float32 ulps: float32 sums and BLAS
    products may round the last bit differently from torch's kernels; ``-0.`` and ``0.``
    are equal).
    Only then may the whitespace that aligns the columns differ."""
    if a == b:
        return True
    na, nb = NUMBER.findall(a), NUMBER.findall(b)
    if len(na) != len(nb) or na == nb:
        return False
    if "".join(NUMBER.sub("#", a).split()) != "".join(NUMBER.sub("#", b).split()):
        return False
    return all(abs(float(x) - float(y)) <= max(rtol * abs(float(y)),
                                               1.01 * _last_place(x), 1.01 * _last_place(y))
               for x, y in zip(na, nb))


# --- snapshots -------------------------------------------------------------------------
def graph(fn) -> tuple:
    """``grad_fn`` as a canonical tuple: nodes in depth-first order, each its name and its
    ``next_functions`` as (node position, input number) or None; shared nodes appear once."""
    order: dict[int, int] = {}
    nodes: list = []

    def visit(f):
        if id(f) in order:
            return order[id(f)]
        order[id(f)] = len(nodes)
        nodes.append(None)
        at = order[id(f)]
        edges = tuple(None if g is None else (visit(g), n) for g, n in f.next_functions)
        nodes[at] = (f.name(), edges)
        return at

    if fn is not None and len(order) < 500:
        visit(fn)
    return tuple(nodes)


def _array(t):
    t = t.detach()
    for convert in (lambda: t.numpy(), lambda: t.numpy(force=True),  # torch's ZeroTensor
                    lambda: np.asarray(t.tolist(), dtype=float)):  # dtypes NumPy lacks
        try:
            return np.asarray(convert())
        except Exception:
            continue
    raise TypeError("tensor values cannot be read")


def _text(f) -> str:
    try:
        return f()
    except Exception as e:  # printing itself failing is a difference worth reporting
        return f"<{_builtin_base(type(e))}: {e}>"


def snapshot(v, lib, depth: int = 0):
    """A plain, comparable picture of a program value (see the module docstring); a
    library failing while it is looked at gives the error as the picture."""
    try:
        return _snapshot(v, lib, depth)
    except Exception as e:
        return {"type": "inspection raised", "value": f"{_builtin_base(type(e))}: {e}"}


def _snapshot(v, lib, depth: int):
    if isinstance(v, lib.Tensor):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            grad = v.grad if (v.is_leaf or v.retains_grad) else "n/a"
        return {"type": "Tensor", "dtype": normalise(str(v.dtype), lib),
                "shape": tuple(v.shape), "requires_grad": v.requires_grad,
                "is_leaf": v.is_leaf, "grad_fn": graph(v.grad_fn), "value": _array(v),
                "grad": grad if grad in (None, "n/a") or depth else snapshot(grad, lib, 1),
                "str": normalise(_text(lambda: str(v)), lib)}
    if v is None or isinstance(v, (bool, int, float, str)):
        return {"type": type(v).__name__, "value": v}
    if isinstance(v, (lib.dtype, lib.Size)):
        return {"type": type(v).__name__, "value": normalise(str(v), lib)}
    if isinstance(v, (tuple, list)):
        return {"type": "sequence", "len": len(v),
                "items": [snapshot(e, lib, depth) for e in v]}
    if isinstance(v, lib.nn.Module):
        return {"type": "Module", "str": normalise(str(v), lib),
                "parameters": [(n, snapshot(p, lib)) for n, p in v.named_parameters()]}
    return {"type": "other"}


def _close(a, b, dtype: str) -> bool:
    if a.shape != b.shape:
        return False
    key = dtype.rsplit(".", 1)[-1]
    if key in TOLERANCE:
        rtol, atol = TOLERANCE[key]
        return bool(np.allclose(a.astype(float), b.astype(float), rtol, atol, equal_nan=True))
    return bool(np.array_equal(a, b))


def diff(r, c, path: str):
    """The first (kind, path, reference text, candidate text) where two snapshots differ."""
    if not (isinstance(r, dict) and isinstance(c, dict)):
        if isinstance(r, float) and isinstance(c, float) and type(r) is type(c):
            ok = np.isclose(r, c, 1e-5, 1e-8, equal_nan=True)
            return None if ok else ("value", path, repr(r), repr(c))
        return None if (type(r) is type(c) and r == c) else ("value", path, repr(r), repr(c))
    if r["type"] != c["type"]:
        return ("type", path, r["type"], c["type"])
    for key in r:
        a, b = r[key], c[key]
        sub = f"{path}.{key}" if key == "grad" else path
        if key == "value" and isinstance(a, np.ndarray):
            if not _close(a, b, r["dtype"]):
                return ("value", path, repr(a.tolist()), repr(b.tolist()))
        elif key == "items":
            if r["len"] != c["len"]:
                return ("len", path, str(r["len"]), str(c["len"]))
            for n, (x, y) in enumerate(zip(a, b)):
                found = diff(x, y, f"{path}[{n}]")
                if found:
                    return found
        elif key == "parameters":
            for (name, x), (_, y) in zip(a, b):
                found = diff(x, y, f"{path}.{name}")
                if found:
                    return found
        elif isinstance(a, dict) and isinstance(b, dict):
            found = diff(a, b, sub)
            if found:
                kind = "grad " + found[0] if key == "grad" and not found[0].startswith("grad") \
                    else found[0]
                return (kind,) + found[1:]
        elif key == "str" and isinstance(a, str) and isinstance(b, str):
            if not same_text(a, b):
                return ("grad str" if path.endswith(".grad") else "str", path, a, b)
        elif a != b or type(a) is not type(b):
            kind = ("grad " if key == "grad" else "") + key
            return (kind, sub if key == "grad" else path, str(a), str(b))
    return None


def _variables(ns: dict) -> dict:
    return {k: v for k, v in ns.items()
            if k not in ("torch", "nn", "F") and not k.startswith("_")
            and not isinstance(v, (types.FunctionType, types.ModuleType))}


def _fresh(lib) -> dict:
    lib.set_grad_enabled(True)
    lib.manual_seed(SEED)  # nn layers draw their initial weights: the same on both sides
    if hasattr(lib, "set_warn_always"):  # torch warns some things once per process
        lib.set_warn_always(True)
    return namespace(lib)


def run_program(program: Program, reference, candidate) -> Mismatch | None:
    """The first difference between the two libraries running ``program``, or None."""
    ns_r, ns_c = _fresh(reference), _fresh(candidate)
    try:
        for index, statement in enumerate(program.statements):
            r = run_statement(ns_r, statement.text, reference)
            c = run_statement(ns_c, statement.text, candidate)

            def found(kind, path, a, b, _i=index, _op=statement.op):
                return Mismatch(_i, _op, kind, path, a, b)

            if r.error != c.error:
                kind = ("exception" if r.error and c.error else
                        "raises only in reference" if r.error else "raises only in candidate")
                return found(kind, "", str(r.error), str(c.error))
            if not same_text(r.stdout, c.stdout):
                return found("stdout", "", r.stdout, c.stdout)
            if r.warnings != c.warnings:
                return found("warning", "", str(r.warnings), str(c.warnings))
            vr, vc = _variables(ns_r), _variables(ns_c)
            if vr.keys() != vc.keys():
                return found("variables", "", str(sorted(vr)), str(sorted(vc)))
            for name in vr:
                d = diff(snapshot(vr[name], reference), snapshot(vc[name], candidate), name)
                if d:
                    return found(*d)
            if r.error:
                return None
        return None
    finally:
        for lib in (reference, candidate):
            lib.set_grad_enabled(True)
        if hasattr(reference, "set_warn_always"):
            reference.set_warn_always(False)


def minimise(program: Program, reference, candidate, target: Mismatch) -> Program:
    """Delta debugging over the statement list: drop chunks of statements (halves, then
    quarters, ... then single ones) while the same mismatch (``signature``) remains."""
    statements = list(program.statements)

    def same(candidate_statements) -> bool:
        got = run_program(Program(program.seed, candidate_statements), reference, candidate)
        return got is not None and got.signature == target.signature

    chunk = max(1, len(statements) // 2)
    while chunk >= 1:
        start, removed = 0, False
        while start < len(statements):
            trial = statements[:start] + statements[start + chunk:]
            if trial and same(trial):
                statements, removed = trial, True
            else:
                start += chunk
        if not removed:
            chunk //= 2
    return Program(program.seed, statements)
