"""The inspector: the selected node of the graph, as torch describes it.

    from gradviz.gui.inspector import InspectorPanel
    panel = InspectorPanel(model)
    panel.show_node(model.node_of(loss))
"""

from gradviz.gui.inspector.panel import InspectorPanel

__all__ = ["InspectorPanel"]
