"""``torch.utils.data``: datasets, samplers and the ``DataLoader`` that batches them,
shuffling with torch's generator so a seeded script sees torch's batches.

    ds = TensorDataset(torch.randn(100, 3), torch.randint(0, 2, (100,)))
    for x, y in DataLoader(ds, batch_size=32, shuffle=True): ...
"""

from gradviz.utils.data.dataloader import DataLoader, default_collate
from gradviz.utils.data.dataset import (
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)
from gradviz.utils.data.sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["BatchSampler", "ConcatDataset", "DataLoader", "Dataset", "IterableDataset",
           "RandomSampler", "Sampler", "SequentialSampler", "Subset", "TensorDataset",
           "default_collate", "random_split"]
