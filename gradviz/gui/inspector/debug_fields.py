"""The inspector's debugging rows for a grad_fn node: where it was created, the bytes its
saved tensors hold, and whether NaN or Inf went through it (texts only, no widgets).

    debug_fields(model, nid)            # 'created at' is a link (statement or file)
    {'created at': '<a href="statement:4">statement 4: c = b.log()</a>',
     'saved for backward': '8 B (self)',
     'NaN / Inf': 'origin: born here in the forward'}
"""

from __future__ import annotations

import html

from gradviz.model.provenance import describe_where
from gradviz.model.saved_memory import format_bytes, measure_node


def _link(where, text) -> str:
    """``text`` as a link the inspector's label emits: ``statement:N`` or ``file:LINE:PATH``."""
    if not text:
        return "—"
    filename, line, number = where
    href = f"statement:{number}" if number is not None else f"file:{line}:{filename}"
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


def debug_fields(model, nid) -> dict:
    data = model.graph.nodes[nid]
    where = _link(data.get("where"), describe_where(data.get("where"), model.provenance.texts))
    entries = measure_node(model, nid)
    if entries:
        sizes = dict((key, n) for _, key, n in entries)
        names = ", ".join(dict.fromkeys(name for name, _, _ in entries))
        saved = f"{format_bytes(sum(sizes.values()))} ({names})"
        if data.get("freed"):
            saved += ", freed by backward"
    else:
        saved = "nothing" if entries is not None else "—"
    mark = data.get("nonfinite")
    if not mark:
        nonfinite = "—"
    elif data.get("nonfinite_origin"):
        nonfinite = f"origin: born here in the {mark}"
    else:
        nonfinite = f"carried on in the {mark}"
    return {"created at": where, "saved for backward": saved, "NaN / Inf": nonfinite}
