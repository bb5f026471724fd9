"""Autosave: the session (graph, console history, scripts run) written every few
seconds to the user's data directory, so a crash or a kill loses nothing.

Each running app writes ``autosave-<pid>.json`` (a session file, see
:mod:`gradviz.model.export`, with ``console_history`` and ``scripts`` added) only when
something changed, and removes it on a clean exit. A file whose process is gone was
left by a crash: the next start offers to restore it (``gradviz --restore`` accepts).
The directory is ``$GRADVIZ_DATA_DIR`` (tests), else ``$XDG_DATA_HOME/gradviz``, else
``~/.local/share/gradviz`` (where Qt's ``AppDataLocation`` points on Linux).

    saver = Autosave(session)         # the window calls saver.save_if_changed() on a timer
    crashed = find_crashed()          # a Path left by a dead process, or None
    history = restore(session, crashed)
"""

from __future__ import annotations

import json
import os
from pathlib import Path

INTERVAL_S = 3.0  # how often the window asks for a save


def data_dir() -> Path:
    """Where autosaves live (created on first save)."""
    if os.environ.get("GRADVIZ_DATA_DIR"):
        return Path(os.environ["GRADVIZ_DATA_DIR"])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "gradviz"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def find_crashed(directory=None) -> Path | None:
    """The newest autosave whose process is no longer running, or None."""
    directory = Path(directory) if directory is not None else data_dir()
    found = []
    for path in directory.glob("autosave-*.json"):
        try:
            pid = int(path.stem.split("-", 1)[1])
        except ValueError:
            continue
        if not _alive(pid):
            found.append(path)
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


class Autosave:
    """Saves ``session`` to ``autosave-<pid>.json`` when it changed since the last save."""

    def __init__(self, session, directory=None):
        self.session = session
        self.path = (Path(directory) if directory is not None else data_dir()) / \
            f"autosave-{os.getpid()}.json"
        self.history: list[str] = []  # statements typed, oldest first
        self.scripts: list[str] = []  # files run
        self.changed = True
        self.saves = 0
        self._model = None
        self._follow(session.model)
        session.model_replaced.connect(self._follow)
        session.file_ran.connect(self.note_script)

    def _follow(self, model) -> None:
        if self._model is not None:
            self._model.remove_listener(self._on_change)
        self._model = model
        model.add_listener(self._on_change)
        self.changed = True

    def _on_change(self, _change) -> None:
        self.changed = True

    def note_statement(self, source: str) -> None:
        self.history.append(source)
        self.changed = True

    def note_script(self, path) -> None:
        self.scripts.append(str(path))
        self.changed = True

    def save_if_changed(self) -> bool:
        """Write the autosave if anything changed (not while a statement runs: the
        model is changing); True when it wrote."""
        if not self.changed or self.session.running:
            return False
        from gradviz.model.export import session_dict

        with self.session.lock:
            data = session_dict(self.session.model)
        data["console_history"] = list(self.history)
        data["scripts"] = list(self.scripts)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, self.path)
        self.changed = False
        self.saves += 1
        return True

    def clear(self) -> None:
        """A clean exit: nothing to restore."""
        self.session.model_replaced.disconnect(self._follow)
        self.session.file_ran.disconnect(self.note_script)
        if self._model is not None:
            self._model.remove_listener(self._on_change)
        self.path.unlink(missing_ok=True)


def restore(session, path, saver: Autosave | None = None) -> list[str]:
    """Load the autosave at ``path`` into ``session`` (a snapshot, as Load session) and
    remove it; returns its console history (``saver`` takes it over). SessionError when
    the file is not a session: the current graph stays."""
    from gradviz.model.export import SessionError, session_from_dict

    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        model = session_from_dict(data, path)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        aside = path.with_suffix(".corrupt")  # kept for a look, never offered again
        path.replace(aside)
        if isinstance(exc, SessionError):
            raise
        raise SessionError(f"autosave {path} is corrupt or unreadable (moved to "
                           f"{aside.name}): {exc}") from exc
    history = [s for s in data.get("console_history", ()) if isinstance(s, str)]
    scripts = [s for s in data.get("scripts", ()) if isinstance(s, str)]
    session.set_model(model)
    if saver is not None:
        saver.history[:0] = history
        saver.scripts[:0] = scripts
        saver.changed = True
    path.unlink(missing_ok=True)
    session.status(f"restored the session a crash left: {model.graph.number_of_nodes()} "
                   f"nodes, {len(history)} statements")
    return history
