"""timm workloads: a model from the catalog, created and fed as the reference runner does."""

from dataclasses import dataclass

import torch

from .timm_catalog import CATALOG

SEED = 1337
SIZES = ("small", "full")


@dataclass
class TimmWorkload:
    entry: object  # timm_catalog.TimmModel
    model: torch.nn.Module
    inputs: torch.Tensor
    target: torch.Tensor


class ModelUnavailable(RuntimeError):
    """timm cannot create the model: the benchmark point is skipped with this message."""


def batch_size(entry, size):
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; allowed sizes: {', '.join(SIZES)}")
    return entry.full_batch if size == "full" else entry.small_batch


def create(name, size, device, training, channels_last=False, dtype=torch.float32):
    """Model (train or eval mode), standardized random input and random targets, seed 1337."""
    # Here, not at the top: asv imports every module of the suite, and a torch without a paired
    # torchvision (2.15.0) has no timm; the timm suite then says so for each point.
    import timm
    from timm.data import resolve_data_config

    if name not in CATALOG:
        raise KeyError(f"unknown timm model {name!r}; known: {', '.join(sorted(CATALOG))}")
    entry = CATALOG[name]
    batch = batch_size(entry, size)
    image = entry.small_image_size if size == "small" else None
    # A model with a fixed input size (the ViTs' position embeddings) is built for the image.
    fixed = image and getattr(timm.models.get_pretrained_cfg(entry.timm_name), "fixed_input_size", False)
    try:
        # Random init: no weights can be downloaded, and speed does not depend on them.
        model = timm.create_model(
            entry.timm_name,
            in_chans=3,
            num_classes=None,
            drop_rate=0.0,
            drop_path_rate=None,
            drop_block_rate=None,
            **({"img_size": image} if fixed else {}),
        )
    except Exception as e:  # timm raises RuntimeError for unknown names, others for broken configs
        raise ModelUnavailable(f"timm {timm.__version__} cannot create {entry.timm_name!r}: {e}") from e
    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    model.to(device=device, dtype=dtype, memory_format=memory_format)
    model.train(training)
    input_size = (
        (3, image, image) if image else resolve_data_config({}, model=model, use_test_size=not training)["input_size"]
    )

    torch.manual_seed(SEED)
    raw = torch.randint(256, size=(batch, *input_size), device=device).to(torch.float32)
    inputs = ((raw - raw.mean()) / raw.std()).to(dtype).contiguous(memory_format=memory_format)
    target = torch.empty(batch, device=device, dtype=torch.long).random_(model.num_classes)
    return TimmWorkload(entry, model, inputs, target)
