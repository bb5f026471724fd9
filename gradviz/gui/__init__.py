"""The gradviz desktop app (PySide6 + pyqtgraph): the only package that imports Qt.

    from gradviz.gui import App, render_model
    window = App(); window.show()

``App`` is the main window (``gradviz.gui.app``); ``render_model`` / ``render_script`` draw a
graph headlessly (``gradviz.gui.render``). Submodules are imported lazily so that
``import gradviz.gui.render`` does not build widgets it does not need.
"""

__all__ = ["App", "render_model", "render_script"]


def __getattr__(name):
    if name == "App":
        from gradviz.gui.app import App

        return App
    if name in ("render_model", "render_script"):
        from gradviz.gui import render

        return getattr(render, name)
    raise AttributeError(name)
