"""How nodes are named outside the drawing: the hover text and Find's ranking.

    node_tooltip(model, nid)
    '<b>w</b> (leaf)<br>shape (5, 3), dtype float32<br>...'
    find_ranked(model.graph, model.graph.nodes, "w")      # w first, never ...Backward0
"""

from __future__ import annotations

from gradviz.gui.graph_drawing import shape_text


def node_tooltip(model, nid: int) -> str:
    """Name, shape and dtype of node ``nid`` (the graph's hover text)."""
    d = model.graph.nodes[nid]
    if d["kind"] == "function":
        lines = [f"<b>{d['name']}</b>", f"output shape {shape_text(d.get('shape'))}"]
        if d.get("formula"):
            lines.append(f"<span style='font-family:monospace'>{_html(d['formula'])}</span>")
        if d.get("freed"):
            lines.append("saved tensors freed by backward()")
    else:
        name = d.get("name") or d.get("role")
        lines = [f"<b>{_html(name)}</b> ({d.get('role')})",
                 f"shape {shape_text(d.get('shape'))}, dtype {d.get('dtype')}",
                 f"requires_grad={d.get('requires_grad')}, is_leaf={d.get('is_leaf')}"]
        if d.get("ghost"):
            lines.append("constant: autograd did not record it")
        if d.get("released"):
            lines.append("released: the tensor object is gone")
    if nid in model.pinned:
        lines.append("pinned (right-click to unpin)")
    return "<br>".join(lines)


def _html(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def find_ranked(graph, ids, text: str) -> list[int]:
    """The nodes ``text`` names, best first: variables named exactly ``text``, then grad_fns
    of that torch name, then variable names and torch names starting with it, then
    variable names containing it. A collapsed module group counts as a variable named by its
    path (``net.3``), or by its path's last part (``conv2``). Case is ignored; a torch name
    is never matched in its middle, so "w" finds ``w``, not every ``...Backward0``.

        find_ranked(model.graph, model.graph.nodes, "mul")   # MulBackward0 nodes
    """
    text = text.strip().lower()
    if not text:
        return []
    ranked = []
    for n in ids:
        d = graph.nodes[n]
        var = str(d.get("name") or "").lower() if d["kind"] == "tensor" else ""
        if d["kind"] == "group":  # a collapsed module: by its path, or its last part
            var = str(d.get("path") or "").lower()
            if var.rsplit(".", 1)[-1] == text:
                var = text
        torch_name = str(d.get("name") or "").lower() if d["kind"] == "function" else ""
        if var == text:
            rank = 0
        elif torch_name == text:
            rank = 1
        elif var.startswith(text):
            rank = 2
        elif torch_name.startswith(text):
            rank = 3
        elif text in var:
            rank = 4
        else:
            continue
        ranked.append((rank, n))
    return [n for _, n in sorted(ranked)]
