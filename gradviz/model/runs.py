"""The run history: per backward call, the loss and each leaf's ``.grad`` norm.

A training loop's earlier iterations leave the graph once released; what they did
stays here, a few numbers a run, so memory stays flat over thousands of steps::

    model.runs[-1]
    Run(number=200, loss=0.0131, grad_norms={1: 0.052, 2: 0.011, ...})

``loss`` is the value of the backward's root when it holds one number (None for a
``backward(gradient)`` from a larger output); ``grad_norms`` maps a leaf's node id to the
norm of its ``.grad`` after that backward.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

RUNS_KEPT = 10_000


@dataclass
class Run:
    """One backward call."""

    number: int  # model.backward_runs when it started
    loss: float | None
    grad_norms: dict = field(default_factory=dict)  # leaf node id -> norm of .grad after


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
        out: dict = {}
        for r in self._runs:
            for nid, norm in r.grad_norms.items():
                xs, ys = out.setdefault(nid, ([], []))
                xs.append(r.number)
                ys.append(norm)
        return out


def _wide(a) -> np.ndarray:
    """``a`` in float64 (complex128 for complex values: their norm is the modulus's)."""
    a = np.asarray(a)
    return a.astype(np.complex128 if np.iscomplexobj(a) else np.float64)
