"""Wav2Letter on raw waveforms, the architecture of ``torchaudio.models.Wav2Letter``."""

import torch
import torch.nn.functional as F
from torch import nn


def _conv(cin, cout, kernel, stride=1, padding=0):
    return [nn.Conv1d(cin, cout, kernel, stride, padding), nn.ReLU(inplace=True)]


class Wav2Letter(nn.Module):
    def __init__(self, num_classes=40, num_features=1):
        super().__init__()
        acoustic = [*_conv(250, 250, 48, 2, 23)]
        for _ in range(7):
            acoustic += _conv(250, 250, 7, 1, 3)
        acoustic += _conv(250, 2000, 32, 1, 16) + _conv(2000, 2000, 1) + _conv(2000, num_classes, 1)
        waveform = nn.Sequential(*_conv(num_features, 250, 250, 160, 45))
        self.acoustic_model = nn.Sequential(waveform, nn.Sequential(*acoustic))

    def forward(self, x):
        return F.log_softmax(self.acoustic_model(x), dim=1)


# batch, waveform frames. 700 frames give 3 output steps, the label length: only batch shrinks.
SIZES = {"full": (10, 700), "small": (2, 700)}


def build(size, device):
    from ._functional import functionalize

    batch, frames = SIZES[size]
    vocab = 28
    model = Wav2Letter(num_classes=vocab)
    inputs = torch.rand(batch, 1, frames, device=device)
    labels = torch.rand(batch, 3, device=device).mul(vocab).long()
    loss = lambda call: F.nll_loss(call(inputs), labels)
    return functionalize(model, loss, device, {"inputs": inputs, "labels": labels})
