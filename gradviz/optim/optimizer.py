"""``Optimizer``: the base of ``SGD``, ``Adam`` and ``AdamW`` (param groups, state,
``zero_grad``, ``state_dict``).

The update formulas are torch's single-tensor ones (torch/optim/sgd.py, adam.py),
step for step, so a float64 run matches torch's to rounding. Parameters change
through their in-place ops under ``no_grad``, so their version goes up as in torch::

    >>> model, loss_fn = torch.nn.Linear(3, 1), torch.nn.MSELoss()
    >>> batches = [(torch.ones(4, 3), torch.zeros(4, 1))] * 3
    >>> opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    >>> for x, y in batches:
    ...     opt.zero_grad()
    ...     loss_fn(model(x), y).backward()
    ...     opt.step()
    >>> model.weight._version          # 1 from its initialisation, then one per step
    4
"""

from __future__ import annotations

import copy
import warnings
from collections import defaultdict

from gradviz.core.autograd.grad_mode import enable_grad
from gradviz.core.tensors.tensor import Tensor
from gradviz.nn.module import _zero_grad
from gradviz.nn.parameter import typename

__all__ = ["Optimizer"]


class _Required:
    def __repr__(self):
        return "<required parameter>"


required = _Required()


class Optimizer:
    """Base class: holds ``param_groups`` (dicts of params and their settings) and
    ``state`` (per-parameter buffers such as momentum). Subclasses define ``step``."""

    def __init__(self, params, defaults):
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Add a dict of params (and optional settings overriding the defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        params = list(params)
        if params and all(isinstance(p, tuple) for p in params):  # named_parameters()
            param_group["param_names"] = [name for name, _ in params]
            params = [p for _, p in params]
        param_group["params"] = params
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + typename(p))
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        if len({id(p) for p in params}) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        taken = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in taken for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        """Reset every parameter's gradient: to None (the default) or to zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                _zero_grad(p, set_to_none)

    def step(self, closure=None):
        raise NotImplementedError

    def _closure_loss(self, closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def state_dict(self):
        """``{"state": {index: buffers}, "param_groups": [settings with param indices]}``."""
        index = {}
        groups = []
        for group in self.param_groups:
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: s for p, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore ``state_dict()``'s buffers and settings onto this optimizer's params."""
        saved = copy.deepcopy(state_dict["param_groups"])
        if len(saved) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(self.param_groups, saved)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        by_index = {i: p for g, s in zip(self.param_groups, saved)
                    for i, p in zip(s["params"], g["params"])}
        self.state = defaultdict(dict)
        for i, buffers in state_dict["state"].items():
            p = by_index[i]
            self.state[p] = _cast(p, buffers)
        self.param_groups = [{**s, "params": g["params"]}
                             for g, s in zip(self.param_groups, saved)]

    def __repr__(self):
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"


def _cast(param, value, key=None):
    """A loaded state value as torch's ``load_state_dict`` takes it: tensors cast to a float
    param's dtype (the same tensor when it already has it: torch shares the buffers with the
    state dict, it does not copy them), "step" as it is, dicts and sequences walked."""
    if isinstance(value, Tensor):
        if key == "step" or not param.is_floating_point():
            return value
        return value.to(param.dtype)
    if isinstance(value, dict):
        return {k: _cast(param, v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_cast(param, v, key) for v in value)
    return value


def _check_not_differentiable(defaults):
    if defaults.get("differentiable"):
        raise NotImplementedError("gradviz's optimizers have no differentiable=True mode")


def _grads(group):
    """``(param, grad)`` for the params of a group that have a gradient."""
    for p in group["params"]:
        grad = p.grad
        if grad is not None:
            yield p, (-grad if group["maximize"] else grad)
