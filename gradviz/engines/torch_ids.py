"""Stable ids for torch's tensors and grad_fn nodes, and weak references to both.

Tensors take weak references, so a tensor's id lives in a dict keyed by ``id(t)``
whose entry a weakref callback removes when the tensor dies (not a
``WeakKeyDictionary``: it compares keys with ``==``, which a tensor answers
elementwise).

grad_fn nodes take neither attributes nor weak references, and the Python object
torch hands out for a C++ node is made afresh whenever nobody holds the last one. What
lives exactly as long as the node is its ``metadata`` dict: the node's id is kept
there, in an ``Anchor`` (a small object that does take weak references). A weak
reference to the anchor tells when the node dies. To give the node itself back, an
anchor remembers the tensor the node produced (weakly) and the nodes that use it
(their anchors, weakly, with the ``next_functions`` index): a dead output is
reached around by climbing to a user whose output is alive, then walking down its
``next_functions``. A node nobody can reach that way (only the user's own variable
holds it) is reported gone, never kept alive by gradviz.
"""

from __future__ import annotations

import itertools
import weakref

import torch

__all__ = ["KEY", "Anchor", "FunctionRef", "Ids"]

KEY = "gradviz"  # the key of a node's anchor in its ``metadata`` dict


class Anchor:
    """Lives in a grad_fn's ``metadata``: its id, output and users."""

    __slots__ = ("id", "out", "users", "prune_at", "__weakref__")

    def __init__(self, nid):
        self.id = nid
        self.out = None  # weakref to the tensor the node produced
        # [weakref to a user's anchor, index in its next_functions, ...]: pairs laid flat
        # (a tuple per pair would be one more object per edge for the garbage collector)
        self.users = []
        self.prune_at = 16  # users are pruned of dead ones when there are this many items

    def prune(self) -> None:
        """Drop users that died (a parameter's AccumulateGrad gets one more user per
        training step); called when ``users`` reaches ``prune_at``, amortized O(1)."""
        users = self.users
        kept = []
        for k in range(0, len(users), 2):
            if users[k]() is not None:
                kept += users[k:k + 2]
        users[:] = kept
        self.prune_at = max(16, 2 * len(users))


def resolve(anchor) -> object | None:
    """The grad_fn ``anchor`` lives in, reached from a live output, or None."""
    down = {anchor: None}  # anchor -> (the anchor it was reached from, next_functions index)
    queue = [anchor]
    for here in queue:  # breadth first: the shortest way round dead outputs
        out = here.out() if here.out is not None else None
        fn = out.grad_fn if out is not None else None
        if fn is not None and fn.metadata.get(KEY) is here:
            while down[here] is not None:
                here, index = down[here]
                fn = fn.next_functions[index][0]
            return fn
        users = here.users
        for k in range(0, len(users), 2):
            user, index = users[k](), users[k + 1]
            if user is not None and user not in down:
                down[user] = (here, index)
                queue.append(user)
    return None


class FunctionRef(weakref.KeyedRef):
    """A weak reference to a grad_fn (through its anchor), as ``weakref.KeyedRef``."""

    __slots__ = ()

    def __call__(self):
        anchor = super().__call__()
        if anchor is None:
            return None
        with torch._C.DisableTorchFunction():
            return resolve(anchor)


class _TensorRef(weakref.ref):
    """A weak reference to a tensor that has an id (one object per tensor: no closure,
    and no Python ``__init__`` as ``weakref.KeyedRef`` has)."""

    __slots__ = ("ids", "key", "nid")


def _forget(ref) -> None:
    """A tensor with an id died: forget it (its ``id()`` may be reused)."""
    ids = ref.ids
    if ids._tids.get(ref.key) == ref.nid:
        del ids._tids[ref.key]
    ids._tensors.pop(ref.nid, None)


class Ids:
    """Hands out ids shared by tensors and nodes, never reused."""

    def __init__(self):
        self._count = itertools.count(1)
        self._tids: dict[int, int] = {}  # id(tensor) -> its gradviz id
        self._tensors: dict[int, weakref.ref] = {}  # gradviz id -> the tensor

    # ------------------------------------------------------------ tensors
    def tensor_id(self, t) -> int:
        key = id(t)
        nid = self._tids.get(key)
        if nid is None:
            nid = self._tids[key] = next(self._count)
            ref = self._tensors[nid] = _TensorRef(t, _forget)
            ref.ids, ref.key, ref.nid = self, key, nid
        return nid

    def known_tensor(self, t) -> int | None:
        return self._tids.get(id(t))

    def tensor_by_id(self, i):
        ref = self._tensors.get(i)
        return ref() if ref is not None else None

    # ------------------------------------------------------------ grad_fn nodes
    @staticmethod
    def anchor_of(fn) -> Anchor | None:
        return fn.metadata.get(KEY)

    def register(self, fn) -> Anchor:
        """``fn``'s anchor, made (with those of its unseen ancestors) if it has none."""
        anchor = fn.metadata.get(KEY)
        return anchor if anchor is not None else self.register_new(fn)[0][0]

    def register_new(self, fn) -> list:
        """Anchors for ``fn`` (which has none) and its unseen ancestors:
        ``[(anchor, node, next_functions, next ids), ...]``, ``fn`` first, each before its
        inputs; ``next ids`` are ``((anchor id or None, input_nr), ...)`` as events carry them."""
        anchor = fn.metadata[KEY] = Anchor(next(self._count))
        made = [(anchor, fn, fn.next_functions, [])]
        for here, _, nexts, next_ids in made:  # grows while it runs: every unseen ancestor, once
            index = 0
            for nxt, nr in nexts:
                if nxt is None:
                    next_ids.append((None, nr))
                else:
                    metadata = nxt.metadata
                    there = metadata.get(KEY)
                    if there is None:
                        there = metadata[KEY] = Anchor(next(self._count))
                        made.append((there, nxt, nxt.next_functions, []))
                    users = there.users
                    users += (weakref.ref(here), index)
                    if len(users) >= there.prune_at:
                        there.prune()
                    next_ids.append((there.id, nr))
                index += 1
        return made

    def tensor_ref(self, tid):
        """The weak reference ``tensor_id`` keeps to the tensor ``tid`` (None if it died)."""
        return self._tensors.get(tid)

    def function_id(self, fn) -> int:
        anchor = fn.metadata.get(KEY)
        return (anchor if anchor is not None else self.register(fn)).id
