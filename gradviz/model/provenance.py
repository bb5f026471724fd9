"""Where each function node came from: the console statement that created it (with its
number) or the ``file:line`` of the first frame outside gradviz (and outside torch, when
the torch engine records).

The model asks ``Provenance.where()`` while it records a ``FunctionCreated`` event (only
while it is attached, so an unwatched program pays nothing). It walks up the Python stack
from the event handler, skipping gradviz's own frames; whether a code object belongs to
gradviz is decided once per code object and cached, so a walk costs a few dict lookups.

    model = GraphModel()
    model.provenance.begin("y = x * 2")      # what the console does per statement
    1
    with model.recording():
    ...     y = x * 2
    describe_where(model.graph.nodes[model.node_of(y.grad_fn)]["where"],
    ...                model.provenance.texts)
    'statement 1: y = x * 2'
"""

from __future__ import annotations

import os
import sys

_getframe = sys._getframe

# gradviz's own directory (this file is gradviz/model/provenance.py)
PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


class Provenance:
    """The statement being run (set by the console) and the stack walk that finds the
    user's frame."""

    MAX_CODES = 20_000  # code objects remembered (a console statement is a new one each)

    def __init__(self, library: str | None = None):
        """``library``: the directory of the engine's torch-like package, whose frames are
        skipped like gradviz's own (real torch's ``nn/modules/linear.py`` or its function
        mode's ``overrides.py`` says nothing of the user's code)."""
        self._skipped = (PACKAGE,) if library is None else (
            PACKAGE, os.path.join(os.path.abspath(library), ""))
        self.count = 0  # statements begun so far: the next one is count + 1
        self.statement: tuple | None = None  # (number, source) of the running statement
        self.texts: dict[int, str] = {}  # number -> source, for the inspector's links
        # id(code object) -> whether it is gradviz's own: code objects hash their whole
        # contents on every lookup, their ids cost nothing (``_codes`` holds them)
        self._ours: dict = {}
        self._codes: list = []
        self._depth = 3  # how far up the user's frame was last time
        # (id(code object), instruction offset) -> the answer found there (the same tuple
        # each time: no line number to compute per op); for the running statement only
        self._spots: dict = {}
        self._last = (None, None, None)  # (user frame's code, its instruction, the answer)

    def begin(self, source: str) -> int:
        """A console statement starts: nodes it creates say ``statement N``."""
        self.count += 1
        self._spots.clear()
        self._last = (None, None, None)
        self.statement = (self.count, source)
        self.texts[self.count] = source
        return self.count

    def end(self) -> None:
        self._spots.clear()
        self._last = (None, None, None)
        self.statement = None

    def _own(self, code) -> bool:
        known = self._ours.get(id(code))
        if known is None:
            if len(self._codes) >= self.MAX_CODES:  # a long session: start again, bounded
                self._ours.clear()
                self._codes.clear()
                self._spots.clear()
            name = code.co_filename
            known = not name.startswith("<") and os.path.abspath(name).startswith(self._skipped)
            self._ours[id(code)] = known
            self._codes.append(code)  # held: its id is not reused
        return known

    def where(self) -> tuple | None:
        """``(filename, line, statement number or None)`` of the first frame outside
        gradviz, or None when there is none (a gradviz-internal call).

        The depth found last time is tried first: ``sys._getframe(depth)`` makes only the
        frame asked for, where walking ``f_back`` would make every frame on the way; the
        answer is then cached per instruction of the user's code. This runs once per
        recorded op: it is written for speed."""
        ours = self._ours
        depth = self._depth
        try:
            # a loop's op: at that depth, the code and instruction of last time (the path
            # into gradviz from one instruction does not change): the same answer
            code, lasti, found = self._last
            frame = _getframe(depth)
            if frame.f_lasti == lasti and frame.f_code is code:
                return found
            entry = _getframe(depth - 1)  # gradviz's frame the user called, if still so
            if ours.get(id(entry.f_code)) is True:
                frame = entry.f_back
                code = frame.f_code  # held by ``_codes``: its id is not reused
                if ours.get(id(code)) is not False:
                    raise ValueError
                key = (id(code), frame.f_lasti)
                found = self._spots.get(key)
                if found is None:
                    if len(self._spots) > 4096:
                        self._spots.clear()
                    found = self._spots[key] = self._found(frame)
                self._last = (code, frame.f_lasti, found)  # (no frame held: its locals)
                return found
        except ValueError:  # the stack is shallower now, or the path into gradviz longer
            pass
        frame, depth = _getframe(2), 2
        while frame is not None:
            if not self._own(frame.f_code):
                self._depth = depth  # as seen from where() itself
                return self._found(frame)
            frame = frame.f_back
            depth += 1
        return None

    def _found(self, frame) -> tuple:
        statement = self.statement
        filename = frame.f_code.co_filename
        if statement is not None and filename.startswith("<"):
            return (filename, frame.f_lineno, statement[0])
        return (filename, frame.f_lineno, None)


def describe_where(where, texts=None) -> str:
    """``statement 3: y = x.log()`` or ``train.py:12``; "" when unknown."""
    if not where:
        return ""
    filename, line, number = where
    if number is not None:
        source = (texts or {}).get(number)
        if source is None:
            return f"statement {number}"
        first = source.strip().splitlines()[0] if source.strip() else ""
        return f"statement {number}: {first}"
    return f"{os.path.basename(filename)}:{line}"
