"""``torch.save`` and ``torch.load`` in a safe format: a zip holding ``manifest.json`` (the
saved object as JSON: dicts, lists, tuples, numbers, strings, dtypes, sizes, and tensors by
reference) and one ``.npy`` file per tensor, read back with ``allow_pickle=False``.

    torch.save(model.state_dict(), "model.pt")
    model.load_state_dict(torch.load("model.pt"))

Anything else (a whole ``nn.Module``, your own classes) is pickled into the zip, its tensors
still stored as ``.npy``; loading it runs that pickle, so, as in torch since 2.6, it needs
``weights_only=False`` and should only be done with files you trust.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np

from gradviz.core.tensors.dtypes import dtype as _dtype
from gradviz.core.tensors.tensor import Size, Tensor
from gradviz.nn.parameter import Parameter

__all__ = ["load", "save"]

FORMAT = "gradviz.save"
VERSION = 1


class _Writer:
    def __init__(self, archive):
        self.archive = archive
        self.keys: dict[int, str] = {}  # id(tensor) -> its entry (a tensor saved twice: once)
        self.keep = []  # the tensors, alive until the file is written (ids stay unique)

    def tensor(self, t):
        key = self.keys.get(id(t))
        if key is None:
            key = self.keys[id(t)] = f"tensors/{len(self.keys)}.npy"
            self.keep.append(t)
            buffer = io.BytesIO()
            np.save(buffer, t._data, allow_pickle=False)
            self.archive.writestr(key, buffer.getvalue())
        return {"tensor": key, "requires_grad": bool(t.requires_grad),
                "parameter": isinstance(t, Parameter)}

    def encode(self, obj):
        """``obj`` as JSON, or None when it holds something JSON cannot say."""
        if obj is None or isinstance(obj, bool | int | str):
            return obj
        if isinstance(obj, float):
            return obj if np.isfinite(obj) else {"float": repr(obj)}
        if isinstance(obj, Tensor):
            return self.tensor(obj)
        if isinstance(obj, _dtype):
            return {"dtype": str(obj)}
        if isinstance(obj, Size):
            return {"size": list(obj)}
        if type(obj) in (list, tuple):
            items = [self.encode(x) for x in obj]
            if any(i is None and x is not None for i, x in zip(items, obj, strict=True)):
                return None
            return {"list" if type(obj) is list else "tuple": items}
        if type(obj) in (dict, OrderedDict):
            pairs = [[self.encode(k), self.encode(v)] for k, v in obj.items()]
            for (ek, ev), (k, v) in zip(pairs, obj.items(), strict=True):
                if (ek is None and k is not None) or (ev is None and v is not None):
                    return None
            return {"ordered_dict" if type(obj) is OrderedDict else "dict": pairs}
        return None


class _Pickler(pickle.Pickler):
    """Pickles what JSON cannot hold, its tensors still written as ``.npy`` entries."""

    def __init__(self, file, writer):
        super().__init__(file, protocol=4)
        self.writer = writer

    def persistent_id(self, obj):
        if isinstance(obj, Tensor):
            return json.dumps(self.writer.tensor(obj))
        return None


def save(obj, f, pickle_module=None, pickle_protocol=None, _use_new_zipfile_serialization=True):
    """Write ``obj`` (a tensor, a state dict, an optimizer's state, any nest of them, or a
    whole module) to the path or binary file ``f``."""
    if isinstance(f, str | os.PathLike):
        with open(f, "wb") as file:
            return save(obj, file)
    with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as archive:
        writer = _Writer(archive)
        tree = writer.encode(obj)
        manifest = {"format": FORMAT, "version": VERSION}
        if tree is None and obj is not None:
            buffer = io.BytesIO()
            _Pickler(buffer, writer).dump(obj)
            archive.writestr("object.pkl", buffer.getvalue())
            manifest["pickled"] = True
        else:
            manifest["object"] = tree
        archive.writestr("manifest.json", json.dumps(manifest))
    return None


class _Reader:
    def __init__(self, archive):
        self.archive = archive
        self.tensors: dict[str, Tensor] = {}

    def tensor(self, spec):
        key = spec["tensor"]
        t = self.tensors.get(key)
        if t is None:
            with self.archive.open(key) as file:
                data = np.load(io.BytesIO(file.read()), allow_pickle=False)
            t = Tensor._make(data)
            if spec.get("parameter"):
                t = Parameter(t, requires_grad=spec["requires_grad"])
            elif spec["requires_grad"]:
                t.requires_grad_()
            self.tensors[key] = t
        return t

    def decode(self, node):
        if not isinstance(node, dict):
            return node
        if "tensor" in node:
            return self.tensor(node)
        if "float" in node:
            return float(node["float"])
        if "dtype" in node:
            import gradviz.core.tensors.dtypes as dtypes

            return getattr(dtypes, node["dtype"].removeprefix("torch."))
        if "size" in node:
            return Size(node["size"])
        if "list" in node:
            return [self.decode(x) for x in node["list"]]
        if "tuple" in node:
            return tuple(self.decode(x) for x in node["tuple"])
        kind = OrderedDict if "ordered_dict" in node else dict
        pairs = node.get("ordered_dict", node.get("dict"))
        return kind((self.decode(k), self.decode(v)) for k, v in pairs)


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, reader):
        super().__init__(file)
        self.reader = reader

    def persistent_load(self, pid):
        return self.reader.tensor(json.loads(pid))


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None,
         **pickle_load_args):
    """Read back what ``save`` wrote. Tensors come back on the CPU whatever
    ``map_location`` says. A pickled object (a whole module) needs ``weights_only=False``."""
    if isinstance(f, str | os.PathLike):
        with open(f, "rb") as file:
            return load(file, map_location, weights_only=weights_only)
    with zipfile.ZipFile(f) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        if manifest.get("format") != FORMAT:
            raise RuntimeError("not a file written by gradviz's torch.save")
        reader = _Reader(archive)
        if not manifest.get("pickled"):
            return reader.decode(manifest["object"])
        if weights_only:
            raise pickle.UnpicklingError(
                "Weights only load failed. This file holds a pickled Python object (such as a "
                "whole nn.Module), and loading it can run arbitrary code. Re-running "
                "`torch.load` with `weights_only=False` will succeed; do it only if you trust "
                "the source of the file. Saving `model.state_dict()` instead avoids this.")
        return _Unpickler(io.BytesIO(archive.read("object.pkl")), reader).load()
