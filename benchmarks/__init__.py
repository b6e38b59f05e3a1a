"""asv benchmarks for PyTorch: suites at this level, workloads in ``_models``, tasks in ``_tasks``."""
