"""Turn the autograd tutorial (a notebook saved as text) into the app's lesson file.

    python scripts/make_lessons.py                       # seed beside the repo -> resources
    python scripts/make_lessons.py SEED.txt -o OUT.json
    python scripts/make_lessons.py --check               # exit 1 if OUT is out of date

Run once when the tutorial changes; the app reads only the JSON it writes
(``resources/lessons/autograd_tutorial.json``). The text is a notebook export: ``#``
headings, ``In [n]:`` code cells each followed by what PyTorch printed, and prose. A
cell's code ends at the first paragraph that does not parse as Python together with
the code before it (or that starts like a printed tensor); its output ends at two
blank lines. ``import torch`` becomes ``import gradviz as torch``, the one change that
runs the tutorial on gradviz. ``NOTES`` adds what to look at in the app after a cell.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "autograd_tutorial.txt"
OUT = ROOT / "resources" / "lessons" / "autograd_tutorial.json"
CELL = re.compile(r"^In \[(\d+)\]:\s*$")

# What a learner should look at in gradviz after running a cell (or reading a section).
NOTES = {
    "In [2]": "In gradviz `import gradviz as torch` stands in for `import torch`: it is the "
              "only line of the tutorial that changes. The console's `torch` already is "
              "gradviz.",
    "In [6]": "Look at the graph: `w` and `b` are blue leaves (they require grad), each feeding "
              "its AccumulateGrad node. `x` and `y` are dashed: constants autograd did not "
              "record. `matmul(x, w)` of a vector shows as MmBackward0 then SqueezeBackward4, "
              "as in PyTorch. The green `z` and `loss` are outputs you hold.",
    "In [7]": "`z`'s grad_fn is the green node's parent: AddBackward0. `loss`'s grad_fn is "
              "BinaryCrossEntropyWithLogitsBackward0, right above `loss`. Click a grad_fn "
              "node: the inspector shows its derivative formula and `next_functions`.",
    "In [8]": "The purple numbers give the order in which backward ran the nodes. Replay it "
              "step by step in the Backward stepper tab (Alt+Right). The nodes marked "
              "\"freed\" lost their saved tensors: run this cell a second time and "
              "`loss.backward()` raises, as in PyTorch.",
    "In [9]": "Under `torch.no_grad()` nothing is recorded: the second `z` has no grad_fn "
              "and adds no node to the graph.",
    "In [10]": "`z_det` shares `z`'s values but has no history: `z_det.requires_grad` is "
               "False and nothing in the graph leads to it.",
    "More on Computational Graphs": "In gradviz the view is that DAG: grad_fn nodes in grey, "
                                    "the leaves' AccumulateGrad nodes in blue-grey, arrows "
                                    "from inputs to outputs. Backward walks it from the "
                                    "bottom (the root) up to the leaves.",
    "In [12]": "`out` is not a scalar, so backward needs a `gradient` (here ones). Each call "
               "adds to `inp.grad`: select `inp` and the inspector's timeline shows the first "
               "call, the second call and the call after zeroing. The Backward stepper "
               "replays the last call: TBackward0, PowBackward0, AddBackward0, then "
               "AccumulateGrad fills `inp.grad`.",
}


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except SyntaxError:
        return False
    return True


def _paragraphs(lines: list[str]) -> list[tuple[int, list[str]]]:
    """(index of the first line, lines) of each run of non-blank lines."""
    out, cur = [], []
    for i, line in enumerate(lines):
        if line.strip():
            if not cur:
                out.append((i, cur))
            cur.append(line)
        else:
            cur = []
    return out


def split_cell(lines: list[str]) -> tuple[str, str]:
    """A cell's lines -> (code, printed output)."""
    pars = _paragraphs(lines)
    code: list[list[str]] = []
    for start, par in pars:
        text = "\n".join(line for p in code + [par] for line in p)
        if code and (par[0].lstrip().startswith("tensor(") or not _parses(text)):
            return _join(code), "\n".join(lines[start:]).rstrip("\n")
        code.append(par)
    return _join(code), ""


def _join(pars: list[list[str]]) -> str:
    code = "\n\n".join("\n".join(p) for p in pars)
    return re.sub(r"^import torch$", "import gradviz as torch", code, flags=re.M)


def _text(lines: list[str]) -> str:
    pars = ["\n".join(p) for _, p in _paragraphs(lines)]
    # "**** Very Important" is the notebook export's marker of a collapsed cell, not prose
    pars = [p for p in pars if not re.match(r"^\*{3,}\s", p)]
    return "\n\n".join(pars)


def parse(text: str) -> dict:
    """The tutorial's text -> ``{"title", "sections": [{"title", "blocks": [...]}]}``.

    Blocks are ``{"kind": "text", "text"}`` (Markdown), ``{"kind": "code", "label",
    "code", "output", "note"}`` and ``{"kind": "note", "text"}``.
    """
    lines = text.splitlines()
    title = lines[0].lstrip("#").strip()
    sections = [{"title": title, "blocks": []}]
    prose: list[str] = []

    def flush_prose():
        text = _text(prose)
        if text.strip():
            sections[-1]["blocks"].append({"kind": "text", "text": text})
        prose.clear()

    def end_section():
        flush_prose()
        note = NOTES.get(sections[-1]["title"])
        if note:
            sections[-1]["blocks"].append({"kind": "note", "text": note})

    i = 1
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            end_section()
            sections.append({"title": line.lstrip("#").strip(), "blocks": []})
            i += 1
        elif CELL.match(line):
            flush_prose()
            j = i + 1
            while j < len(lines) and not (
                    CELL.match(lines[j]) or lines[j].startswith("#")
                    or (not lines[j].strip() and j + 1 < len(lines) and not lines[j + 1].strip())):
                j += 1
            label = f"In [{CELL.match(line).group(1)}]"
            code, output = split_cell(lines[i + 1:j])
            sections[-1]["blocks"].append({"kind": "code", "label": label, "code": code,
                                           "output": output, "note": NOTES.get(label, "")})
            i = j
        else:
            prose.append(line)
            i += 1
    end_section()
    return {"title": title, "source": "PyTorch tutorial: Automatic Differentiation with "
            "torch.autograd (notebook export)", "sections": sections}


def render(text: str) -> str:
    return json.dumps(parse(text), indent=1, ensure_ascii=False) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("seed", nargs="?", type=Path, default=SEED)
    ap.add_argument("-o", "--out", type=Path, default=OUT)
    ap.add_argument("--check", action="store_true", help="only compare with OUT")
    args = ap.parse_args(argv)
    result = render(args.seed.read_text(encoding="utf-8"))
    if args.check:
        same = args.out.exists() and args.out.read_text(encoding="utf-8") == result
        print(f"{args.out}: {'up to date' if same else 'OUT OF DATE'}")
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(result, encoding="utf-8")
    data = json.loads(result)
    cells = sum(b["kind"] == "code" for s in data["sections"] for b in s["blocks"])
    print(f"wrote {args.out}: {len(data['sections'])} sections, {cells} code cells")
    return 0


if __name__ == "__main__":
    sys.exit(main())
