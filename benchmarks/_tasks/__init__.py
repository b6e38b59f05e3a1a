"""Tasks: what a benchmark point calls. The autograd tasks through each backend (``calls``), their
prepared points (``prepared``) and backend differences (``differences``); timm's inference and
training steps (``timm_steps``, ``timm_prepared``). The vocabulary is in ``benchmarks.registry``.
"""
