"""Multi-head attention container (the torchtext design): projections, attention, output."""

import torch
import torch.nn.functional as F
from torch import nn


class InProjContainer(nn.Module):
    def __init__(self, query_proj, key_proj, value_proj):
        super().__init__()
        self.query_proj, self.key_proj, self.value_proj = query_proj, key_proj, value_proj

    def forward(self, query, key, value):
        return self.query_proj(query), self.key_proj(key), self.value_proj(value)


def scaled_dot_product(query, key, value, attn_mask, bias_k, bias_v):
    """Attention over [len, batch*heads, head_dim] tensors with key/value biases appended."""
    key, value = torch.cat([key, bias_k]), torch.cat([value, bias_v])
    attn_mask = F.pad(attn_mask, (0, 1))
    query, key, value = (t.transpose(-2, -3) for t in (query, key, value))
    query = query * float(query.size(-1)) ** -0.5
    weights = torch.matmul(query, key.transpose(-2, -1)).masked_fill(attn_mask, -1e8)
    weights = F.softmax(weights, dim=-1)
    return torch.matmul(weights, value).transpose(-2, -3), weights


class MultiheadAttentionContainer(nn.Module):
    def __init__(self, nhead, in_proj_container, out_proj):
        super().__init__()
        self.nhead, self.in_proj_container, self.out_proj = nhead, in_proj_container, out_proj

    def forward(self, query, key, value, attn_mask, bias_k, bias_v):
        tgt_len, bsz, embed_dim = query.shape
        src_len = key.size(0)
        q, k, v = self.in_proj_container(query, key, value)
        head_dim = embed_dim // self.nhead
        q = q.reshape(tgt_len, bsz * self.nhead, head_dim)
        k = k.reshape(src_len, bsz * self.nhead, head_dim)
        v = v.reshape(src_len, bsz * self.nhead, head_dim)
        out, weights = scaled_dot_product(q, k, v, attn_mask, bias_k, bias_v)
        return self.out_proj(out.reshape(tgt_len, bsz, embed_dim)), weights


# The reference shapes are tiny already: both sizes are the same.
EMBED, HEADS, TGT_LEN, SRC_LEN, BATCH = 10, 5, 6, 10, 64


def build(size, device):
    from ._functional import functionalize

    def linear():
        return nn.Linear(EMBED, EMBED, bias=False)

    model = MultiheadAttentionContainer(HEADS, InProjContainer(linear(), linear(), linear()), linear())
    query = torch.rand(TGT_LEN, BATCH, EMBED, device=device)
    key = value = torch.rand(SRC_LEN, BATCH, EMBED, device=device)
    mask_2d = torch.randint(0, 2, (TGT_LEN, SRC_LEN), device=device).to(torch.bool)
    bias = torch.rand(1, 1, EMBED, device=device)
    attn_mask = torch.stack([mask_2d] * (BATCH * HEADS))
    bias_kv = bias.repeat(1, BATCH, 1).reshape(1, BATCH * HEADS, -1)

    def loss(call):
        out, weights = call(query, key, value, attn_mask, bias_kv, bias_kv)
        return out.sum() + weights.sum()

    named = {"query": query, "key": key, "attn_mask": attn_mask, "bias_k": bias_kv}
    return functionalize(model, loss, device, named)
