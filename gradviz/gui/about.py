"""Help > About gradviz: what it is, its version and the versions it runs on.

    show_about(window).text()
    '<b>gradviz 0.1.0</b>...'
"""

from __future__ import annotations

import platform

import networkx
import numpy
import pyqtgraph
import PySide6
from PySide6 import QtCore, QtWidgets

import gradviz


def about_text() -> str:
    """The About box's text (rich text)."""
    return (f"<b>gradviz {gradviz.__version__}</b><br>"
            "Automatic differentiation, live: a NumPy autograd engine with PyTorch's API "
            "(<code>import gradviz as torch</code>) and an app that draws its graph as it "
            "grows.<br><br>"
            f"Python {platform.python_version()} · PySide6 {PySide6.__version__} "
            f"(Qt {QtCore.qVersion()}) · pyqtgraph {pyqtgraph.__version__} · "
            f"NumPy {numpy.__version__} · networkx {networkx.__version__}<br>"
            "MIT licence")


def show_about(parent) -> QtWidgets.QMessageBox:
    """Open the About box (not modal: the app keeps running); returns it."""
    box = QtWidgets.QMessageBox(parent)
    box.setWindowTitle("About gradviz")
    box.setTextFormat(QtCore.Qt.TextFormat.RichText)
    box.setText(about_text())
    box.setStandardButtons(QtWidgets.QMessageBox.StandardButton.Close)
    box.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
