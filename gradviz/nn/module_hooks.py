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

Full backward hooks (``register_full_backward_hook`` / ``register_full_backward_pre_hook``)
work as torch's ``BackwardHook``: the tensor args and outputs pass through
``BackwardHookFunction`` (an identity ``Function``, so the graph shows
``BackwardHookFunctionBackward`` nodes as torch's does), whose hooks hand the user hook
the gradients of the outputs and then of the inputs.
"""

from __future__ import annotations

import itertools
import warnings

from gradviz.core.autograd.custom_function import Function
from gradviz.core.autograd.grad_mode import is_grad_enabled
from gradviz.core.tensors.tensor import Tensor

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


class BackwardHookFunction(Function):
    """The identity, so a module's backward hooks have nodes to hook (torch's)."""

    @staticmethod
    def forward(ctx, *args):
        ctx.mark_non_differentiable(*[arg for arg in args if not arg.requires_grad])
        return args

    @staticmethod
    def backward(ctx, *args):
        return args


class BackwardHook:
    """torch's ``torch.utils.hooks.BackwardHook``: one module call's full backward hooks.
    The outputs' node records the gradients of the outputs (after the pre-hooks); the
    inputs' node then calls the user hooks with both, and their result replaces the
    inputs' gradients. When no input requires grad, the hooks run at the outputs."""

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.module = module
        self.grad_outputs = None
        self.n_outputs = -1
        self.output_tensors_index = None
        self.n_inputs = -1
        self.input_tensors_index = None

    @staticmethod
    def _pack_with_none(indices, values, size):
        res = [None] * size
        for idx, val in zip(indices, values, strict=True):
            res[idx] = val
        return tuple(res)

    @staticmethod
    def _unpack_none(indices, values):
        return tuple(values[idx] for idx in indices)

    def _set_user_hook(self, grad_fn):
        def hook(grad_input, _):
            if self.grad_outputs is None:  # the outputs' gradient does not reach the inputs
                return None
            res = self._pack_with_none(self.input_tensors_index, grad_input, self.n_inputs)
            for user_hook in self.user_hooks:
                out = user_hook(self.module, res, self.grad_outputs)
                if out is None:
                    continue
                if len(out) != len(res):
                    raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                       f"got {len(out)}, but expected {len(res)}")
                res = out
            self.grad_outputs = None
            return self._unpack_none(self.input_tensors_index, res)

        grad_fn.register_hook(hook)

    def _apply_on_tensors(self, fn, args):
        tensors_idx, tensors = [], []
        requires_grad = False
        for i, arg in enumerate(args):
            if isinstance(arg, Tensor):
                tensors_idx.append(i)
                tensors.append(arg)
                requires_grad |= arg.requires_grad
        if not (requires_grad and is_grad_enabled()):
            return args, None
        new_tensors = BackwardHookFunction.apply(*tensors)
        if len(new_tensors) == 0:
            raise RuntimeError("Cannot set Module backward hook for a Module with no input "
                               "Tensors.")
        grad_fns = [t.grad_fn for t in new_tensors if t.grad_fn is not None
                    and t.grad_fn.name() == "BackwardHookFunctionBackward"]
        fn(grad_fns[0])
        arg_list = list(args)
        for idx, val in zip(tensors_idx, new_tensors, strict=True):
            arg_list[idx] = val
        return (tuple(arg_list) if type(args) is tuple else type(args)(*arg_list)), tensors_idx

    def setup_input_hook(self, args):
        res, input_idx = self._apply_on_tensors(self._set_user_hook, args)
        self.n_inputs = len(args)
        self.input_tensors_index = input_idx
        return res

    def setup_output_hook(self, args):
        def fn(grad_fn):
            def hook(_, grad_output):
                self.grad_outputs = self._pack_with_none(self.output_tensors_index, grad_output,
                                                         self.n_outputs)
                if self.user_pre_hooks:
                    expected_len = len(self.grad_outputs)
                    for user_pre_hook in self.user_pre_hooks:
                        hook_grad_outputs = user_pre_hook(self.module, self.grad_outputs)
                        if hook_grad_outputs is None:
                            continue
                        if len(hook_grad_outputs) != expected_len:
                            raise RuntimeError(
                                "Backward pre hook returned an invalid number of grad_output, "
                                f"got {len(hook_grad_outputs)}, but expected {expected_len}")
                        self.grad_outputs = hook_grad_outputs
                local_grad_outputs = self.grad_outputs
                if self.input_tensors_index is None:
                    warnings.warn(
                        "Full backward hook is firing when gradients are computed with respect "
                        "to module outputs since no inputs require gradients. See "
                        "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                        "#torch.nn.Module.register_full_backward_hook for more details.",
                        stacklevel=6)
                    grad_inputs = self._pack_with_none([], [], self.n_inputs)
                    for user_hook in self.user_hooks:
                        res = user_hook(self.module, grad_inputs, self.grad_outputs)
                        if res is not None and not (isinstance(res, tuple)
                                                    and all(el is None for el in res)):
                            raise RuntimeError(
                                "Backward hook for Modules where no input requires gradient "
                                "should always return None or None for all gradients.")
                    self.grad_outputs = None
                if local_grad_outputs is not None:
                    return tuple(local_grad_outputs[i] for i in self.output_tensors_index)
                return None

            grad_fn.register_hook(hook)

        is_tuple = isinstance(args, tuple)
        if not is_tuple:
            args = (args,)
        res, output_idx = self._apply_on_tensors(fn, args)
        self.n_outputs = len(args)
        self.output_tensors_index = output_idx
        return res if is_tuple else res[0]


def call_with_hooks(module, args: tuple, kwargs: dict):
    """Run ``module.forward`` between its (and the global) forward hooks, as torch does,
    and set up its full backward hooks around it."""
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
    bw_hook = None
    if module._backward_hooks or module._backward_pre_hooks:
        bw_hook = BackwardHook(module, list(module._backward_hooks.values()),
                               list(module._backward_pre_hooks.values()))
        args = bw_hook.setup_input_hook(args)
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
        if bw_hook is not None:
            if not isinstance(result, Tensor | tuple):
                warnings.warn("For backward hooks to be called, module output should be a "
                              f"Tensor or a tuple of Tensors but received {type(result)}",
                              stacklevel=3)
            result = bw_hook.setup_output_hook(result)
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
