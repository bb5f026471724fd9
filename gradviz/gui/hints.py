"""What to do about an error a learner meets on purpose or by surprise, in plain words.

torch's messages are exact but say nothing of the situation the app put the user in (the
tutorial it ran at start already called ``loss.backward()``). The console and the failing
actions print the hint under torch's message.

    hint(RuntimeError("Trying to backward through the graph a second time ..."))
    '# Why: the first backward() freed the tensors ... '
"""

from __future__ import annotations

SECOND_BACKWARD = (
    "# Why: backward() frees the saved tensors of the graph it walks (its nodes get a\n"
    "# \"freed\" badge), as PyTorch does, so that graph cannot be walked again. The tutorial\n"
    "# gradviz ran at start already called loss.backward(). Rebuild the output to run it\n"
    "# again (Tutorial > In [6] > \"Run all up to here\", or new statements such as\n"
    "# q = (w * 2).sum()), and use Backward (retain graph) for a backward you mean to repeat.\n"
)


def hint(exc: BaseException) -> str | None:
    """Console lines (``# ...``) explaining ``exc`` in the app's situation, or None."""
    if isinstance(exc, RuntimeError) and "backward through the graph a second time" in str(exc):
        return SECOND_BACKWARD
    return None
