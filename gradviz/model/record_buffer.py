"""Recording at the speed of the program: the model's event subscriber keeps each op's
events as raw records and builds the graph from them only when someone looks.

A recorded op brings a ``FunctionCreated`` and the ``TensorCreated`` of its output. Turning
them into networkx nodes, attribute dicts, edges and weak references costs several times
the op itself, so on the hot path ``RecordBuffer._on_event`` only appends the ``FunctionCreated``'s
fields, where it was made and the output's shape to a list: what must be read while the
program runs (the user's line for ``provenance``; the shape, as the output tensor is not
kept) is read then. Backward's events are kept the same way, with what they need of the
live program read when they come (gradients copied, the root tensors and loss value).
Every other event, every read of
``model.graph`` and the queries built on it, ``flush`` (the app's batched notifications),
a change of the running ``nn.Module`` and ``detach`` first replay the records in order
through the handlers of :mod:`gradviz.model.graph_events`, so what anyone sees is exactly
what recording each event at once would give. At ``LIMIT`` the list is replayed anyway:
the grad_fn nodes it holds (and their saved tensors) outlive the program's use of them by
a bounded number of ops. A program that drops its graphs without ever looking, running
backward or calling a Module is rare; in the app the window looks a few times a second.

    >>> from gradviz.model import GraphModel
    >>> model = GraphModel()
    >>> model.attach()
    >>> y = gradviz.ones(1, requires_grad=True) * 2
    >>> len(model._records) > 0  # the op is recorded, its nodes not built yet
    True
    >>> model.graph.nodes[model.node_of(y.grad_fn)]["name"], len(model._records)
    ('MulBackward0', 0)
    >>> model.detach()
"""

from __future__ import annotations

import gc

from gradviz.events import types as ev

__all__ = ["LIMIT", "RecordBuffer"]

LIMIT = 180_000  # list items kept (9 per op: 20,000 ops) before a replay nobody asked for
_FunctionCreated, _TensorCreated, _TensorReleased = (ev.FunctionCreated, ev.TensorCreated,
                                                     ev.TensorReleased)
_OUTPUT = object()  # the first item of the record of an op's output
_EVENT = object()  # the first item of an event's record: (_EVENT, handler, arguments)


class RecordBuffer:
    """Mixed into GraphModel (with ``GraphEvents``, whose handlers replay the records)."""

    def _init_records(self):
        # one flat list, in program order: per op the first six fields of its FunctionCreated
        # and where it was made, then _OUTPUT and its output's shape; _EVENT, handler, arguments for
        # backward's events. Flat, and without the event tuples: long-lived containers are
        # what the garbage collector walks again and again
        self._records: list = []
        self._backward_depth = 0  # backward calls running now (counted as their events come)

    def _on_event(self, event):
        """The model's subscriber: keeps an op's events raw, handles the rest in order."""
        cls = event.__class__
        records = self._records
        if cls is _FunctionCreated:
            # one extend (a plain tuple: at C speed), after the call: an interrupt raised in
            # the recording thread never leaves half a record
            records += event[:6] + (self._where(),)
            if len(records) >= LIMIT:
                self._replay()
            return
        if cls is _TensorCreated and records and event.role == "output":
            # the output of the op just recorded (the last record is a FunctionCreated's:
            # it ends with output_id, input_ids, where)
            if records[-2] is not _OUTPUT and records[-3] == event.tensor_id \
                    and not self.watch_nonfinite:
                records += (_OUTPUT, self._shape(event.tensor))  # not the tensor
                return
        if cls is _TensorReleased:  # queued in order, handled at the next replay: it may
            records += (_EVENT, self._handlers[cls], (event,))  # come from any thread
            return
        later = _LATER.get(cls)
        if later is not None:
            kept = later(self, event)
            if kept is not None:
                if kept:
                    records += kept
                    if len(records) >= LIMIT:
                        self._replay()
                return
        if records:
            self._replay()
        handler = self._handlers.get(cls)
        if handler is not None:
            handler(self, event)

    def _replay(self) -> None:
        """Build the graph from the records kept so far (see the module docstring).

        The garbage collector is paused meanwhile: everything made here stays reachable,
        and its passes over the young nodes, again and again, cost more than the rest."""
        records, self._records = self._records, []
        made, output = self._record_function, self._record_output
        collecting = gc.isenabled()
        gc.disable()
        try:
            i = 0
            while i < len(records):  # (len again: what an event on another thread adds)
                first = records[i]
                if first is _OUTPUT:
                    output(records[i + 1])
                    i += 2
                elif first is _EVENT:
                    records[i + 1](self, *records[i + 2])
                    i += 3
                else:  # function, function_id, name, next_functions, output_id, input_ids,
                    # where; then usually its output's record
                    if i + 8 < len(records) and records[i + 7] is _OUTPUT:
                        made(first, records[i + 1], records[i + 3], records[i + 4],
                             records[i + 5], records[i + 6], records[i + 8])
                        i += 9
                    else:
                        made(first, records[i + 1], records[i + 3], records[i + 4],
                             records[i + 5], records[i + 6])
                        i += 7
        finally:
            if collecting:
                gc.enable()


# ---------------------------------------------------------------- backward's events
# Each returns the record that replays an event later, read what it needs of the live
# program now; () when the event needs nothing done; None when it must be handled now.
def _node_executed(model, e):
    as_array = model.engine.as_array  # a copy for an engine that reuses the memory (torch)
    e = e.__class__(e.function, e.function_id, as_array(e.grad_in),
                    tuple([as_array(g) for g in e.grads_out]))
    return (_EVENT, model._handlers[e.__class__], (e,))


def _as_it_is(model, e):  # nothing to read now: the event holds it
    return (_EVENT, model._handlers[e.__class__], (e,))


def _backward_started(model, e):
    model._backward_depth += 1  # (as it comes: a forward run inside it is not the user's)
    if model.track_saved_memory or not e.tensors:  # (measured before anything is freed)
        return None
    return (_EVENT, model._backward_started.__func__, (e.roots, *model._backward_roots(e)))


_LATER = {ev.NodeExecuted: _node_executed, ev.NodesExecuted: _as_it_is,
          ev.GradAccumulated: _as_it_is,
          ev.SavedTensorsFreed: _as_it_is, ev.BackwardStarted: _backward_started}
# BackwardFinished is handled as it comes: the run's numbers (each leaf's grad-to-value
# ratio, the flow through the nodes run) are read before an optimizer step changes them
