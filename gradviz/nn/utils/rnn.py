"""``torch.nn.utils.rnn.pad_sequence``: sequences of different lengths padded into one
tensor, each copied into its slice as torch does (CopySlices), so gradients reach them.

    >>> a, b = torch.ones(3, 2), torch.ones(1, 2)
    >>> torch.nn.utils.rnn.pad_sequence([a, b], batch_first=True).shape
    torch.Size([2, 3, 2])
"""

from __future__ import annotations

from gradviz.core.tensors.factories import full

__all__ = ["pad_sequence"]


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """(max length, batch, *) (``batch_first``: (batch, max length, *)), shorter sequences
    padded with ``padding_value`` on ``padding_side``."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    sequences = list(sequences)
    longest = max(s.shape[0] for s in sequences)
    rest = tuple(sequences[0].shape[1:])
    shape = (len(sequences), longest, *rest) if batch_first else (longest, len(sequences),
                                                                  *rest)
    out = full(shape, padding_value, dtype=sequences[0].dtype)
    for i, seq in enumerate(sequences):
        n = seq.shape[0]
        span = slice(0, n) if padding_side == "right" else slice(longest - n, longest)
        if batch_first:
            out[i, span, ...] = seq
        else:
            out[span, i, ...] = seq
    return out
