"""The backward engine: an iterative walk of the grad_fn graph.

``backward`` counts, for every node reachable from the roots, how many edges
lead into it; a node runs once all of them have delivered their gradient. Ready
nodes run newest first (a heap on creation order, AccumulateGrad first), as
torch's engine does. No recursion, so a chain of 100,000 ops is fine.
"""

from __future__ import annotations

import heapq
import sys
import warnings

import numpy as np

from gradviz.core.autograd import anomaly_mode, emit, record
from gradviz.core.autograd.formulas import apply_node
from gradviz.core.autograd.function import ACC_KEY, ROWS, AccumulateGrad
from gradviz.core.autograd.grad_mode import state as grad_state
from gradviz.core.autograd.hooks import check_tensor_hook, run_post_hooks, run_pre_hooks, to_tensor
from gradviz.core.tensors.tensor import Size, Tensor
from gradviz.events import dispatcher

CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using autograd.grad "
    "when creating the graph to avoid this. If you have to use this function, make sure to "
    "reset the .grad fields of your parameters to None after use to break the cycle and avoid "
    "the leak."
)


def _as_tuple(x):
    if x is None:
        return None
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _roots(tensors, grads, create_graph, func="backward"):
    T = Tensor
    grads = grads if grads is not None else (None,) * len(tensors)
    for g in grads:
        if g is not None and not isinstance(g, T):
            raise TypeError(f"gradients can be either Tensors or None, but got "
                            f"{type(g).__name__}")
    if len(grads) < len(tensors):  # extra gradients are ignored, as torch's zip does
        raise RuntimeError(f"got {len(tensors)} tensors and {len(grads)} gradients")
    pairs = list(enumerate(zip(tensors, grads[:len(tensors)], strict=True)))
    for i, (t, g) in pairs:  # torch's _make_grads first: sizes, implicit grads for scalars
        if not isinstance(t, T):
            raise TypeError(f"{func}(): argument 'tensors' must be tuple of Tensors, not "
                            f"{type(t).__name__}")
        if g is None:
            if t.requires_grad and t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
        elif g._data.shape != t._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of "
                f"{Size(g._data.shape)!r} and output[{i}] has a shape of "
                f"{Size(t._data.shape)!r}."
            )
    roots = []
    for i, (t, g) in pairs:  # then the engine's own checks
        if not t.requires_grad:  # the property: a view whose base changed is regenerated
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        if g is None:
            data = np.empty(t._data.shape, t._data.dtype)
            data.fill(1)
            g = T._make(data) if create_graph else data
        else:
            g = g if create_graph else np.asarray(g._data, dtype=t._data.dtype)
        node = t._grad_fn if t._grad_fn is not None else record.accumulator(t)
        if node is None:  # a view taken under no_grad: it says it requires grad, as torch
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        roots.append((node, g))
    return roots


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the leaves.

    >>> x = gradviz.ones(2, requires_grad=True)
    >>> gradviz.autograd.backward((x * x).sum())
    >>> x.grad
    tensor([2., 2.])
    """
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    roots = _roots(tensors, grad_tensors, create_graph)
    if create_graph:
        warnings.warn(CREATE_GRAPH_WARNING, UserWarning, stacklevel=2)
    only = None
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        for t in inputs:
            t.retain_grad()  # as torch: a non-leaf input gets its .grad (and keeps retaining)
        only = {_input_node(t): t for t in inputs}
    run(roots, retain_graph, create_graph, only=only, accumulate=True, tensors=tensors)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned (not accumulated).

    >>> x = gradviz.tensor([3.0], requires_grad=True)
    >>> (g,) = gradviz.autograd.grad(x ** 2, x, create_graph=True)
    >>> g
    tensor([6.], grad_fn=<MulBackward0>)
    """
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, "
            "but got: allow_unused=False."
        )
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if allow_unused is None:
        allow_unused = materialize_grads
    if retain_graph is None:
        retain_graph = create_graph
    roots = _roots(outputs, _as_tuple(grad_outputs), create_graph, "grad")
    for t in inputs:  # (after the outputs' checks, as torch's engine)
        if not isinstance(t, Tensor):
            raise RuntimeError(f"all inputs have to be Tensors or GradientEdges, but got "
                               f"{type(t).__name__}")
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    targets = {_input_node(t): None for t in inputs}
    sums = None if create_graph else {}  # (create_graph adds out of place: version 0)
    captured = run(roots, retain_graph, create_graph, only=targets, accumulate=False, sums=sums,
                   tensors=outputs)
    result = []
    for i, t in enumerate(inputs):
        g = captured.get(_input_node(t))
        if g is None:
            if materialize_grads:
                result.append(Tensor._make(np.zeros_like(t._data)))
                continue
            if not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
            result.append(None)
        else:
            out = to_tensor(g) if create_graph else Tensor._make(np.array(g))
            if sums:
                added = sums.get(_input_node(t))
                if added:
                    out._vbox = [added]
            result.append(out)
    return tuple(result)


