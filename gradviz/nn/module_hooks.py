"""Forward hooks of ``nn.Module``, as torch runs them: per module and global.

    handle = net.register_forward_hook(lambda m, args, out: print(type(m).__name__))
    y = net(x)                       # prints Sequential
    handle.remove()

Per call: global pre-hooks, then the module's pre-hooks (each may replace the args, or
with ``with_kwargs=True`` the ``(args, kwargs)``), ``forward``, then global and the
module's forward hooks (each may replace the output). A forward hook registered with
``always_call=True`` also runs when ``forward`` raises. The global hooks are
``register_module_forward_pre_hook`` / ``register_module_forward_hook``, exposed as
``gradviz.nn.modules.module.*`` under torch's names.
"""

from __future__ import annotations

import itertools
import warnings

__all__ = ["RemovableHandle", "register_module_forward_pre_hook",
           "register_module_forward_hook", "call_with_hooks", "has_global_hooks"]

_ids = itertools.count()
_global_forward_pre_hooks: dict = {}
_global_forward_hooks: dict = {}
_global_forward_hooks_with_kwargs: set = set()
_global_forward_hooks_always_called: set = set()


class RemovableHandle:
    """Returned by every ``register_*hook``: ``remove()`` unregisters the hook (also as a
    context manager: the hook is removed when the ``with`` block ends)."""

    def __init__(self, hooks_dict: dict, *extra: dict | set):
        self.id = next(_ids)
        self._hooks = hooks_dict
        self._extra = extra

    def remove(self) -> None:
        self._hooks.pop(self.id, None)
        for extra in self._extra:
            if isinstance(extra, dict):
                extra.pop(self.id, None)
            else:
                extra.discard(self.id)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _add(hooks: dict, hook, prepend: bool, *extra) -> RemovableHandle:
    handle = RemovableHandle(hooks, *extra)
    hooks[handle.id] = hook
    if prepend:
        for key in [k for k in hooks if k != handle.id]:
            hooks[key] = hooks.pop(key)  # move the others behind the new one
    return handle


def register_module_forward_pre_hook(hook) -> RemovableHandle:
    """``hook(module, args)`` runs before every module's ``forward`` (before its own
    pre-hooks); it may return new args."""
    return _add(_global_forward_pre_hooks, hook, False)


def register_module_forward_hook(hook, *, with_kwargs=False, always_call=False):
    """``hook(module, args, output)`` (``hook(module, args, kwargs, output)`` with
    ``with_kwargs``) runs after every module's ``forward``, before its own hooks; it may
    return a new output. ``always_call``: run it even when ``forward`` raises."""
    handle = _add(_global_forward_hooks, hook, False, _global_forward_hooks_with_kwargs,
                  _global_forward_hooks_always_called)
    if with_kwargs:
        _global_forward_hooks_with_kwargs.add(handle.id)
    if always_call:
        _global_forward_hooks_always_called.add(handle.id)
    return handle


def has_global_hooks() -> bool:
    return bool(_global_forward_pre_hooks or _global_forward_hooks)


def call_with_hooks(module, args: tuple, kwargs: dict):
    """Run ``module.forward`` between its (and the global) forward hooks, as torch does."""
    pre_kw = module._forward_pre_hooks_with_kwargs
    for hook_id, hook in (*_global_forward_pre_hooks.items(),
                          *module._forward_pre_hooks.items()):
        if hook_id in pre_kw:
            new = hook(module, args, kwargs)
            if new is not None:
                if not (isinstance(new, tuple) and len(new) == 2):
                    raise RuntimeError("forward pre-hook must return None or a tuple of "
                                       f"(new_args, new_kwargs), but got {new}.")
                args, kwargs = new
        else:
            new = hook(module, args)
            if new is not None:
                args = new if isinstance(new, tuple) else (new,)
    called: set = set()
    result = None
    post_kw, always = module._forward_hooks_with_kwargs, module._forward_hooks_always_called
    try:
        result = module.forward(*args, **kwargs)
        for hook_id, hook in (*_global_forward_hooks.items(), *module._forward_hooks.items()):
            if hook_id in always or hook_id in _global_forward_hooks_always_called:
                called.add(hook_id)
            if hook_id in post_kw or hook_id in _global_forward_hooks_with_kwargs:
                new = hook(module, args, kwargs, result)
            else:
                new = hook(module, args, result)
            if new is not None:
                result = new
        return result
    except Exception:
        for where, hooks, ids in (("global module", _global_forward_hooks,
                                   _global_forward_hooks_always_called),
                                  ("module", module._forward_hooks, always)):
            for hook_id, hook in list(hooks.items()):
                if hook_id in ids and hook_id not in called:
                    try:
                        with_kw = hook_id in post_kw or hook_id in _global_forward_hooks_with_kwargs
                        new = (hook(module, args, kwargs, result) if with_kw
                               else hook(module, args, result))
                        if new is not None:
                            result = new
                    except Exception as e:
                        warnings.warn(f"{where} forward hook with ``always_call=True`` raised "
                                      f"an exception that was silenced as another error was "
                                      f"raised in forward: {e}", stacklevel=2)
        raise
