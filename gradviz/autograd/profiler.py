"""``torch.autograd.profiler``: ``profile`` and ``record_function`` as context managers and
torch's table of ``key_averages()``.

gradviz sees an op when autograd records it (an op on tensors that require grad) and a
backward node when it runs, through the engine's events; each is given the wall time since
the previous event (or since the profile or ``record_function`` block began) as its own
("self") time. Ops that record nothing are not listed. Names are torch's: ``aten::mul``
for a MulBackward0 node's op, ``autograd::engine::evaluate_function: MulBackward0`` for the
node itself, a ``record_function`` block under its label.

    >>> x = torch.ones(3, requires_grad=True)
    >>> with torch.autograd.profiler.profile() as prof:
    ...     y = (x * 2).sum()
    >>> [e.key for e in prof.key_averages()]
    ['aten::mul', 'aten::sum']
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass

from gradviz.events import FunctionCreated, NodeExecuted, dispatcher

__all__ = ["EventList", "FunctionEventAvg", "profile", "record_function"]

_active: list = []  # the profiles running now, innermost last


def _op_name(grad_fn: str) -> str:
    """``AddmmBackward0`` -> ``aten::addmm``; ``LinalgVectorNormBackward0`` ->
    ``aten::linalg_vector_norm``."""
    base = re.sub(r"Backward\d*$", "", grad_fn)
    return "aten::" + re.sub(r"(?<!^)(?=[A-Z])", "_", base).lower()


def _format_time(us: float) -> str:
    """torch's units: seconds, milliseconds or microseconds, three decimals."""
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


@dataclass
class FunctionEventAvg:
    """One row of ``key_averages()``: a name, its calls and times (microseconds)."""

    key: str
    count: int = 0
    self_cpu_time_total: float = 0.0
    cpu_time_total: float = 0.0

    @property
    def cpu_time(self) -> float:
        return self.cpu_time_total / self.count if self.count else 0.0

    @property
    def self_cpu_time(self) -> float:
        return self.self_cpu_time_total / self.count if self.count else 0.0


class EventList(list):
    """A list of events; ``table()`` formats it as torch does."""

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75,
              max_name_column_width=55, max_shapes_column_width=80, header=None,
              top_level_events_only=False):
        rows = list(self)
        if sort_by is not None:
            rows.sort(key=lambda e: getattr(e, sort_by, 0), reverse=True)
        if row_limit is not None and row_limit > 0:
            rows = rows[:row_limit]
        total = sum(e.self_cpu_time_total for e in self) or 1.0
        name_width = min(max([len(e.key) for e in rows] + [4]) + 4, max_name_column_width)
        columns = ["Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg",
                   "# of Calls"]
        line = "-" * name_width + "  " + "  ".join(["-" * 12] * len(columns)) + "  "
        out = [line, f"{'Name':>{name_width}}  " + "".join(f"{c:>12}  " for c in columns),
               line]
        for e in rows:
            name = e.key if len(e.key) <= name_width else e.key[:name_width - 3] + "..."
            cells = [f"{100 * e.self_cpu_time_total / total:.2f}%",
                     _format_time(e.self_cpu_time_total),
                     f"{100 * e.cpu_time_total / total:.2f}%",
                     _format_time(e.cpu_time_total), _format_time(e.cpu_time), str(e.count)]
            out.append(f"{name:>{name_width}}  " + "".join(f"{c:>12}  " for c in cells))
        out.append(line)
        spent = sum(e.self_cpu_time_total for e in self)
        out.append(f"Self CPU time total: {_format_time(spent)}")
        return "\n".join(out) + "\n"

    def __str__(self):
        return self.table()


class profile:  # noqa: N801 - torch's name
    """Time the ops autograd records and the backward nodes that run in the ``with``
    block."""

    def __init__(self, enabled=True, *, use_cuda=False, use_device=None, record_shapes=False,
                 with_flops=False, profile_memory=False, with_stack=False, with_modules=False,
                 use_kineto=True, use_cpu=True, experimental_config=None, acc_events=False,
                 custom_trace_id_callback=None):
        if use_cuda:
            raise AssertionError("Torch not compiled with CUDA enabled")
        self.enabled = enabled
        self.events: list = []  # (name, self us, total us, start us)
        self._last = 0.0
        self._start = 0.0
        self._token = None

    def _now(self) -> float:
        return (time.perf_counter() - self._start) * 1e6

    def _add(self, name, self_us, total_us, start):
        self.events.append((name, self_us, total_us, start))

    def _on_event(self, event):
        if isinstance(event, FunctionCreated):
            if event.name.endswith("AccumulateGrad"):
                return
            name = _op_name(event.name)
        elif isinstance(event, NodeExecuted):
            name = f"autograd::engine::evaluate_function: {event.function.name()}"
        else:
            return
        now = self._now()
        spent = now - self._last
        self._add(name, spent, spent, self._last)
        self._last = now

    def __enter__(self):
        if self.enabled:
            self._start = time.perf_counter()
            self._last = 0.0
            self._token = dispatcher.subscribe(self._on_event)
            _active.append(self)
        return self

    def __exit__(self, *exc):
        if self._token is not None:
            dispatcher.unsubscribe(self._token)
            self._token = None
            _active.remove(self)
        return False

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0):
        """One row per name: calls, self and total time summed."""
        rows: dict = {}
        for name, self_us, total_us, _ in self.events:
            row = rows.setdefault(name, FunctionEventAvg(name))
            row.count += 1
            row.self_cpu_time_total += self_us
            row.cpu_time_total += total_us
        return EventList(rows.values())

    def table(self, *args, **kwargs):
        return self.key_averages().table(*args, **kwargs)

    @property
    def self_cpu_time_total(self) -> float:
        return sum(e[1] for e in self.events)

    def export_chrome_trace(self, path):
        """The events as Chrome's trace format (``chrome://tracing``, Perfetto)."""
        trace = [{"name": name, "ph": "X", "ts": start, "dur": total, "pid": 0, "tid": 0,
                  "cat": "cpu_op"} for name, _, total, start in self.events]
        with open(path, "w") as f:
            json.dump({"traceEvents": trace}, f)

    def __str__(self):
        return self.table()


class record_function:  # noqa: N801 - torch's name
    """Label a block: it becomes one row (its whole time as total, what the ops inside did
    not take as self time)."""

    def __init__(self, name, args=None):
        self.name = name
        self._begin = None

    def __enter__(self):
        if _active:
            prof = _active[-1]
            now = prof._now()
            if now > prof._last:  # what ran before the block is not the block's
                prof._last = now
            self._begin = (prof, now, len(prof.events))
        return self

    def __exit__(self, *exc):
        if self._begin is not None:
            prof, start, first = self._begin
            end = prof._now()
            inner = sum(e[1] for e in prof.events[first:])
            prof._add(self.name, max(end - start - inner, 0.0), end - start, start)
            prof._last = end
        return False
