"""The op table: one row per autograd op (its NumPy forward, one backward formula per input,
torch's grad_fn name), rows grouped by topic; ``table`` defines a row and the names a
formula may use."""
