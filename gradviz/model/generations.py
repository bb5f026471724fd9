"""What becomes of nodes whose tensor or grad_fn died: the release policies.

A training loop rebuilds its graph every iteration, as torch does; the previous
iteration's graph dies when ``loss`` is reassigned. Policies (``GraphModel(release_policy=)``):

- ``"latest"`` (the default): the current graph, plus at most one released generation
  drawn faded, and only when it teaches something: the first time a graph of that shape
  is released (the tutorial's reassigned ``z``). A loop's iterations repeat one shape, so
  from the second iteration on they leave the picture as soon as they die; what they did
  stays in the run history (``model.runs``) and the leaves' ``.grad`` timelines.
- ``"fade"``: every released node stays, faded (a loop piles up its iterations).
- ``"remove"``: released nodes leave the graph at once.
- ``"keep"``: released nodes stay drawn as if alive.

    gens = Generations()
    gens.released(7)
    remove, fade = gens.settle(graph)   # once per flush

A generation is what one flush (a console statement) released, split into connected
pieces; a piece's shape is the multiset of its grad_fn names (of its tensors' roles when
it has no grad_fn: the same graph held by a name or not is one shape). A piece is a repeat when
its shape was released before, or appears twice in the same flush (a loop run by one
statement).
"""

from __future__ import annotations

from collections import Counter, OrderedDict

POLICIES = ("latest", "keep", "fade", "remove")
SHAPES_REMEMBERED = 256  # released shapes remembered as seen (a bounded memory)


def piece_shape(graph, piece) -> tuple:
    """What tells one released piece from another: its grad_fn names (with how many of
    each), or its tensors' roles when it holds no grad_fn."""
    nodes = graph._node
    names = [nodes[n]["name"] for n in piece if nodes[n].get("kind") == "function"]
    if not names:
        names = [f"tensor:{nodes[n].get('role')}" for n in piece]
    return tuple(sorted(Counter(names).items()))


class Generations:
    """The released nodes of the ``"latest"`` policy: which are faded, which go."""

    def __init__(self):
        self.faded: set = set()  # the one released generation drawn faded
        self._fresh: dict = {}  # released since the last settle, in order (a set with order)
        self._seen: OrderedDict = OrderedDict()  # shapes released before

    def released(self, nid) -> None:
        self._fresh[nid] = None

    def forget(self) -> None:
        self.faded.clear()
        self._fresh.clear()
        self._seen.clear()

    def settle(self, graph) -> tuple[set, set]:
        """``(remove, fade)``: the nodes to take out of ``graph`` and those drawn faded,
        once the nodes released since the last call are known."""
        fresh = [n for n in self._fresh if n in graph]
        self._fresh.clear()
        if not fresh:
            return set(), set()
        pieces = _pieces(graph, fresh)
        shapes = [piece_shape(graph, p) for p in pieces]
        counts = Counter(shapes)
        remove = {n for n in self.faded if n in graph}
        fade = set()
        for piece, shape in zip(pieces, shapes, strict=True):
            if shape in self._seen or counts[shape] > 1:
                remove |= piece
            else:
                fade |= piece
            self._seen[shape] = None
            self._seen.move_to_end(shape)
        while len(self._seen) > SHAPES_REMEMBERED:
            self._seen.popitem(last=False)
        self.faded = fade
        return remove, fade


def _pieces(graph, nodes) -> list[set]:
    """``nodes`` split into the pieces they form in ``graph`` (edges either way, among
    ``nodes`` only), in the order their first node comes in ``nodes``."""
    inside = set(nodes)
    seen, pieces = set(), []
    succ, pred = graph._succ, graph._pred
    for start in nodes:
        if start in seen:
            continue
        piece, stack = {start}, [start]
        seen.add(start)
        while stack:
            n = stack.pop()
            for m in (*succ[n], *pred[n]):
                if m in inside and m not in seen:
                    seen.add(m)
                    piece.add(m)
                    stack.append(m)
        pieces.append(piece)
    return pieces
