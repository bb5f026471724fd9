"""``gradviz.random`` (torch.random's names): the default generator, its seed and its state.

    >>> import gradviz as torch
    >>> with torch.random.fork_rng():
    ...     _ = torch.rand(3)          # draws here leave the outer stream where it was
"""

from __future__ import annotations

import contextlib

from gradviz.core.functions.random import (  # noqa: F401
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type=None):
    """Restore the default generator's state (and its cached normal) when the block ends."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
