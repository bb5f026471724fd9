"""A module's parameters and buffers as a whole: cast (``to``, ``double``, ``float``),
saved (``state_dict``) and loaded (``load_state_dict``).

    >>> import gradviz as torch
    >>> net = torch.nn.Linear(2, 1)
    >>> list(net.state_dict())
    ['weight', 'bias']
    >>> net.load_state_dict(net.state_dict())
    <All keys matched successfully>
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Mapping

from gradviz.core.autograd.grad_mode import no_grad
from gradviz.core.tensors.tensor import Tensor
from gradviz.nn.parameter import Parameter


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class ModuleState:
    """Mixed into Module: what it holds, as one dtype or one dict."""

    # ------------------------------------------------------------ dtype
    def _apply(self, fn):
        with no_grad():
            for module in self.modules():
                for param in module._parameters.values():
                    if param is not None:
                        param._data = fn(param)._data
                        if param._grad is not None:
                            param._grad._data = fn(param._grad)._data
                for name, buf in module._buffers.items():
                    if buf is not None:
                        module._buffers[name] = fn(buf)
        return self

    def to(self, *args, **kwargs):
        """Cast floating-point parameters and buffers: ``model.to(torch.float64)``."""
        return self._apply(lambda t: t.to(*args, **kwargs) if t.is_floating_point() else t)

    def double(self):
        from gradviz.core.tensors import dtypes

        return self.to(dtypes.float64)

    def float(self):
        from gradviz.core.tensors import dtypes

        return self.to(dtypes.float32)

    def half(self):
        from gradviz.core.tensors import dtypes

        return self.to(dtypes.float16)

    def cpu(self):
        return self

    # ------------------------------------------------------------ state
    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """Parameters and persistent buffers by dotted name (detached unless ``keep_vars``)."""
        if destination is None:
            destination = OrderedDict()
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = b if keep_vars else b.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination, prefix + name + ".", keep_vars)
        return destination

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy values from ``state_dict`` into this module's parameters and buffers."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        for key, value in state_dict.items():
            if key not in own:
                continue
            target = own[key]
            if not isinstance(value, Tensor):
                errors.append(f'While copying the parameter named "{key}", expected torch.Tensor '
                              f"or Tensor-like object from checkpoint but received {type(value)}")
            elif value.shape != target.shape:
                errors.append(f"size mismatch for {key}: copying a param with shape {value.shape} "
                              f"from checkpoint, the shape in current model is {target.shape}.")
            elif assign:
                owner, _, name = key.rpartition(".")
                module = self.get_submodule(owner)
                if isinstance(target, Parameter):
                    value = Parameter(value, target.requires_grad)
                setattr(module, name, value)
            else:
                with no_grad():
                    target.copy_(value)
        if strict:
            if unexpected:
                keys = ", ".join(f'"{k}"' for k in unexpected)
                errors.insert(0, f"Unexpected key(s) in state_dict: {keys}. ")
            if missing:
                keys = ", ".join(f'"{k}"' for k in missing)
                errors.insert(0, f"Missing key(s) in state_dict: {keys}. ")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {self._get_name()}:\n\t"
                               + "\n\t".join(errors))
        return _IncompatibleKeys(missing, unexpected)
