"""torch's ``torch.nn.modules.module``: ``Module`` and the global forward hooks.

    >>> from gradviz.nn.modules.module import register_module_forward_hook
    >>> handle = register_module_forward_hook(lambda m, args, out: print(type(m).__name__))
    >>> _ = torch.nn.ReLU()(torch.ones(1))
    ReLU
    >>> handle.remove()
"""

from gradviz.nn.module import Module
from gradviz.nn.module_hooks import (
    RemovableHandle,
    register_module_forward_hook,
    register_module_forward_pre_hook,
)

__all__ = ["Module", "RemovableHandle", "register_module_forward_hook",
           "register_module_forward_pre_hook"]
