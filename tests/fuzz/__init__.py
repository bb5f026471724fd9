"""Differential fuzzing against torch: random programs (``program``), the statement
families they are drawn from (``statements``), and the side-by-side runner with its
comparison and minimiser (``compare``). Support code shared by the suite's fixed seeds
(``test_fuzz_vs_torch.py``) and ``scripts/fuzz_vs_torch.py``; nothing here names gradviz."""
