"""``gradviz.nn``: modules, parameters and ``functional``."""

from gradviz.nn import functional  # noqa: F401
