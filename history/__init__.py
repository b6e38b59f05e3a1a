"""History tooling: how the torch under test is obtained for asv.

- ``releases``: an asv repository plugin whose "commits" are torch releases (``index``: their
  versions and dates on the package index).
- ``install_torch``: installs a torch (release or wheel) and the torchvision, torchaudio and timm
  that go with it into an asv environment.
- ``build_torch.sh``: asv's build command for PyTorch commits; ``wheelhouse`` finds a prebuilt
  wheel of a commit first.
- ``installed``: where the installed torch is recorded (a release, or its PyTorch commit).
- ``configure``: writes a variant of an asv configuration (a local checkout, other directories).

Runs in asv's own Python (plugin, tools) or in the benchmark environments (install scripts).
"""
