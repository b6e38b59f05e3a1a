"""DETR (the minimal variant of the DETR paper's notebook) with its set-prediction loss.

The loss matches predictions to targets with the Hungarian algorithm (scipy) on a cost
matrix. Matching is a discrete choice with no gradient, so the cost is computed on detached
values and read to the host element by element: under torch.func the outputs are functorch
wrappers without storage, which ``.numpy()`` (what scipy calls) cannot read, and
``torch.cdist`` has no forward-mode derivative even when none is needed. The L1 cost is
therefore written as a sum of absolute differences, the same quantity.
"""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .attention import DecoderLayer, EncoderLayer, Stack
from .resnet import resnet50


class DETR(nn.Module):
    def __init__(self, num_classes, hidden_dim=256, nheads=8, num_encoder_layers=6, num_decoder_layers=6):
        super().__init__()
        self.backbone = resnet50(num_classes=None)
        self.conv = nn.Conv2d(2048, hidden_dim, 1)
        self.transformer = nn.Module()
        self.transformer.encoder = Stack(
            (EncoderLayer(hidden_dim, nheads, 2048) for _ in range(num_encoder_layers)), nn.LayerNorm(hidden_dim)
        )
        self.transformer.decoder = Stack(
            (DecoderLayer(hidden_dim, nheads, 2048) for _ in range(num_decoder_layers)), nn.LayerNorm(hidden_dim)
        )
        for p in self.transformer.parameters():  # nn.Transformer's initialisation
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
        self.linear_class = nn.Linear(hidden_dim, num_classes + 1)
        self.linear_bbox = nn.Linear(hidden_dim, 4)
        self.query_pos = nn.Parameter(torch.rand(100, hidden_dim))
        self.row_embed = nn.Parameter(torch.rand(50, hidden_dim // 2))
        self.col_embed = nn.Parameter(torch.rand(50, hidden_dim // 2))

    def forward(self, inputs):
        h = self.conv(self.backbone(inputs))
        H, W = h.shape[-2:]
        pos = (
            torch.cat(
                [self.col_embed[:W].unsqueeze(0).repeat(H, 1, 1), self.row_embed[:H].unsqueeze(1).repeat(1, W, 1)],
                dim=-1,
            )
            .flatten(0, 1)
            .unsqueeze(1)
        )
        src = pos + 0.1 * h.flatten(2).permute(2, 0, 1)
        queries = self.query_pos.unsqueeze(1).expand(-1, inputs.size(0), -1)
        h = self.transformer.decoder(queries, self.transformer.encoder(src)).transpose(0, 1)
        return {"pred_logits": self.linear_class(h), "pred_boxes": self.linear_bbox(h).sigmoid()}


def box_cxcywh_to_xyxy(x):
    cx, cy, w, h = x.unbind(-1)
    return torch.stack([cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h], dim=-1)


def box_area(boxes):
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def generalized_box_iou(boxes1, boxes2):
    area1, area2 = box_area(boxes1), box_area(boxes2)
    inter_wh = (torch.min(boxes1[:, None, 2:], boxes2[:, 2:]) - torch.max(boxes1[:, None, :2], boxes2[:, :2])).clamp(
        min=0
    )
    inter = inter_wh[..., 0] * inter_wh[..., 1]
    union = area1[:, None] + area2 - inter
    hull_wh = (torch.max(boxes1[:, None, 2:], boxes2[:, 2:]) - torch.min(boxes1[:, None, :2], boxes2[:, :2])).clamp(
        min=0
    )
    hull = hull_wh[..., 0] * hull_wh[..., 1]
    return inter / union - (hull - union) / hull


def hungarian_match(outputs, targets, cost_class, cost_bbox, cost_giou):
    """Per image, (prediction indices, target indices) minimising the matching cost."""
    with torch.no_grad():
        logits, boxes = outputs["pred_logits"].detach(), outputs["pred_boxes"].detach()
        bs, num_queries = logits.shape[:2]
        prob = logits.flatten(0, 1).softmax(-1)
        out_bbox = boxes.flatten(0, 1)
        tgt_ids = torch.cat([t["labels"] for t in targets])
        tgt_bbox = torch.cat([t["boxes"] for t in targets])
        l1 = (out_bbox[:, None, :] - tgt_bbox[None, :, :]).abs().sum(-1)
        giou = generalized_box_iou(box_cxcywh_to_xyxy(out_bbox), box_cxcywh_to_xyxy(tgt_bbox))
        cost = cost_bbox * l1 - cost_class * prob[:, tgt_ids] - cost_giou * giou
        # tolist() reads the values through any functorch wrapper; numpy() cannot.
        cost = np.array(cost.cpu().tolist()).reshape(bs, num_queries, -1)
    # Imported here: scipy starts BLAS threads on import, which asv's forkserver must not inherit.
    from scipy.optimize import linear_sum_assignment

    splits = np.cumsum([len(t["boxes"]) for t in targets])[:-1]
    matches = [linear_sum_assignment(c[i]) for i, c in enumerate(np.split(cost, splits, axis=-1))]
    return [(torch.as_tensor(i, dtype=torch.int64), torch.as_tensor(j, dtype=torch.int64)) for i, j in matches]


class SetCriterion(nn.Module):
    """DETR's loss with losses ("labels", "boxes", "cardinality")."""

    def __init__(self, num_classes, eos_coef, matcher_costs=(1, 5, 2)):
        super().__init__()
        self.num_classes = num_classes
        self.matcher_costs = matcher_costs
        empty_weight = torch.ones(num_classes + 1)
        empty_weight[-1] = eos_coef
        self.register_buffer("empty_weight", empty_weight)

    def forward(self, outputs, targets):
        indices = hungarian_match(outputs, targets, *self.matcher_costs)
        logits, device = outputs["pred_logits"], outputs["pred_logits"].device
        # A tensor, not the reference's Python float: torch.func.jvp turns the tangent of
        # "float32 tensor / Python float" into float64 (plain forward AD keeps float32).
        num_boxes = torch.as_tensor(float(sum(len(t["labels"]) for t in targets)), device=device).clamp(min=1)
        batch_idx = torch.cat([torch.full_like(src, i) for i, (src, _) in enumerate(indices)]).to(device)
        src_idx = torch.cat([src for src, _ in indices]).to(device)

        # labels: cross-entropy against matched classes, "no object" elsewhere.
        matched_classes = torch.cat([t["labels"][j.to(device)] for t, (_, j) in zip(targets, indices, strict=True)])
        target_classes = torch.full(logits.shape[:2], self.num_classes, dtype=torch.int64, device=device)
        target_classes[batch_idx, src_idx] = matched_classes
        losses = {"loss_ce": F.cross_entropy(logits.transpose(1, 2), target_classes, self.empty_weight)}
        with torch.no_grad():  # logged by the reference, not part of the weighted total
            hits = logits[batch_idx, src_idx].argmax(-1).eq(matched_classes).float().sum()
            losses["class_error"] = 100 - hits * (100.0 / max(len(matched_classes), 1))
            tgt_lengths = torch.as_tensor([len(t["labels"]) for t in targets], device=device).float()
            card_pred = (logits.argmax(-1) != logits.shape[-1] - 1).sum(1).float()
            losses["cardinality_error"] = F.l1_loss(card_pred, tgt_lengths)

        # boxes: L1 and generalized IoU on matched pairs.
        src_boxes = outputs["pred_boxes"][batch_idx, src_idx]
        target_boxes = torch.cat([t["boxes"][j.to(device)] for t, (_, j) in zip(targets, indices, strict=True)])
        losses["loss_bbox"] = F.l1_loss(src_boxes, target_boxes, reduction="none").sum() / num_boxes
        giou = generalized_box_iou(box_cxcywh_to_xyxy(src_boxes), box_cxcywh_to_xyxy(target_boxes))
        losses["loss_giou"] = (1 - torch.diag(giou)).sum() / num_boxes
        return losses


WEIGHTS = {"loss_ce": 1, "loss_bbox": 5, "loss_giou": 2}

# batch, image height, image width
SIZES = {"full": (2, 800, 1200), "small": (1, 96, 128)}


def random_targets(batch, device):
    targets = []
    for _ in range(batch):
        n = int(torch.randint(5, 10, size=()).item())
        labels = torch.randint(5, 10, size=(n,), device=device)
        boxes = torch.randint(100, 800, size=(n, 4), device=device)
        # Order each box's corners: x0 <= x1, y0 <= y1.
        x0, x1 = torch.minimum(boxes[:, 0], boxes[:, 2]), torch.maximum(boxes[:, 0], boxes[:, 2])
        y0, y1 = torch.minimum(boxes[:, 1], boxes[:, 3]), torch.maximum(boxes[:, 1], boxes[:, 3])
        targets.append({"labels": labels, "boxes": torch.stack([x0, y0, x1, y1], dim=1).float()})
    return targets


def build(size, device):
    from ._functional import functionalize

    batch, height, width = SIZES[size]
    num_classes = 91
    model = DETR(num_classes)
    criterion = SetCriterion(num_classes, eos_coef=0.1).to(device)
    inputs = torch.rand(batch, 3, height, width, device=device)
    targets = random_targets(batch, device)

    def loss(call):
        losses = criterion(call(inputs), targets)
        return sum(losses[k] * w for k, w in WEIGHTS.items())

    return functionalize(model, loss, device, {"inputs": inputs, "targets": targets})
