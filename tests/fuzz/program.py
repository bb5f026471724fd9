"""Seeded random torch programs, as text, for differential fuzzing.

A program is a list of statements over a small pool of variables: leaves ``a``, ``b``
(float, requiring grad) and some of ``c`` (float64), ``i`` (int64), ``m`` (bool), then
``v1``, ``v2``, ... made by the statements. The text is run with ``torch``, ``nn`` and
``F`` bound to the library under test, so one program runs unchanged on torch and on any
library with torch's API, and a mismatch can be printed, minimised and pasted.

Statements are drawn while the program runs on the reference library (``generate`` takes
it as an argument), so each new statement is chosen knowing the real shapes, dtypes and
``requires_grad`` of the variables; a statement that raises ends the program (the runner
then compares the two exceptions).

    >>> import torch
    >>> program = generate(3, torch)
    >>> print(program.text())            # doctest: +SKIP
    a = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.0, -0.25]], requires_grad=True)
    ...

``KNOWN_MISMATCHES`` lists every construct that disagrees with torch today and the
issue item it waits for. ``generate(..., exclude=KNOWN_KEYS)`` (the default) steers
around them: the suite's fixed seeds use it; ``scripts/fuzz_vs_torch.py --all`` does not,
so the list stays visible and shrinks as fixes land.
"""

from __future__ import annotations

import contextlib
import io
import random
import warnings
from dataclasses import dataclass, field

from . import statements_autograd as autograd_families
from . import statements_tensor as tensor_families


@dataclass(frozen=True)
class Statement:
    """One unit of program text (may be a ``with`` block) and the op it exercises, e.g.
    ``"torch.rsub(T, T)"``: the op names the cause when this statement is the first to
    differ."""

    text: str
    op: str


@dataclass
class Program:
    seed: int
    statements: list[Statement] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join(s.text for s in self.statements)


@dataclass(frozen=True)
class Known:
    """A mismatch with torch that exists today: ``key`` is what the generator checks,
    ``what`` says what is generated differently when the key is excluded, ``waits_for``
    the issue item whose fix removes the entry."""

    key: str
    what: str
    waits_for: str


KNOWN_MISMATCHES: tuple[Known, ...] = (
    # --- NEW: found by this fuzzer, not in issue 12 (issue 12 §1's items all agree now)
    Known("optim_duplicates", "SGD with momentum given the same tensor twice: duplicates "
          "dropped (torch's step updates it once per entry with a shared buffer)",
          "NEW: not in issue 12"),
)
KNOWN_KEYS = frozenset(k.key for k in KNOWN_MISMATCHES)

