"""What the torch engine reads off torch's own objects: grad_fn names and saved tensors,
whether backward freed them, and tensors' values as NumPy.

Everything here only reads. Saved values come from torch's ``_saved_<name>``
attributes (``_raw_saved_<name>`` exists exactly for those that are tensors, which is
how a name is told to be a tensor); a custom ``autograd.Function``'s are its
``saved_tensors``. Torch tells the rest through the errors unpacking raises: after a
backward without ``retain_graph`` it says the saved tensors "have already been freed",
and after an in-place change of a saved tensor it gives both versions ("is at version 1;
expected version 0 instead"), which become ``SavedValue.current_version`` and
``version``.

Values are copied to the CPU only when asked, and a tensor of more than
``SAMPLE_LIMIT`` elements gives its first ``SAMPLE_LIMIT`` (flattened): a sample, so
inspecting a big activation never copies it whole. bfloat16 (which NumPy lacks) is
shown as float32; float16 and complex keep their NumPy dtypes.
"""

from __future__ import annotations

import re

import numpy as np
import torch

from gradviz.engines.protocol import FunctionInfo, SavedValue

__all__ = ["COMPILED_NOTE", "SAMPLE_LIMIT", "copy", "describe_class", "dtype_name", "is_freed",
           "saved_values", "to_numpy", "version"]

SAMPLE_LIMIT = 1 << 20  # elements copied at most per tensor
_VERSIONS = re.compile(r"is at version (\d+); expected version (\d+)")
_FREED = "freed"  # torch's words: "... saved tensors after they have already been freed"
_CUSTOM = "saved_tensors"  # the saved name of a custom autograd.Function's tensors
COMPILED_NOTE = ("a torch.compile'd region: its ops run fused in one backward function, "
                 "so they show as this one node")


def describe_class(fn) -> FunctionInfo:
    """Name and saved names of a grad_fn (the same for every node of its class)."""
    cls = type(fn)
    names = dir(cls)
    if isinstance(fn, torch.autograd.function.BackwardCFunction):  # a custom Function
        note = COMPILED_NOTE if cls.__name__.startswith("CompiledFunction") else ""
        return FunctionInfo(cls.__name__, note, (_CUSTOM,), (_CUSTOM,))
    saved = tuple(n[7:] for n in names if n.startswith("_saved_"))
    tensors = tuple(n for n in saved if "_raw_saved_" + n in names)
    return FunctionInfo(cls.__name__, "", saved, tensors)


def _unpack(fn, name):
    """``(value, error)`` of one saved value: the error torch raised unpacking it, if any."""
    try:
        if name == _CUSTOM:
            return fn.saved_tensors, None
        return getattr(fn, "_saved_" + name), None
    except RuntimeError as exc:
        return None, str(exc)


def is_freed(fn, info: FunctionInfo) -> bool:
    """Whether backward released ``fn``'s saved tensors (False when it saved none)."""
    if not info.saved_tensors:
        return False
    _, error = _unpack(fn, info.saved_tensors[0])
    return error is not None and _FREED in error


def saved_values(fn, info: FunctionInfo) -> list[SavedValue]:
    """``fn``'s saved values as ``SavedValue`` entries (empty once freed)."""
    if is_freed(fn, info):
        return []
    entries = []
    for name in info.saved:
        value, error = _unpack(fn, name)
        if error is not None:
            versions = _VERSIONS.search(error)
            if versions:  # modified in place since saved: backward will fail
                now, then = int(versions.group(1)), int(versions.group(2))
                entries.append(SavedValue(name, None, then, now, None))
            continue
        if name == _CUSTOM:
            for i, t in enumerate(value):
                entries.append(SavedValue(f"{name}[{i}]", to_numpy(t), t._version,
                                          t._version, t))
        elif isinstance(value, torch.Tensor):
            entries.append(SavedValue(name, to_numpy(value), value._version, value._version,
                                      None if name == "result" else value))
        elif isinstance(value, (tuple, list)) and value and isinstance(value[0], torch.Tensor):
            entries.append(SavedValue(name, [to_numpy(t) for t in value], None, None, None))
        else:
            entries.append(SavedValue(name, value, None, None, None))
    return entries


def version(t) -> int:
    """The tensor's in-place version (0 for inference tensors, which keep none)."""
    return 0 if t.is_inference() else t._version


def dtype_name(t) -> str:
    """NumPy's name for a tensor's dtype: ``float32``, ``bfloat16``, ``complex64``."""
    return str(t.dtype).rpartition(".")[2]


def to_numpy(t) -> np.ndarray | None:
    """A NumPy copy of a tensor (a CPU copy, a sample when big), read without autograd."""
    if t is None:
        return None
    if torch._C._is_torch_function_mode_enabled():  # read outside the watch's handler
        with torch._C.DisableTorchFunction():
            return copy(t)
    return copy(t)


def copy(t) -> np.ndarray:
    """``to_numpy`` of a tensor, called where torch functions are not watched."""
    if t.requires_grad:
        t = t.detach()
    try:  # the usual case (a CPU tensor NumPy can share: strided, no conj or neg bit, not
        # bfloat16) in one view and one copy; torch refuses the rest
        a = t.numpy()
    except (RuntimeError, TypeError):
        return _convert(t)
    return a.copy() if a.size <= SAMPLE_LIMIT else a.reshape(-1)[:SAMPLE_LIMIT].copy()


def _convert(t) -> np.ndarray:
    functorch = torch._C._functorch
    if functorch.is_functorch_wrapped_tensor(t):  # inside torch.func.grad / vmap: the
        while functorch.is_functorch_wrapped_tensor(t):  # values under the wrappers (a
            t = functorch.get_unwrapped(t)  # vmap's with its batch dimension)
        with torch._C._DisableFuncTorch():
            return _convert(t.detach())
    if t.layout != torch.strided:
        t = t.to_dense()
    if t.numel() > SAMPLE_LIMIT:
        t = t.reshape(-1)[:SAMPLE_LIMIT]
    t = t.cpu().resolve_conj().resolve_neg()
    if t.dtype == torch.bfloat16:
        t = t.float()
    return t.numpy().copy()
