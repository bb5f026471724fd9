"""The autograd layer: grad_fn nodes (``function``), recording an op (``record``), the
backward engine, hooks, grad modes, views and in-place changes, custom ``Function``,
``gradcheck`` and the events it emits (``emit``)."""
