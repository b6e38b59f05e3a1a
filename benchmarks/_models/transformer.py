"""Word-language-model transformer (PyTorch examples); encoder blocks from ``attention``."""

import math

import torch
import torch.nn.functional as F
from torch import nn

from .attention import EncoderLayer, Stack


class TransformerModel(nn.Module):
    def __init__(self, ntoken, ninp, nhead, nhid, nlayers, max_len=5000):
        super().__init__()
        self.ninp = ninp
        self.encoder = nn.Embedding(ntoken, ninp)
        self.transformer_encoder = Stack(EncoderLayer(ninp, nhead, nhid) for _ in range(nlayers))
        self.decoder = nn.Linear(ninp, ntoken)
        nn.init.uniform_(self.encoder.weight, -0.1, 0.1)
        nn.init.uniform_(self.decoder.weight, -0.1, 0.1)
        position = torch.arange(max_len, dtype=torch.float).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, ninp, 2).float() * (-math.log(10000.0) / ninp))
        pe = torch.zeros(max_len, 1, ninp)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, src):
        # Sequence-first, as in the reference: dim 0 of ``src`` is the attended sequence.
        seq = src.size(0)
        mask = torch.full((seq, seq), float("-inf"), device=src.device).triu(1)
        x = self.encoder(src) * math.sqrt(self.ninp) + self.pe[:seq]
        x = self.transformer_encoder(x, mask)
        return F.log_softmax(self.decoder(x), dim=-1)


# batch (the attended dimension, see forward), tokens per row
SIZES = {"full": (64, 128), "small": (16, 16)}


def build(size, device):
    from ._functional import functionalize

    batch, seq = SIZES[size]
    ntoken = 50
    model = TransformerModel(ntoken=ntoken, ninp=720, nhead=12, nhid=2048, nlayers=2)
    data = torch.rand(batch, seq + 1, device=device).mul(ntoken).long()
    inputs, targets = data.narrow(1, 0, seq), data.narrow(1, 1, seq)

    def loss(call):
        return F.nll_loss(call(inputs).reshape(batch * seq, ntoken), targets.reshape(batch * seq))

    return functionalize(model, loss, device, {"data": data, "inputs": inputs, "targets": targets})
