"""``torch.utils``: ``data`` (datasets and the DataLoader)."""

from gradviz.utils import data

__all__ = ["data"]
