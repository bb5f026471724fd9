"""``gradviz.nn.modules``: where torch keeps ``Module`` and its global hook functions
(``gradviz.nn.modules.module.register_module_forward_hook``)."""

from gradviz.nn.modules import module

__all__ = ["module"]
