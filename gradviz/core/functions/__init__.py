"""torch-level functions by topic: ``pointwise``, ``reductions``, ``linalg``, ``shape``,
``indexing``, ``masked``, ``nn_functional``; each checks torch's arguments and runs rows of
the op table."""
