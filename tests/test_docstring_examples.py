"""Every ``>>>`` example in gradviz's docstrings runs, as a doctest, and prints what it says.

Examples are written as a user types them after ``import gradviz as torch`` (also
``import numpy as np``, ``from gradviz.autograd import graph``, ``import gradviz.nn as nn``
and ``import gradviz.nn.functional as F``) and may use the module's own names. Sketches that
cannot run (they need a window or a file) are plain code blocks without ``>>>``.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import gradviz
import gradviz.nn.functional as F
from gradviz import nn
from gradviz.autograd import graph

# The GUI's modules need a QApplication and are exercised by tests/gui instead; the torch
# engine's need torch; __main__ runs the command line when imported.
SKIP = ("gradviz.gui", "gradviz.resources", "gradviz.engines.torch", "gradviz.__main__")


def modules() -> list[str]:
    names = ["gradviz"]
    for info in pkgutil.walk_packages(gradviz.__path__, "gradviz."):
        if not info.name.startswith(SKIP):
            names.append(info.name)
    return sorted(names)


def examples_in(name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(name)
    globs = dict(vars(module))
    globs.update(torch=gradviz, gradviz=gradviz, np=np, graph=graph, nn=nn, F=F)
    found = doctest.DocTestFinder(exclude_empty=True).find(module, name, globs=globs)
    own = module.__file__
    return [t for t in found if t.examples and t.filename == own]


@pytest.mark.parametrize("name", [n for n in modules() if examples_in(n)])
def test_examples_run(name):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = []
    for test in examples_in(name):
        gradviz.manual_seed(0)
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


def test_examples_exist_in_the_public_api():
    count = sum(len(t.examples) for n in modules() for t in examples_in(n))
    assert count >= 100  # a guard against the finder silently finding nothing


def test_gui_docstrings_hold_sketches_not_doctests():
    """The GUI's modules are not doctested (they need a window): their examples are plain
    code blocks, so none pretends to be a checked ``>>>`` session."""
    import pathlib

    gui = pathlib.Path(gradviz.__file__).parent / "gui"
    offenders = [f"{p.relative_to(gui)}:{i}" for p in sorted(gui.rglob("*.py"))
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if line.lstrip().startswith(">>> ")]
    assert offenders == []
