"""DeepSpeech2-style acoustic model: masked convolutions, then bidirectional LSTMs.

The reference feeds its LSTMs packed sequences. ``aten::lstm`` on packed data reads tensor data
pointers directly, which torch.func's wrapper tensors do not have ("Cannot access data pointer
of Tensor that doesn't have storage"), so torch.func could not run the model. ``BatchRNN``
computes the same values on padded tensors (see its docstring); LSTMs on padded tensors work
under both backends, on aten's own LSTM kernel (``native_lstm``).
"""

import contextlib
import math

import torch
import torch.nn.functional as F
from torch import nn


class SequenceWise(nn.Module):
    """Applies a module to [T, N, H] by folding time into the batch."""

    def __init__(self, module):
        super().__init__()
        self.module = module

    def forward(self, x):
        t, n = x.shape[:2]
        return self.module(x.reshape(t * n, -1)).reshape(t, n, -1)


class Steps:
    """Per-sequence valid lengths of a sequence-first [T, N, H] batch."""

    def __init__(self, lengths, device):
        lengths = lengths.long().to(device)
        # Outputs are as long as the longest sequence, as ``pad_packed_sequence`` makes them.
        self.count = int(lengths.max())
        time = torch.arange(self.count, device=device).unsqueeze(1)
        self.padding = (time >= lengths).unsqueeze(-1)  # [T, N, 1]
        # Reverses each sequence within its own length; padding stays put. Its own inverse.
        self.reverse_index = torch.where(time < lengths, lengths - 1 - time, time).unsqueeze(-1)

    def reverse(self, x):
        return x.gather(0, self.reverse_index.expand(-1, -1, x.size(-1)))


@contextlib.contextmanager
def native_lstm():
    """Run the LSTMs on aten's own kernel on every device: neither oneDNN (CPU) nor cuDNN (CUDA).

    - oneDNN's LSTM keeps the workspace its backward needs only when it sees grad mode on. Under
      torch.func inside ``torch.no_grad()`` (how the reference calls it) the kernel sees it off, and
      the backward fails: "Expected a proper Tensor but got None ... argument #22 'workspace'".
    - cuDNN's path reads the data pointers of the weights (to use them as one flat buffer), which
      torch.func's wrapper tensors do not have: torch.func's vjp failed on an H100 with "Cannot
      access data pointer of Tensor that doesn't have storage" (../shared/results-h100). aten's own
      kernel is the one that runs under torch.func on CPU. (Not yet run on a GPU.)

    Both backends use the native kernel, so they time the same computation.
    """
    backends = torch.backends.mkldnn, torch.backends.cudnn
    enabled = [b.enabled for b in backends]
    for b in backends:
        b.enabled = False
    try:
        yield
    finally:
        for b, on in zip(backends, enabled, strict=True):
            b.enabled = on


class BatchRNN(nn.Module):
    """Bidirectional LSTM over variable-length sequences, directions summed.

    Each direction sees exactly the valid steps of every sequence, as with packed sequences:
    the forward LSTM runs over the padded batch (padding comes after the valid steps), the
    backward one over each sequence reversed within its own length.
    """

    def __init__(self, input_size, hidden_size, batch_norm=True):
        super().__init__()
        self.batch_norm = SequenceWise(nn.BatchNorm1d(input_size)) if batch_norm else None
        self.rnn = nn.LSTM(input_size, hidden_size)
        self.rnn_reverse = nn.LSTM(input_size, hidden_size)

    def forward(self, x, steps):
        if self.batch_norm is not None:
            x = self.batch_norm(x)
        x = x[: steps.count]
        with native_lstm():
            out = self.rnn(x)[0] + steps.reverse(self.rnn_reverse(steps.reverse(x))[0])
        return out.masked_fill(steps.padding, 0)


class DeepSpeech(nn.Module):
    def __init__(self, num_classes, hidden_size=1024, layers=5, sample_rate=16000, window_size=0.02):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(1, 32, kernel_size=(41, 11), stride=(2, 2), padding=(20, 5)),
            nn.BatchNorm2d(32),
            nn.Hardtanh(0, 20, inplace=True),
            nn.Conv2d(32, 32, kernel_size=(21, 11), stride=(2, 1), padding=(10, 5)),
            nn.BatchNorm2d(32),
            nn.Hardtanh(0, 20, inplace=True),
        )
        # Frequency bins after the two convolutions, times 32 channels.
        features = int(math.floor(sample_rate * window_size / 2) + 1)
        features = int(math.floor(features + 2 * 20 - 41) / 2 + 1)
        features = int(math.floor(features + 2 * 10 - 21) / 2 + 1) * 32
        self.rnns = nn.Sequential(
            BatchRNN(features, hidden_size, batch_norm=False),
            *(BatchRNN(hidden_size, hidden_size) for _ in range(layers - 1)),
        )
        self.fc = SequenceWise(
            nn.Sequential(nn.BatchNorm1d(hidden_size), nn.Linear(hidden_size, num_classes, bias=False))
        )

    def output_lengths(self, lengths):
        for m in self.conv:
            if isinstance(m, nn.Conv2d):
                lengths = lengths + 2 * m.padding[1] - m.dilation[1] * (m.kernel_size[1] - 1) - 1
                lengths = lengths.true_divide(m.stride[1]) + 1
        return lengths.int()

    def forward(self, x, lengths):
        out_lengths = self.output_lengths(lengths.cpu().int())
        # Conv layers, each followed by zeroing the steps past every sequence's length.
        for m in self.conv:
            x = m(x)
            steps = torch.arange(x.size(3), device=x.device)
            x = x.masked_fill(steps >= out_lengths.to(x.device).view(-1, 1, 1, 1), 0)
        n, c, f, t = x.shape
        x = x.view(n, c * f, t).permute(2, 0, 1).contiguous()  # [T, N, H]
        steps = Steps(out_lengths, x.device)
        for rnn in self.rnns:
            x = rnn(x, steps)
        # Training-mode output (the reference's InferenceBatchSoftmax is the identity there).
        return self.fc(x).transpose(0, 1), out_lengths


# batch, spectrogram frames (161 frequency bins are fixed by the 16 kHz, 20 ms front end).
# 48 frames is the shortest input with a finite CTC loss: 19 output steps for 10 repeated labels.
SIZES = {"full": (10, 500), "small": (2, 48)}


def build(size, device):
    from ._functional import functionalize

    batch, frames = SIZES[size]
    num_classes, target_length = 10, 10
    model = DeepSpeech(num_classes)
    inputs = torch.rand(batch, 1, 161, frames, device=device)
    input_sizes = torch.rand(batch, device=device).mul(frames * 0.1).add(frames * 0.8)
    # Float targets, handed to the CTC loss as the reference does.
    targets = torch.rand(batch, target_length, device=device)
    target_sizes = torch.full((batch,), target_length, dtype=torch.int, device=device)

    def loss(call):
        out, out_sizes = call(inputs, input_sizes)
        return F.ctc_loss(out.transpose(0, 1), targets, out_sizes, target_sizes)

    named = {"inputs": inputs, "input_sizes": input_sizes, "targets": targets, "target_sizes": target_sizes}
    return functionalize(model, loss, device, named)
