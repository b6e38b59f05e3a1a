"""FCN with a dilated ResNet-50 backbone: torchvision's ``fcn_resnet50`` without weights."""

import torch
import torch.nn.functional as F
from torch import nn

from .resnet import resnet50


class FCN(nn.Module):
    def __init__(self, num_classes=21):
        super().__init__()
        self.backbone = resnet50(num_classes=None, replace_stride_with_dilation=(False, True, True))
        self.classifier = nn.Sequential(
            nn.Conv2d(2048, 512, 3, padding=1, bias=False),
            nn.BatchNorm2d(512),
            nn.ReLU(),
            nn.Dropout(0.1),
            nn.Conv2d(512, num_classes, 1),
        )

    def forward(self, x):
        out = self.classifier(self.backbone(x))
        return {"out": F.interpolate(out, size=x.shape[-2:], mode="bilinear", align_corners=False)}


# batch, image side
SIZES = {"full": (8, 480), "small": (1, 64)}


def build(size, device):
    from ._functional import functionalize

    batch, side = SIZES[size]
    model = FCN(21).eval()  # dropout off: both backends compute the same function
    inputs = torch.rand(batch, 3, side, side, device=device)
    target = torch.rand(batch, 21, side, side, device=device)
    # Mean squared error written out: under torch.func, jvp-of-grad (hvp) through F.mse_loss
    # fails ("ZeroTensors are immutable": its backward's forward-mode formula writes into the
    # target's zero tangent). Same value as F.mse_loss(out, target).
    loss = lambda call: (call(inputs)["out"] - target).pow(2).mean()
    return functionalize(model, loss, device, {"inputs": inputs, "target": target})