def _input_node(t):
    if t._grad_fn is not None:
        return t._grad_fn
    return record.accumulator(t)


def _reachable(starts):
    """Dependency counts: how many edges lead into each node reachable from ``starts``."""
    deps = {}
    stack = list(starts)
    while stack:
        for nxt in stack.pop()._next:
            if nxt is not None:
                count = deps.get(nxt)
                if count is None:
                    deps[nxt] = 1
                    if nxt not in starts:
                        stack.append(nxt)
                else:
                    deps[nxt] = count + 1
    return deps


def _needed(seen, targets):
    """Nodes from which some target is reachable (the only ones worth running)."""
    needed = set(targets) & seen
    parents = {}
    for node in seen:
        for nxt in node._next:
            if nxt is not None:
                parents.setdefault(nxt, []).append(node)
    stack = list(needed)
    while stack:  # walk the reverse edges up from the targets, without recursion
        node = stack.pop()
        for p in parents.get(node, ()):
            if p not in needed:
                needed.add(p)
                stack.append(p)
    return needed


_NONE = (None,)  # what a node that received no gradient passes on


def run(roots, retain_graph, create_graph, only=None, accumulate=True, sums=None, tensors=()):
    """Execute the graph below ``roots``; returns the gradients captured at ``only``.
    ``sums``, a dict, counts per node the gradients added into its buffer (torch adds in
    place: the version ``autograd.grad``'s results show); ``tensors``, those the roots
    come from (for the events).

    A node's saved tensors are released right after it runs (unless ``retain_graph``), as
    torch's engine does, so a backward that fails half-way has freed what already ran."""
    if record.retaining:
        _follow_retained()
    buffers = {}
    for node, g in roots:
        buffers[node] = buffers[node] + g if node in buffers else g
    starts = dict.fromkeys(buffers)  # ordered, a root given twice is walked once
    deps = _reachable(starts)
    needed = _needed(deps.keys() | starts.keys(), only) if only is not None else None
    captured = {}
    heap = [(ACC_KEY - node.id if type(node) is AccumulateGrad else -node.id, node)
            for node in starts if node not in deps]  # newest first, AccumulateGrad at once
    heapq.heapify(heap)
    executed = []  # for the model: the nodes whose saved tensors were released
    watching = dispatcher.active
    if watching:  # (an output slot of a node with several outputs shows as that node)
        emit.backward_started([(n if n._slot_of is None else n._slot_of, g) for n, g in roots],
                              retain_graph, create_graph, tensors)
    previous_mode = grad_state.enabled
    grad_state.enabled = create_graph
    pop, push, pop_buffer = heapq.heappop, heapq.heappush, buffers.pop
    run_formulas = apply_node if not anomaly_mode.state.enabled else anomaly_mode.checking(
        apply_node)
    acc_class = AccumulateGrad
    try:
        ready = None  # the one node that became ready while the heap was empty: runs next
        while heap or ready is not None:
            if ready is not None:  # what the heap would give: a chain skips it
                node, ready = ready, None
            else:
                node = pop(heap)[1]
            grad = pop_buffer(node, None)
            if grad is not None and node._pre_hooks:
                grad = run_pre_hooks(node, grad, create_graph)
            if not accumulate and grad is not None and type(node) is acc_class and \
                    node.variable._hooks and (node in starts or node in only):
                grad = _tensor_hooks(node.variable, grad, create_graph)  # as torch's capture
            if only is not None:
                if node in only:
                    captured[node] = grad
                    if node._next and not any(n in needed for n in node._next):
                        grad = None  # nothing below it is wanted: it need not run
                elif node not in needed:
                    grad = None
            if type(node) is acc_class:  # a leaf detach_()ed since takes nothing, as torch
                if grad is not None and accumulate and node.variable._requires_grad:
                    accumulate_grad(node, grad, create_graph)
                    if watching:
                        emit.node_executed(node, grad, ())
                continue
            edges = node._next
            if grad is None:  # nothing reached this node: its inputs get nothing either
                grads = _NONE * len(edges)
            else:
                grads = run_formulas(node, grad, create_graph)
                if watching or node._hooks:
                    if node._hooks:
                        grads = run_post_hooks(node, grads, grad, create_graph)
                    if watching and node._slot_of is None:  # (slots are the engine's own)
                        emit.node_executed(node, getattr(grad, "first", grad), grads)
                    if not retain_graph:
                        node.release_saved()
                        executed.append(node)
                elif not retain_graph:
                    node.release_saved()
            i = -1
            for nxt in edges:
                i += 1
                if nxt is None:
                    continue
                g = grads[i]
                if g is not None:
                    if nxt in buffers:
                        buffers[nxt] = buffers[nxt] + g
                        if sums is not None:
                            sums[nxt] = sums.get(nxt, 0) + 1
                    else:
                        buffers[nxt] = g
                left = deps[nxt] - 1
                deps[nxt] = left
                if not left:
                    if ready is None and not heap:
                        ready = nxt
                        continue
                    if ready is not None:
                        push(heap, (-ready.id if type(ready) is not acc_class
                                    else ACC_KEY - ready.id, ready))
                        ready = None
                    push(heap, (-nxt.id if type(nxt) is not acc_class
                                else ACC_KEY - nxt.id, nxt))
            g = grads = None  # hold no gradient here: AccumulateGrad may take it, uncopied
    finally:
        grad_state.enabled = previous_mode
        if watching:
            emit.backward_finished(roots, executed)
    return captured