# values kept to a few digits so programs read well; 0 and the signs exercise nan/inf paths
NICE = (-2.0, -1.5, -1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
SHAPES = ((2, 3), (3,), (), (1, 3), (2, 1), (4,), (2, 2))


SEED = 0  # torch.manual_seed before every program run: nn layers' weights are torch's
PRELUDE = ("import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"
           f"torch.manual_seed({SEED})")  # to paste


def namespace(lib) -> dict:
    """The names a program sees: ``torch``, ``nn`` and ``F`` bound to ``lib``."""
    return {"torch": lib, "nn": lib.nn, "F": lib.nn.functional}


@contextlib.contextmanager
def quiet():
    """Output and warnings of the reference run while drawing are not the point there."""
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


class Builder:
    """The program being drawn, the reference library's live namespace it runs in, and
    the choices families make (operands, numbers, names)."""

    def __init__(self, seed: int, torch, exclude: frozenset[str]):
        unknown = set(exclude) - KNOWN_KEYS
        if unknown:
            raise ValueError(f"not in KNOWN_MISMATCHES: {sorted(unknown)}")
        self.rng = random.Random(seed)
        self.torch = torch
        self.exclude = exclude
        self.ns = namespace(torch)
        torch.manual_seed(SEED)  # as the runs: drawn statements see the values they will
        self.program = Program(seed)
        self.failed = False
        self.nets: dict[str, int] = {}  # module name -> in_features it takes
        self.hooked: set[str] = set()  # tensors given a hook
        self._count = 0

    def avoid(self, key: str) -> bool:
        """Whether the known mismatch ``key`` is to be steered around."""
        assert key in KNOWN_KEYS, key
        return key in self.exclude

    def emit(self, text: str, op: str) -> None:
        self.program.statements.append(Statement(text, op))
        with quiet():
            try:
                exec(compile(text, "<fuzz>", "exec"), self.ns)
            except Exception:
                self.failed = True

    def new_name(self) -> str:
        self._count += 1
        return f"v{self._count}"

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, seq):
        return self.rng.choice(list(seq))

    # --- the pool -------------------------------------------------------------------
    def tensors(self, pred=lambda t: True) -> list[str]:
        def fits(v):
            try:
                return isinstance(v, self.torch.Tensor) and pred(v)
            except Exception:  # a tensor torch itself cannot inspect any more
                return False

        return [n for n, v in self.ns.items()
                if n not in ("torch", "nn", "F") and not n.startswith("_") and fits(v)]

    def tensor(self, pred=lambda t: True) -> str | None:
        names = self.tensors(pred)
        return self.pick(names) if names else None

    def is_float(self, t) -> bool:
        return t.dtype.is_floating_point

    def has_nan(self, t) -> bool:
        return bool(self.torch.isnan(t.detach()).any()) if self.is_float(t) else False

    def has_views(self, t) -> bool:
        return any(v._base is t for v in self.ns.values() if isinstance(v, self.torch.Tensor))

    def has_nonfinite(self, t) -> bool:
        return self.is_float(t) and not bool(self.torch.isfinite(t.detach()).all())

    def masky(self, t) -> bool:
        """Whether ``t``'s graph holds an op whose backward selects by a mask."""
        seen, todo = set(), [t.grad_fn]
        while todo:
            fn = todo.pop()
            if fn is None or id(fn) in seen:
                continue
            if fn.name().startswith(("Minimum", "Maximum", "Clamp", "MaxBackward",
                                     "MinBackward")):
                return True
            seen.add(id(fn))
            todo.extend(f for f, _ in fn.next_functions)
        return False

    def number(self, floats: bool = True) -> str:
        choices = [0, 1, 2, 3, -1, True, False] + ([0.5, -1.5, 2.5, 0.1, 1e-3] if floats else [])
        return repr(self.pick(choices))

    def literal(self, shape: tuple, kind: str = "float") -> str:
        def value():
            if kind == "bool":
                return repr(self.chance(0.5))
            if kind == "int":
                return repr(self.rng.randint(-2, 3))
            if self.chance(0.15):
                return repr(round(self.rng.uniform(-3, 3), 4))
            return repr(self.pick(NICE))

        def nest(dims):
            if not dims:
                return value()
            return "[" + ", ".join(nest(dims[1:]) for _ in range(dims[0])) + "]"

        return nest(list(shape))


def setup(b: Builder) -> None:
    """The leaves every program starts from: float ``a`` and ``b`` requiring grad, and
    some of float64 ``c``, int64 ``i`` and bool ``m``, in broadcast-friendly shapes."""
    shape_a = b.pick([(2, 3), (2, 3), (3,), (2, 2), ()])
    b.emit(f"a = torch.tensor({b.literal(shape_a)}, requires_grad=True)", "torch.tensor")
    shape_b = b.pick([shape_a, shape_a[-1:], (), (1,) + shape_a[-1:], (3,)])
    b.emit(f"b = torch.tensor({b.literal(shape_b)}, requires_grad=True)", "torch.tensor")
    if b.chance(0.5):
        grad = ", requires_grad=True" if b.chance(0.6) else ""
        b.emit(f"c = torch.tensor({b.literal(shape_b)}, dtype=torch.float64{grad})",
               "torch.tensor")
    if b.chance(0.5):
        b.emit(f"i = torch.tensor({b.literal(shape_a, 'int')})", "torch.tensor")
    if b.chance(0.4):
        b.emit(f"m = torch.tensor({b.literal(shape_a, 'bool')})", "torch.tensor")


FAMILIES = (
    (6, tensor_families.binary), (4, tensor_families.unary), (4, tensor_families.reduction),
    (3, tensor_families.index), (3, tensor_families.view), (2, tensor_families.matmul),
    (1, tensor_families.factory), (3, autograd_families.inplace),
    (2, autograd_families.grads), (2, autograd_families.hook),
    (2, autograd_families.gradmode), (4, autograd_families.backward),
    (2, autograd_families.module), (2, autograd_families.loss), (2, autograd_families.optim),
    (2, autograd_families.printing),
)


def body(b: Builder) -> None:
    """One more statement (or a few) from a family chosen by weight."""
    weights = [w for w, _ in FAMILIES]
    for _ in range(20):
        (_, family), = b.rng.choices(FAMILIES, weights)
        try:
            drawn = family(b)
        except Exception:  # torch refusing to show a tensor's state (an invalid view)
            drawn = False
        if drawn is not False:
            return


def generate(seed: int, torch, exclude: frozenset[str] = KNOWN_KEYS, length=None) -> Program:
    """Program number ``seed``, drawn while running on ``torch`` (the reference)."""
    b = Builder(seed, torch, frozenset(exclude))
    setup(b)
    n = length if length is not None else b.rng.randint(6, 16)
    for _ in range(n):
        if b.failed:
            break
        body(b)
    return b.program
