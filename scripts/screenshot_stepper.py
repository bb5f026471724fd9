"""The README's stepper screenshot: the tutorial's loss.backward() replayed to step 2.

    python scripts/screenshot_stepper.py                    # resources/screenshots/stepper.png
    python scripts/screenshot_stepper.py -o out.png --step 3 --theme dark

Offscreen: the window starts over in the Tutorial panel, runs every cell up to In [8]
(``loss.backward()``), shows step ``--step`` in the Backward stepper with the Tutorial
tab in front, and saves the window as a PNG of at most 256 colours (the UI has few; the
file is a third of the full-colour one).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PySide6 import QtCore, QtGui, QtWidgets  # noqa: E402


def quantize(image: QtGui.QImage, colors: int = 256) -> QtGui.QImage:
    """The image with its ``colors`` most frequent colours; every other pixel takes the
    nearest of them (anti-aliased edges)."""
    image = image.convertToFormat(QtGui.QImage.Format.Format_RGB32)
    w, h = image.width(), image.height()
    words = np.frombuffer(image.constBits(), np.uint32).reshape(h, -1)[:, :w] & 0xFFFFFF
    unique, inverse, counts = np.unique(words.ravel(), return_inverse=True, return_counts=True)
    palette = unique[np.argsort(-counts)[:colors]]

    def rgb(c):
        return np.stack([(c >> 16) & 255, (c >> 8) & 255, c & 255], -1).astype(np.int32)

    pal, uni = rgb(palette), rgb(unique)
    nearest = np.concatenate([((uni[i:i + 4096, None] - pal[None]) ** 2).sum(-1).argmin(1)
                              for i in range(0, len(unique), 4096)])
    out = QtGui.QImage(w, h, QtGui.QImage.Format.Format_Indexed8)
    out.setColorTable([0xFF000000 | int(c) for c in palette])
    rows = np.zeros((h, out.bytesPerLine()), np.uint8)
    rows[:, :w] = nearest[inverse].reshape(h, w)
    np.frombuffer(out.bits(), np.uint8)[:] = rows.ravel()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--out", type=Path, default=ROOT / "resources" / "screenshots" /
                    "stepper.png")
    ap.add_argument("--step", type=int, default=2)
    ap.add_argument("--theme", default="light", choices=("light", "dark"))
    args = ap.parse_args(argv)
    settings = tempfile.mkdtemp()  # a first start: the default layout, no saved state
    QtCore.QSettings.setPath(QtCore.QSettings.Format.IniFormat,
                             QtCore.QSettings.Scope.UserScope, settings)
    qapp = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    from gradviz.gui.app import App

    window = App(theme=args.theme)
    window.resize(1360, 860)
    window.show()
    QtCore.QCoreApplication.processEvents()
    cell = next(c for c in window.lessons.cells if c.label == "In [8]")
    if window.lessons.run_up_to(cell.index) is not None:
        raise SystemExit(f"the tutorial failed: {window.session.last_error}")
    window.view.layout_driver.wait(10_000)
    QtCore.QCoreApplication.processEvents()
    window.view.fit()
    step = window.session.step(args.step)
    window.lessons_dock.raise_()
    QtCore.QCoreApplication.processEvents()
    window.lessons.verticalScrollBar().setValue(cell.y() - 150)
    QtCore.QCoreApplication.processEvents()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not quantize(window.grab().toImage()).save(str(args.out)):
        raise SystemExit(f"cannot write {args.out}")
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB): {step.caption}")
    window.close()
    qapp.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
