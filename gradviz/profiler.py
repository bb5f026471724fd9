"""``torch.profiler``: ``profile`` (with ``activities``), ``record_function`` and
``ProfilerActivity``, over :mod:`gradviz.autograd.profiler` (which says what is timed).

    >>> with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as p:
    ...     with torch.profiler.record_function("step"):
    ...         y = torch.ones(2, requires_grad=True).exp()
    >>> sorted(e.key for e in p.key_averages())
    ['aten::exp', 'step']
"""

from __future__ import annotations

import enum

from gradviz.autograd import profiler as _autograd_profiler
from gradviz.autograd.profiler import record_function

__all__ = ["ProfilerActivity", "profile", "record_function"]


class ProfilerActivity(enum.Enum):
    CPU = 0
    XPU = 1
    MTIA = 2
    CUDA = 3
    HPU = 4
    PrivateUse1 = 5


class profile(_autograd_profiler.profile):  # noqa: N801 - torch's name
    """torch.profiler.profile: the CPU activity only (CUDA fails as a CPU-only torch)."""

    def __init__(self, *, activities=None, schedule=None, on_trace_ready=None,
                 record_shapes=False, profile_memory=False, with_stack=False, with_flops=False,
                 with_modules=False, experimental_config=None, execution_trace_observer=None,
                 acc_events=False, use_cuda=None, custom_trace_id_callback=None):
        cuda = ProfilerActivity.CUDA in (activities or ())
        super().__init__(use_cuda=bool(cuda or use_cuda), record_shapes=record_shapes)
        self.on_trace_ready = on_trace_ready

    def step(self):
        """One step of a schedule (gradviz profiles every step)."""

    def __exit__(self, *exc):
        out = super().__exit__(*exc)
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)
        return out
