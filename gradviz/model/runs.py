"""The run history: per backward call, the loss, each leaf's ``.grad`` norm and how the
gradient flowed (the numbers the gradient-flow view shows for the graph at hand).

A training loop's earlier iterations leave the graph once released; what they did
stays here, a few numbers a run, and at most ``RUNS_KEPT`` runs, so memory stays flat
over any number of steps::

    model.runs[-1]
    Run(number=200, loss=0.0131, grad_norms={1: 0.052, ...}, ratios={1: 0.0041, ...},
        dead={'net.1 ReluBackward0': 0.25}, vanishing=0, exploding=0)

``loss`` is the value of the backward's root when it holds one number (None for a
``backward(gradient)`` from a larger output); ``grad_norms`` maps a leaf's node id to the
norm of its ``.grad`` after that backward, ``ratios`` to that norm over the norm of the
leaf's value; ``dead`` maps each ReLU-like node (by its module and name, so one curve
spans the steps) to the share of its inputs that passed no gradient; ``vanishing`` and
``exploding`` count the edges ``gradient_flow`` would mark. These last three are measured
as the backward ends, while ``model.track_flow`` is on (the app turns it on); None when not.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from gradviz.model.gradient_flow import run_flow

RUNS_KEPT = 10_000


@dataclass
class Run:
    """One backward call."""

    number: int  # model.backward_runs when it started
    loss: float | None
    grad_norms: dict = field(default_factory=dict)  # leaf node id -> norm of .grad after
    ratios: dict = field(default_factory=dict)  # leaf node id -> ‖grad‖ / ‖value‖
    dead: dict | None = None  # ReLU-like node's label -> share of its inputs given 0
    vanishing: int | None = None  # edges below VANISH x the largest norm
    exploding: int | None = None  # edges above EXPLODE x the norm backward started from


class RunHistory:
    """The last ``limit`` backward runs, oldest first."""

    def __init__(self, limit: int = RUNS_KEPT):
        self._runs: deque = deque(maxlen=limit)

    def start(self, number: int, root_value) -> Run:
        loss = None
        if root_value is not None and np.size(root_value) == 1:
            value = np.asarray(root_value).reshape(())
            loss = float(abs(value)) if np.iscomplexobj(value) else float(value)
        run = Run(number, loss)
        self._runs.append(run)
        return run

    def accumulated(self, nid: int, grad) -> None:
        if self._runs and grad is not None:
            self._runs[-1].grad_norms[nid] = float(
                np.linalg.norm(_wide(grad).ravel()))

    def finish(self, model, ran=None) -> None:
        """The backward ended: each leaf's grad-to-value ratio and, given the function
        nodes it ``ran``, the dead units and the vanishing and exploding edges."""
        if not self._runs:
            return
        run = self._runs[-1]
        for nid, norm in run.grad_norms.items():
            value = model.value(nid)
            if value is not None:
                size = float(np.linalg.norm(_wide(value).ravel()))
                run.ratios[nid] = norm / size if size else math.inf
        if ran is not None:
            flow = run_flow(model, ran)
            run.dead = flow.dead
            run.vanishing, run.exploding = len(flow.vanishing), len(flow.exploding)

    def clear(self) -> None:
        self._runs.clear()

    def __len__(self) -> int:
        return len(self._runs)

    def __getitem__(self, k):
        return list(self._runs)[k] if isinstance(k, slice) else self._runs[k]

    def __iter__(self):
        return iter(self._runs)

    def losses(self) -> tuple[list[int], list[float]]:
        """(run numbers, losses) of the runs whose root held one number."""
        pairs = [(r.number, r.loss) for r in self._runs if r.loss is not None]
        return [p[0] for p in pairs], [p[1] for p in pairs]

    def grad_norms(self) -> dict[int, tuple[list[int], list[float]]]:
        """leaf node id -> (run numbers, grad norms)."""
        return self.series("grad_norms")

    def series(self, kind: str) -> dict:
        """``kind`` ("grad_norms", "ratios" or "dead") as key -> (run numbers, values)."""
        out: dict = {}
        for r in self._runs:
            for key, value in (getattr(r, kind) or {}).items():
                xs, ys = out.setdefault(key, ([], []))
                xs.append(r.number)
                ys.append(value)
        return out


def _wide(a) -> np.ndarray:
    """``a`` in float64 (complex128 for complex values: their norm is the modulus's)."""
    a = np.asarray(a)
    return a.astype(np.complex128 if np.iscomplexobj(a) else np.float64)
