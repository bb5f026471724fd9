"""Helpers shared by the ``test_autograd_*`` modules: torch's version-counter message.

Imported as ``from autograd_helpers import ...`` (tests/core is on ``sys.path``, as for
``op_cases``).
"""

from __future__ import annotations

VERSION_HINT = (
    " Hint: enable anomaly detection to find the operation that failed to compute its "
    "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
)


def version_message(type_name, shape, origin, version, expected=0):
    where = f", which is output 0 of {origin}," if origin else ""
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{type_name} {shape}]{where} is at version {version}; expected version "
        f"{expected} instead." + VERSION_HINT
    )
