"""History tooling: how the torch under test is obtained for asv.

- ``releases``: an asv repository plugin whose "commits" are torch releases on the package index.
- ``wheelhouse``: finds a prebuilt torch wheel by the commit it was built from.
- ``install_torch``: installs a torch (release or wheel) and the torchvision, torchaudio and timm
  that go with it into an asv environment.
- ``build_torch.sh``: asv's build command for PyTorch commits (wheelhouse first, else a source build).
- ``configure``: writes a variant of an asv configuration (local checkout, results directory).

Runs in asv's own Python (plugins) or in the benchmark environments (scripts); no torch import.
"""