def _follow_retained():
    """A tensor that retains its grad and was changed in place has a new grad_fn: hook it."""
    for ref in list(record.retaining.values()):
        t = ref()
        if t is not None and t._grad_fn is not None and t._grad_fn is not t._retain_fn:
            t._attach_retain()


def _unshared(grad, t):
    """Whether ``grad`` can become ``t.grad`` without a copy, as torch's AccumulateGrad steals a
    gradient nobody else holds: a contiguous writable array of ``t``'s dtype referenced only
    by run()'s local, accumulate_grad's and this frame (getrefcount's argument makes 4), whose
    memory is its own or that of a base array nothing else references (a transposed result)."""
    if type(grad) is not np.ndarray or sys.getrefcount(grad) > 4:
        return False
    flags = grad.flags
    if grad.dtype != t._data.dtype or not flags.c_contiguous or not flags.writeable:
        return False
    if flags.owndata:
        return True
    base = grad.base
    return (type(base) is np.ndarray and base.base is None and base.size == grad.size
            and sys.getrefcount(base) <= 3)  # the view's own reference, base, the argument


def _tensor_hooks(t, grad, create_graph):
    """``grad`` through the hooks registered on the leaf ``t``, in order."""
    for hook in list(t._hooks):
        out = check_tensor_hook(hook, hook(to_tensor(grad)), grad)
        if out is not None:
            grad = out if create_graph else np.asarray(out._data)
    return grad


def accumulate_grad(node, grad, create_graph):
    """``variable.grad += grad`` (or ``= grad`` the first time), running tensor hooks first.

    As torch's AccumulateGrad: under ``create_graph`` the first gradient is a copy in the
    graph (``CopyBackwards``) and later ones are added out of place (``AddBackward0``);
    otherwise later ones are added in place, even into a ``.grad`` that has a grad_fn."""
    t = node.variable
    T = Tensor
    if t._hooks:
        for hook in list(t._hooks):
            out = check_tensor_hook(hook, hook(to_tensor(grad)), grad)
            if out is not None:
                grad = out if create_graph else np.asarray(out._data)
    before = t._grad
    watching = dispatcher.active
    snapshot = None if before is None or not watching else before._data.copy()
    if before is None:
        if create_graph:
            new = to_tensor(grad)
            if new._requires_grad:
                new = record.apply_op(ROWS["copy_"], (T._make(np.empty_like(t._data)), new))
            else:
                new = T._make(np.array(new._data, dtype=t._data.dtype))
        else:
            new = T._make(grad if _unshared(grad, t) else np.array(grad, dtype=t._data.dtype))
        t._set_grad(new)
    elif create_graph or not before._data.flags.writeable:
        t._set_grad(before + to_tensor(grad))
    else:
        np.add(before._data, grad, out=before._data, casting="unsafe")
        before._version_box()[0] += 1
    if watching:
        emit.grad_accumulated(t, snapshot)
    if t._post_accumulate_hooks:  # register_post_accumulate_grad_hook: after .grad is set
        for hook in list(t._post_accumulate_hooks):
            hook(t)
