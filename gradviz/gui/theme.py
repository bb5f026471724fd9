"""Light and dark themes: the graph's colours and the widgets' stylesheet.

    theme = apply_theme(QtWidgets.QApplication.instance(), "dark")
    theme.leaf          # the fill of a leaf that requires grad
    '#1d4e80'

The colours name what they paint in the user's vocabulary (leaf, output,
AccumulateGrad, ghost constant); ``resources/styles/<name>.qss`` styles the widgets.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from PySide6 import QtGui, QtWidgets


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    text: str
    muted: str
    edge: str
    function: str  # fill of a grad_fn node
    function_border: str
    accumulate: str  # fill of an AccumulateGrad node
    accumulate_border: str
    leaf: str  # a leaf that requires grad
    leaf_border: str
    plain: str  # a tensor that does not require grad (detached, no_grad results)
    plain_border: str
    output: str
    output_border: str
    ghost_border: str  # constants autograd did not record: dashed, no fill
    new: str  # halo of the nodes the latest statement created
    selected: str
    freed: str  # the "saved tensors freed" badge
    executed: str  # the backward order badge
    legend_bg: str
    found: str  # the ring around nodes Find matched (not the "new" yellow)


LIGHT = Theme(
    name="light", background="#f7f8fa", text="#1f2328", muted="#6a737d", edge="#8c939d",
    function="#e6e8eb", function_border="#a3a9b1", accumulate="#dfe7f1",
    accumulate_border="#6f8fb5", leaf="#a9d1ff", leaf_border="#2f6db3", plain="#eef1f4",
    plain_border="#9aa5b1", output="#bfe8a6", output_border="#4a9a2c", ghost_border="#a0a6ad",
    new="#ffd43b", selected="#e8590c", freed="#d9480f", executed="#7048e8",
    legend_bg="#eeffffff", found="#0c8599",
)

DARK = Theme(
    name="dark", background="#1b1d21", text="#e3e5e8", muted="#8b949e", edge="#6e7681",
    function="#33373d", function_border="#5a616b", accumulate="#2a3442",
    accumulate_border="#6f8fb5", leaf="#1d4e80", leaf_border="#5aa2f0", plain="#2b2f35",
    plain_border="#5c6570", output="#2d5a1e", output_border="#7cc957", ghost_border="#6a717a",
    new="#e0b100", selected="#ff8a3d", freed="#ff7043", executed="#9775fa",
    legend_bg="#ee25282e", found="#3bc9db",
)

THEMES = {"light": LIGHT, "dark": DARK}


def mix(a: str, b: str, k: float) -> QtGui.QColor:
    """``k`` of colour ``a`` over colour ``b``."""
    ca, cb = QtGui.QColor(a), QtGui.QColor(b)
    return QtGui.QColor.fromRgbF(*(k * x + (1 - k) * y for x, y in
                                   zip(ca.getRgbF()[:3], cb.getRgbF()[:3], strict=True)))


def stylesheet(name: str) -> str:
    """The widgets' stylesheet shipped as ``resources/styles/<name>.qss``."""
    return resources.files("gradviz.resources").joinpath("styles", f"{name}.qss").read_text()


def _palette(theme: Theme) -> QtGui.QPalette:
    pal = QtGui.QPalette()
    if theme.name == "dark":
        role = QtGui.QPalette.ColorRole
        colors = {role.Window: "#23262b", role.WindowText: theme.text, role.Base: "#1b1d21",
                  role.AlternateBase: "#262a30", role.Text: theme.text, role.Button: "#2c3036",
                  role.ButtonText: theme.text, role.ToolTipBase: "#2c3036",
                  role.ToolTipText: theme.text, role.Highlight: "#3d6fb6",
                  role.HighlightedText: "#ffffff", role.PlaceholderText: theme.muted,
                  role.Link: "#79b8ff", role.Mid: "#3a3f46", role.Dark: "#15171a"}
        for r, c in colors.items():
            pal.setColor(r, QtGui.QColor(c))
    else:
        pal = QtWidgets.QStyleFactory.create("Fusion").standardPalette()
    return pal


def apply_theme(qapp: QtWidgets.QApplication, name: str = "light") -> Theme:
    """Style the whole application as ``name`` ("light" or "dark"); returns its colours."""
    theme = THEMES[name]
    qapp.setStyle("Fusion")
    qapp.setPalette(_palette(theme))
    qapp.setStyleSheet(stylesheet(name))
    return theme
