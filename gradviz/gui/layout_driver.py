"""Where the view gets node positions: the model's layout, kept off the GUI's critical path.

Small graphs ask ``model.positions()`` directly (incremental, milliseconds). Past
``SYNC_LIMIT`` nodes, or once a direct layout took longer than ``SYNC_BUDGET`` (deep
graphs such as an unrolled recurrent net can take seconds), new nodes get a provisional
place at once (under their inputs, in a free slot of their layer) and the layered layout
runs on a snapshot in a background thread; its positions replace the provisional ones
when it finishes. Existing nodes keep their place in both cases (``previous=`` seeds the
layout).

    driver = LayoutDriver(model)
    pos = driver.positions()          # {node id: (x, y)} in layout units
    driver.positionsReady.connect(view.update)
"""

from __future__ import annotations

import threading
import time

import networkx as nx
from PySide6 import QtCore

from gradviz.model.layout import layered

SYNC_LIMIT = 1500
SYNC_BUDGET = 0.1  # seconds: a direct layout slower than this moves layouts to the background
LAYER_GAP, NODE_STEP = 2.0, 1.5  # the model layout's defaults: layer distance, node spacing


class LayoutDriver(QtCore.QObject):
    """Positions for ``model``'s graph, computed synchronously or in the background."""

    positionsReady = QtCore.Signal()

    def __init__(self, model, parent=None, sync_limit: int = SYNC_LIMIT):
        super().__init__(parent)
        self.model = model
        self.sync_limit = sync_limit
        self._pos: dict = {}
        self._routes: dict = {}  # bend points of long edges, from the layout of _laid
        self._laid: dict = {}  # the positions that layout gave
        self.slow = False  # a direct layout overran SYNC_BUDGET: use the background from now
        self._job = None  # (thread, result holder, node set) of the running background layout
        self._debounce = QtCore.QTimer(self, singleShot=True, interval=300)
        self._debounce.timeout.connect(self._start_background)
        self._poll = QtCore.QTimer(self, interval=40)
        self._poll.timeout.connect(self._check_background)

    @property
    def busy(self) -> bool:
        """A background layout is scheduled or running."""
        return self._job is not None or self._debounce.isActive()

    def positions(self) -> dict:
        graph = self.model.shown_graph()
        if not graph.number_of_nodes():
            self.slow = False
        if graph.number_of_nodes() <= self.sync_limit and not self.slow:
            start = time.perf_counter()
            self._pos = dict(self.model.positions())
            self._routes, self._laid = dict(self.model.routes()), dict(self._pos)
            self.slow = time.perf_counter() - start > SYNC_BUDGET
            return self._pos
        pos = {n: self._pos[n] for n in graph if n in self._pos}
        pos.update(self.model.pinned)
        missing = [n for n in graph if n not in pos]
        if missing:
            _provisional(graph, pos, missing)
            self._debounce.start()
        self._pos = pos
        return pos

    def routes(self) -> dict:
        """``{(u, v): [(x, y), ...]}``: bend points of the edges drawn through them, for the
        edges whose ends are still where the layout that routed them put them."""
        pos, laid = {**self._pos, **self.model.pinned}, self._laid
        return {e: r for e, r in self._routes.items()
                if pos.get(e[0]) == laid.get(e[0]) and pos.get(e[1]) == laid.get(e[1])}

    def wait(self, timeout_ms: int = 60000) -> bool:
        """Finish any pending background layout now (tests, benchmarks, export)."""
        if self._debounce.isActive():
            self._debounce.stop()
            self._start_background()
        if self._job is not None:
            self._job[0].join(timeout_ms / 1000)
            self._check_background()
        return self._job is None

    # ------------------------------------------------------------ background layout
    def _start_background(self) -> None:
        if self._job is not None:  # one at a time; re-run when the current one lands
            self._debounce.start()
            return
        graph = self.model.layout_graph()  # what is drawn, with the module groups' hints
        snapshot = nx.MultiDiGraph()
        snapshot.add_nodes_from(graph.nodes)
        snapshot.add_edges_from(graph.edges())
        holder: dict = {}
        pinned, previous = self.model.pinned, dict(self._pos)
        routes = self.routes()  # (kept between nodes that stay put when few nodes are added)

        def work():
            try:
                holder["pos"] = layered(snapshot, pinned=pinned, previous=previous,
                                        routes=routes)
                holder["routes"] = routes
            except Exception as exc:  # a layout failure must not take the app down
                holder["error"] = exc

        thread = threading.Thread(target=work, name="gradviz-layout", daemon=True)
        self._job = (thread, holder, set(snapshot.nodes))
        thread.start()
        self._poll.start()

    def _check_background(self) -> None:
        if self._job is None:
            self._poll.stop()
            return
        thread, holder, nodes = self._job
        if thread.is_alive():
            return
        self._job = None
        self._poll.stop()
        result = holder.get("pos")
        if result is None:
            return
        graph = self.model.shown_graph()
        for n, xy in result.items():
            if n in graph:
                self._pos[n] = xy
        self._pos.update(self.model.pinned)
        self._routes, self._laid = holder["routes"], dict(result)
        if set(graph.nodes) - nodes:
            self._debounce.start()
        self.positionsReady.emit()


def _provisional(graph, pos: dict, missing: list) -> None:
    """Place ``missing`` nodes under their inputs (or above their consumer) in a free slot."""
    taken: dict[int, set] = {}
    for x, y in pos.values():
        taken.setdefault(round(y / LAYER_GAP), set()).add(round(x / NODE_STEP))

    right: dict[int, int] = {}  # per row: one past its rightmost slot

    def put(n, x, y):
        key = round(y / LAYER_GAP)
        row = taken.setdefault(key, set())
        if key not in right:
            right[key] = max(row, default=-1) + 1
        slot = round(x / NODE_STEP)
        for _ in range(8):  # a free slot near the wanted one, else the row's right end
            if slot not in row:
                break
            slot += 1
        else:  # (scanning on would cost O(row) a node: minutes for 50,000 new nodes)
            slot = right[key]
        row.add(slot)
        right[key] = max(right[key], slot + 1)
        pos[n] = (slot * NODE_STEP, y)

    later = []
    for n in missing:
        above = [pos[p] for p in graph.predecessors(n) if p in pos]
        if above:
            put(n, sum(p[0] for p in above) / len(above), max(p[1] for p in above) + LAYER_GAP)
        else:
            later.append(n)
    for n in later:
        below = [pos[s] for s in graph.successors(n) if s in pos]
        if below:
            put(n, below[0][0], min(p[1] for p in below) - LAYER_GAP)
        else:
            put(n, 0.0, 0.0)
