"""The autograd tutorial (/work/shared/seed/autograd_tutorial.txt) run as a test.

Its code cells run with ``import torch`` giving gradviz; what they print is compared
with what the tutorial prints: exactly for the deterministic cells (``eye``/``pow``/``t``),
structurally for the ``randn`` cells (same lines, grad_fn names and suffixes; the
tutorial's values came from another seed). With torch installed, torch runs the cells
seeded as gradviz was and must print the very same text (gradviz draws torch's numbers).
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import gradviz

TUTORIAL = Path("/work/shared/seed/autograd_tutorial.txt")
if not TUTORIAL.exists():  # a checkout elsewhere keeps a copy next to the tests
    TUTORIAL = Path(__file__).with_name("autograd_tutorial.txt")

pytestmark = pytest.mark.skipif(not TUTORIAL.exists(), reason="the tutorial text is missing")

SEED = 0  # a seed whose randn values print in fixed (not scientific) notation, as the tutorial's


def parse_cells(text: str) -> dict[int, tuple[str, str]]:
    """``{n: (code, expected_output)}`` for every ``In [n]:`` cell.

    A cell's code is its leading blank-line-separated paragraphs that compile as Python
    and do not look like printed tensors; its output runs from there to two blank lines.
    """
    cells = {}
    parts = re.split(r"^In \[(\d+)\]:\n", text, flags=re.M)
    for number, body in zip(parts[1::2], parts[2::2], strict=True):
        block = re.split(r"\n\n\n|\n\n(?=#)", body.rstrip("\n") + "\n\n\n", maxsplit=1)[0]
        paragraphs = block.split("\n\n")
        code = []
        for i, para in enumerate(paragraphs):
            if _is_code(para):
                code.append(para)
            else:
                cells[int(number)] = ("\n\n".join(code) + "\n", "\n\n".join(paragraphs[i:]) + "\n")
                break
        else:
            cells[int(number)] = ("\n\n".join(code) + "\n", "")
    return cells


def _is_code(paragraph: str) -> bool:
    first = paragraph.lstrip()
    if re.match(r"(tensor\(|True$|False$)", first):
        return False
    try:
        compile(paragraph, "<cell>", "exec")
    except SyntaxError:
        return False
    return True


@pytest.fixture(scope="module")
def cells():
    return parse_cells(TUTORIAL.read_text())


def run_cells(cells, module, numbers, namespace=None):
    """Run the cells in one namespace with ``import torch`` giving ``module``; returns
    ``{n: printed text}`` and the namespace."""
    namespace = {} if namespace is None else namespace
    printed = {}
    saved = sys.modules.get("torch")
    sys.modules["torch"] = module
    try:
        for n in numbers:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(cells[n][0], f"<tutorial In [{n}]>", "exec"), namespace)  # noqa: S102
            printed[n] = out.getvalue()
    finally:
        if saved is None:
            del sys.modules["torch"]
        else:
            sys.modules["torch"] = saved
    return printed, namespace


@pytest.fixture(scope="module")
def gradviz_run(cells):
    gradviz.manual_seed(SEED)
    printed, namespace = run_cells(cells, gradviz, sorted(cells))
    return printed, namespace


# ---------------------------------------------------------------- the parser
def test_parser_finds_every_cell(cells):
    assert sorted(cells) == [1, 2, 6, 7, 8, 9, 10, 12]
    assert cells[2] == ("import torch\n", "")
    assert cells[6][0].startswith("x = torch.ones(5)\ny = torch.zeros(3)\n\nw = torch.randn(5,3")
    assert cells[6][0].rstrip().endswith("print(loss)")
    assert cells[6][1].startswith("tensor([1., 1., 1., 1., 1.]) \n tensor([0., 0., 0.]) \n")
    assert cells[10][1] == "tensor([ 1.7134, -0.8432,  0.1445])\nFalse\n"
    assert "\nCall after zeroing gradients\n" in cells[12][1]
    assert cells[12][1].endswith("        [2., 2., 2., 4., 2.]])\n")


def test_torch_is_restored_after_the_run(gradviz_run):
    assert sys.modules.get("torch") is not gradviz
    _, namespace = gradviz_run
    assert namespace["torch"] is gradviz


# ---------------------------------------------------------------- exact cells
def test_print_cell_is_exact(cells, gradviz_run):
    assert gradviz_run[0][1] == cells[1][1]


def test_eye_pow_t_cell_prints_exactly_the_tutorial(cells, gradviz_run):
    printed = gradviz_run[0][12]
    assert printed == cells[12][1]


def test_eye_pow_t_cell_leaves_the_tutorial_state(gradviz_run):
    ns = gradviz_run[1]
    assert ns["out"].grad_fn.name() == "TBackward0"
    assert ns["inp"].is_leaf and ns["inp"].requires_grad
    expected = 2 * (np.eye(4, 5) + 1)
    np.testing.assert_array_equal(ns["inp"].grad.numpy(), expected)


# ---------------------------------------------------------------- randn cells
NUMBER = re.compile(r"-?\d+\.\d*(?:e[+-]?\d+)?")


def shape_of(text: str) -> list[str]:
    """Each line with its numbers replaced by ``N`` and runs of spaces squeezed."""
    return [re.sub(r" +", " ", NUMBER.sub("N", line)).replace("( N", "(N")
            .replace("[ N", "[N") for line in text.split("\n")]


@pytest.mark.parametrize("n", [6, 8, 9, 10])
def test_randn_cells_match_structurally(cells, gradviz_run, n):
    printed = gradviz_run[0][n]
    expected = cells[n][1]
    assert len(printed.split("\n")) == len(expected.split("\n"))
    assert shape_of(printed) == shape_of(expected)
    assert re.findall(r"grad_fn=<\w+>|requires_grad=True", printed) == re.findall(
        r"grad_fn=<\w+>|requires_grad=True", expected)


def test_first_randn_cell_suffixes(gradviz_run):
    lines = gradviz_run[0][6].split("\n")
    assert lines[0] == "tensor([1., 1., 1., 1., 1.]) "
    assert lines[1] == " tensor([0., 0., 0.]) "
    assert lines[6].endswith("]], requires_grad=True) ")
    assert lines[7].startswith(" tensor([") and lines[7].endswith("], requires_grad=True)")
    assert lines[8].endswith("], grad_fn=<AddBackward0>)")
    assert re.fullmatch(r"tensor\(\d\.\d{4}, grad_fn=<BinaryCrossEntropyWithLogitsBackward0>\)",
                        lines[9])


def test_grad_fn_cell_prints_node_reprs(cells, gradviz_run):
    printed = gradviz_run[0][7]
    pattern = (r"Gradient function for z = <AddBackward0 object at 0x[0-9a-f]+>\n"
               r"Gradient function for loss = "
               r"<BinaryCrossEntropyWithLogitsBackward0 object at 0x[0-9a-f]+>\n")
    assert re.fullmatch(pattern, printed)
    assert re.fullmatch(pattern, cells[7][1])


def test_backward_cell_gives_equal_rows(gradviz_run):
    ns = gradviz_run[1]
    w_grad = ns["w"].grad.numpy()
    assert w_grad.shape == (5, 3)
    np.testing.assert_array_equal(w_grad, np.broadcast_to(ns["b"].grad.numpy(), (5, 3)))
    # d loss / d b = (sigmoid(z) - y) / 3
    z = np.ones(5, np.float32) @ ns["w"].detach().numpy() + ns["b"].detach().numpy()
    np.testing.assert_allclose(ns["b"].grad.numpy(), 1 / (1 + np.exp(-z)) / 3, rtol=1e-5)


def test_no_grad_and_detach_cells(gradviz_run):
    with_grad, without = gradviz_run[0][9].rstrip("\n").split("\n")
    assert with_grad.endswith(", grad_fn=<AddBackward0>)")
    assert without == with_grad.replace(", grad_fn=<AddBackward0>", "")
    detached, flag = gradviz_run[0][10].rstrip("\n").split("\n")
    assert detached == without
    assert flag == "False"


def test_same_values_print_the_same_in_every_cell(gradviz_run):
    printed = gradviz_run[0]
    z_line = printed[6].split("\n")[8]
    loss_line = printed[6].split("\n")[9]
    assert printed[9].split("\n")[0] == z_line
    assert printed[8].split("\n")[-2] == loss_line


# ---------------------------------------------------------------- torch as the oracle
def test_torch_seeded_alike_prints_the_same(cells, gradviz_run, oracle):
    """gradviz draws torch's random numbers: seeded alike, every cell prints the same text."""
    oracle.manual_seed(SEED)
    printed, _ = run_cells(cells, oracle, sorted(cells))
    ours = gradviz_run[0]
    for n in sorted(cells):
        hex_free = [re.sub(r"0x[0-9a-f]+", "0x?", p[n]) for p in (printed, ours)]
        assert hex_free[1] == hex_free[0], f"In [{n}]"
    assert sys.modules["torch"] is oracle
