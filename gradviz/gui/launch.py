"""Start the app: the QApplication, the window, its event loop (``gradviz`` without
``render``).

    raise SystemExit(run_app(script="train.py"))
"""

from __future__ import annotations

import sys

from PySide6 import QtCore, QtWidgets


def run_app(script=None, tutorial: bool = True, theme: str | None = None,
            screenshot=None, engine: str = "numpy", restore="ask",
            console: str | None = None) -> int:
    """Open the main window (on the tutorial unless ``tutorial=False``), run ``script`` in
    its console (``app.run_file``, which Stop interrupts), and return the event loop's
    exit code. ``restore``: an autosave a crash left is restored (True), offered ("ask")
    or left (False). ``console``: "builtin" or "ipython" (None: the last one chosen).
    ``screenshot``: save a PNG of the window once it is up, then quit (README
    screenshots, smoke tests)."""
    qapp = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    qapp.setApplicationName("gradviz")
    qapp.setOrganizationName("gradviz")
    from gradviz.gui.app import App
    from gradviz.model import GraphModel
    from gradviz.session import Session

    # the tutorial is written for the NumPy engine; on torch the window starts empty
    window = App(session=Session(GraphModel(engine=engine)),
                 tutorial=tutorial and engine == "numpy", theme=theme, restore=restore,
                 console=console)
    window.show()
    if script is not None:  # as a console statement: the window is up, Stop can end it
        window.run_file(script)
    if screenshot:
        def shoot():  # the window as a user first sees it (no extra fit)
            try:
                window.session.save_image(screenshot)
            finally:  # a failure must not leave a window nobody will close
                window.close()

        QtCore.QTimer.singleShot(300, shoot)
    return qapp.exec()
