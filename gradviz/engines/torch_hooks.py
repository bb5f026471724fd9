"""One post-hook registered on many grad_fn nodes at once, for the length of a backward.

``Node.register_hook`` is a C function that asks ``torch.autograd.Function._register_hook``
(a Python staticmethod) for the node's hook dict and a ``RemovableHandle``: an
``OrderedDict`` made the first time, a handle with a weak reference to it, and its
removal later, about 2 us per node, which on tiny ops was most of what watching a
backward cost. While :func:`hook_nodes` registers gradviz's hook, that staticmethod is
replaced by one that puts the hook in the node's dict under a key of this registration
and returns no handle; the dicts are remembered and the key popped from each when the
backward ends. Anything else registered meanwhile (another thread's hook) goes to
torch's own function, and if a torch version no longer asks for ``_register_hook``, the
handles torch returns are kept and removed as before: either way the hook runs after
the hooks the node had, as torch's would, and it is gone afterwards.

    >>> import torch
    >>> y = torch.ones(2, requires_grad=True) * 3
    >>> seen = []
    >>> def hook(grads_passed, grads_received):
    ...     seen.append(type(torch._C._current_autograd_node()).__name__)
    >>> remove = hook_nodes([y.grad_fn], hook)
    >>> y.sum().backward(retain_graph=True)
    >>> remove()
    >>> y.sum().backward()
    >>> seen
    ['MulBackward0']
"""

from __future__ import annotations

from collections import OrderedDict

import torch

__all__ = ["hook_nodes"]

_OWNER = torch.autograd.Function  # where torch's C code looks ``_register_hook`` up


def hook_nodes(fns, hook):
    """Register ``hook`` as a post-hook of every node in ``fns``; return a function of no
    arguments that removes them all."""
    key = object()  # this registration's key in each node's hook dict
    dicts, handles = [], []
    own = _OWNER.__dict__.get("_register_hook")  # (None: inherited from a mixin)
    torch_register = _OWNER._register_hook

    def register(hooks_dict, fn_hook):
        if fn_hook is not hook:
            return torch_register(hooks_dict, fn_hook)
        if hooks_dict is None:
            hooks_dict = OrderedDict()  # (as torch's: a RemovableHandle refers to it weakly)
        hooks_dict[key] = hook
        dicts.append(hooks_dict)
        return hooks_dict, None

    def remove():
        for hooks_dict in dicts:
            hooks_dict.pop(key, None)
        for handle in handles:
            handle.remove()

    _OWNER._register_hook = staticmethod(register)
    try:
        for fn in fns:
            handle = fn.register_hook(hook)
            if handle is not None:
                handles.append(handle)
    except BaseException:
        remove()  # (no hook of a failed registration is left behind)
        raise
    finally:
        if own is None:
            del _OWNER._register_hook
        else:
            _OWNER._register_hook = own
    return remove
