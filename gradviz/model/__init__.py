"""The Qt-free model of the autograd graph: ``GraphModel``, layout and exports."""

from gradviz.model.graph_model import Change, GradEntry, GraphModel

__all__ = ["Change", "GradEntry", "GraphModel"]
