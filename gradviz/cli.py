"""The ``gradviz`` command.

    gradviz                          open the app on the autograd tutorial
    gradviz script.py                open the app and run script.py in its console (the
                                     graph shows the script's alone: no tutorial first)
    gradviz render SCRIPT -o OUT     run SCRIPT headlessly, write its graph to OUT
                                     (.png .svg .dot .graphml .json, by extension)
    gradviz diff A.json B.json -o diff.png
                                     compare two saved sessions, draw what changed
    --engine torch                   (either form) record real PyTorch instead of
                                     gradviz's NumPy engine; needs torch installed
    --console ipython                the console is IPython (completion, x?, magics);
                                     needs pip install 'gradviz[console]'

``render`` opens no window (Qt runs offscreen). A script that raises makes ``render`` exit
with status 1 and its traceback on stderr; an output that cannot be written, with status 1
and the OS's reason. In the app a script's traceback is shown in the console and what the
script built before the error stays in the graph. Without a display (no DISPLAY or
WAYLAND_DISPLAY on Linux) the app says so and exits with status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

import gradviz

FORMATS = ".png .svg .dot .graphml .json"


def _render_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gradviz render",
                                description="Run a script headlessly and write its graph.")
    p.add_argument("script", help="a Python file using gradviz (import gradviz as torch)")
    p.add_argument("-o", "--output", required=True, help=f"output file: {FORMATS}")
    p.add_argument("--theme", choices=("light", "dark"), default="light")
    p.add_argument("--scale", type=float, default=2.0,
                   help="PNG pixels per point (default 2: sharp on high-density screens)")
    p.add_argument("--collapse", type=int, metavar="DEPTH",
                   help="draw each module group at DEPTH as one node (0: the outermost "
                        "modules, 1: their children...); default: every node drawn")
    _engine_option(p)
    return p


def _engine_option(p: argparse.ArgumentParser) -> None:
    from gradviz.engines import ENGINES

    p.add_argument("--engine", choices=sorted(ENGINES), default="numpy",
                   help="the autograd engine to record: gradviz's NumPy engine (default) "
                        "or real PyTorch (torch)")


def engine_unavailable(engine: str, prog: str) -> bool:
    """Whether ``engine`` cannot run here; if so, says why (and how to install it)."""
    from gradviz.engines import EngineUnavailable, get_engine

    try:
        get_engine(engine)
    except EngineUnavailable as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return True
    return False


def console_unavailable() -> bool:
    """Whether the IPython console cannot open here; if so, says why and how to get it."""
    from gradviz.gui.console_choice import rich_console_missing

    why = rich_console_missing()
    if why is not None:
        print(f"gradviz: {why}", file=sys.stderr)
    return why is not None


def _app_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gradviz", description="A desktop laboratory for automatic differentiation.",
        epilog="gradviz render SCRIPT -o OUT draws a script's graph without a window.")
    p.add_argument("script", nargs="?", help="a Python file to run in the console at start")
    p.add_argument("--no-tutorial", action="store_true", help="start with an empty graph")
    p.add_argument("--theme", choices=("light", "dark"), default=None)
    p.add_argument("--screenshot", metavar="PNG",
                   help="save a screenshot of the window once it is up, then quit")
    p.add_argument("--console", choices=("builtin", "ipython"), default=None,
                   help="the console: built-in (default) or IPython (completion, x?, "
                        "magics; pip install 'gradviz[console]'); View > Console switches")
    p.add_argument("--restore", action="store_true",
                   help="restore the session a crash left without asking")
    p.add_argument("--version", action="version", version=f"gradviz {gradviz.__version__}")
    _engine_option(p)
    return p


def script_traceback(exc: BaseException, script: Path) -> str:
    """The traceback from the script's own frames on (gradviz's runner frames left out)."""
    tb = exc.__traceback__
    target = str(script.resolve())
    while tb is not None and str(Path(tb.tb_frame.f_code.co_filename).resolve()) != target:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__))


def render(argv) -> int:
    args = _render_parser().parse_args(argv)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    script, out = Path(args.script), Path(args.output)
    if not script.is_file():
        print(f"gradviz render: no such script: {script}", file=sys.stderr)
        return 2
    if out.suffix.lower() not in FORMATS.split():
        print(f"gradviz render: unknown output format {out.suffix!r}; use {FORMATS}",
              file=sys.stderr)
        return 2
    if engine_unavailable(args.engine, "gradviz render"):
        return 2
    from gradviz.gui.render import ensure_qapp, render_script
    from gradviz.model.export import ExportError

    ensure_qapp()
    try:
        render_script(script, out, theme=args.theme, scale=args.scale, engine=args.engine,
                      collapse=args.collapse)
    except ExportError as exc:  # the script ran; the output could not be written
        print(f"gradviz render: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        print(f"gradviz render: {script} raised {type(exc).__name__}; nothing was written.",
              file=sys.stderr)
        print(script_traceback(exc, script), end="", file=sys.stderr)
        return 1
    print(f"wrote {out}")
    return 0


def no_display() -> bool:
    """True where Qt needs X11 or Wayland and neither is there (nor a platform chosen with
    QT_QPA_PLATFORM): Qt would abort with a core dump and a misleading message."""
    if sys.platform in ("win32", "darwin") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_app(argv) -> int:
    args = _app_parser().parse_args(argv)
    if no_display():
        print("gradviz: no display: set DISPLAY, or use gradviz render SCRIPT -o OUT to draw "
              "a graph without a window", file=sys.stderr)
        return 2
    if args.script is not None and not Path(args.script).is_file():
        print(f"gradviz: no such script: {args.script}", file=sys.stderr)
        return 2
    if engine_unavailable(args.engine, "gradviz"):
        return 2
    if args.console == "ipython" and console_unavailable():
        return 2
    from gradviz.gui.launch import run_app as launch

    tutorial = not args.no_tutorial and args.script is None  # a script's graph alone
    return launch(script=args.script, tutorial=tutorial, theme=args.theme,
                  screenshot=args.screenshot, engine=args.engine,
                  restore=True if args.restore else "ask", console=args.console)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "render":
        return render(argv[1:])
    if argv and argv[0] == "diff":
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from gradviz.gui.diff_render import diff_command

        return diff_command(argv[1:])
    return run_app(argv)


if __name__ == "__main__":
    sys.exit(main())
