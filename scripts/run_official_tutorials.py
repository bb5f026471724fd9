"""Run PyTorch's official tutorial scripts with ``torch`` mapped to gradviz and with real
torch, and say for each whether it ran to completion and printed the same text (numbers
replaced by ``#``; object addresses and timings aside).

The tutorials are not shipped with gradviz: point this at a checkout of
https://github.com/pytorch/tutorials::

    python scripts/run_official_tutorials.py ~/src/tutorials [--only NAME ...]

The list below is the corpus issue 12 names: the official scripts about tensors, autograd,
nn and optim that need no download and no GPU. Each runs in a subprocess in a scratch
directory (some save files), with a time limit.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

CORPUS = [
    "beginner_source/basics/tensorqs_tutorial.py",
    "beginner_source/basics/autogradqs_tutorial.py",
    "beginner_source/basics/buildmodel_tutorial.py",
    "beginner_source/blitz/tensor_tutorial.py",
    "beginner_source/blitz/neural_networks_tutorial.py",
    "beginner_source/examples_tensor/polynomial_tensor.py",
    "beginner_source/examples_autograd/polynomial_autograd.py",
    "beginner_source/examples_autograd/polynomial_custom_function.py",
    "beginner_source/examples_nn/polynomial_nn.py",
    "beginner_source/examples_nn/polynomial_optim.py",
    "beginner_source/examples_nn/polynomial_module.py",
    "beginner_source/examples_nn/dynamic_net.py",
    "beginner_source/introyt/tensors_deeper_tutorial.py",
    "beginner_source/introyt/autogradyt_tutorial.py",
    "beginner_source/introyt/modelsyt_tutorial.py",
    "beginner_source/nlp/pytorch_tutorial.py",
    "beginner_source/nlp/deep_learning_tutorial.py",
    "beginner_source/nlp/sequence_models_tutorial.py",
    "beginner_source/nlp/word_embeddings_tutorial.py",
    "recipes_source/recipes/defining_a_neural_network.py",
    "recipes_source/recipes/what_is_state_dict.py",
    "recipes_source/recipes/saving_and_loading_a_general_checkpoint.py",
    "recipes_source/recipes/saving_and_loading_models_for_inference.py",
    "recipes_source/recipes/saving_multiple_models_in_one_file.py",
    "recipes_source/recipes/warmstarting_model_using_parameters_from_a_different_model.py",
]

RUNNER = """
import sys, runpy
if sys.argv[1] == "gradviz":
    from gradviz.torch_alias import torch_alias
    with torch_alias():
        runpy.run_path(sys.argv[2], run_name="__main__")
else:
    runpy.run_path(sys.argv[2], run_name="__main__")
"""
NUMBER = re.compile(r"-?\d+(?:\.\d*)?(?:e[-+]?\d+)?")
ADDRESS = re.compile(r" at 0x[0-9a-f]+")
TIME = re.compile(r"\d+(?:\.\d+)?(?:us|ms|s)\b")
PADDING = re.compile(r"\s*#\s*")


def run(library: str, script: Path, timeout: float, extra_path: str = "") -> tuple[bool, str]:
    with tempfile.TemporaryDirectory() as scratch:
        try:
            done = subprocess.run([sys.executable, "-c", RUNNER, library, str(script)],
                                  capture_output=True, text=True, cwd=scratch, timeout=timeout,
                                  env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin",
                                       "PYTHONWARNINGS": "ignore",
                                       "PYTHONPATH": os.pathsep.join(filter(None, [
                                           str(Path(__file__).parent.parent), extra_path]))})
        except subprocess.TimeoutExpired:
            return False, f"timed out after {timeout:.0f} s"
    if done.returncode:
        last = done.stderr.strip().splitlines()[-1:] or ["(no message)"]
        return False, last[0]
    # The script's `torch` is gradviz, so qualified names say gradviz where torch's say torch.
    return True, done.stdout.replace("gradviz.", "torch.") if library == "gradviz" else done.stdout


def skeleton(text: str) -> str:
    """The printed structure: numbers become ``#`` and the padding around them (which
    depends on the values, e.g. a column with a minus sign) is dropped, so unseeded random
    numbers compare equal while brackets, dtypes, grad_fn names and words must agree."""
    text = NUMBER.sub("#", TIME.sub("T", ADDRESS.sub("", text)))
    return PADDING.sub("#", text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path, help="a checkout of pytorch/tutorials")
    parser.add_argument("--only", nargs="*", default=None, help="script names to run")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--extra-path", default="",
                        help="a directory of packages the scripts import besides torch "
                             "(matplotlib), e.g. from `pip install --target DIR matplotlib`")
    args = parser.parse_args(argv)
    completed = same = 0
    for relative in CORPUS:
        name = Path(relative).stem
        if args.only and name not in args.only:
            continue
        script = args.checkout / relative
        if not script.exists():
            print(f"{name:60} missing from the checkout")
            continue
        ok, got = run("gradviz", script, args.timeout, args.extra_path)
        torch_ok, want = run("torch", script, args.timeout, args.extra_path)
        completed += ok
        agrees = ok and skeleton(got) == skeleton(want)
        same += agrees
        status = ("same output" if agrees else "runs, output differs" if ok
                  else f"fails: {got}" if torch_ok else f"fails in torch too: {want}")
        print(f"{name:60} {status}")
    print(f"{completed} ran to completion, {same} printed what torch prints")
    return 0


if __name__ == "__main__":
    sys.exit(main())
