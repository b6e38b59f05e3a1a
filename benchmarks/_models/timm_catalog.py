"""The timm model list of PyTorch's dynamo benchmark runner, as data.

One row per model: the reference's name (the result key), its listed batch size, and the
per-model facts the reference keeps in separate sets. Names that timm 1.0.31 knows under a
newer name carry that name; the benchmark parameter shows both. No torch or timm import.
"""

from dataclasses import dataclass

# name, listed batch size (training batch = max(listed // divisor, 1))
_LISTED = """
adv_inception_v3 128
beit_base_patch16_224 128
botnet26t_256 128
cait_m36_384 8
coat_lite_mini 128
convit_base 128
convmixer_768_32 64
convnext_base 128
crossvit_9_240 128
cspdarknet53 128
deit_base_distilled_patch16_224 128
dla102 128
dm_nfnet_f0 128
dpn107 64
eca_botnext26ts_256 128
eca_halonext26ts 128
ese_vovnet19b_dw 128
fbnetc_100 128
fbnetv3_b 128
gernet_l 128
ghostnet_100 128
gluon_inception_v3 128
gluon_xception65 64
gmixer_24_224 128
gmlp_s16_224 128
hrnet_w18 128
inception_v3 128
jx_nest_base 128
lcnet_050 128
levit_128 128
mixer_b16_224 128
mixnet_l 128
mnasnet_100 128
mobilenetv2_100 128
mobilenetv3_large_100 128
mobilevit_s 128
nfnet_l0 128
pit_b_224 128
pnasnet5large 32
poolformer_m36 128
regnety_002 128
repvgg_a2 128
res2net101_26w_4s 128
res2net50_14w_8s 128
res2next50 128
resmlp_12_224 128
resnest101e 128
rexnet_100 128
sebotnet33ts_256 128
selecsls42b 128
spnasnet_100 128
swin_base_patch4_window7_224 128
swsl_resnext101_32x16d 64
tf_efficientnet_b0 128
tf_mixnet_l 128
tinynet_a 128
tnt_s_patch16_224 128
twins_pcpvt_base 128
visformer_small 128
vit_base_patch16_224 128
volo_d1_224 128
xcit_large_24_p8_224 23
"""

DIVISORS = {
    **dict.fromkeys(
        (
            "beit_base_patch16_224 convit_base convmixer_768_32 convnext_base cspdarknet53 "
            "deit_base_distilled_patch16_224 gluon_xception65 mobilevit_s pnasnet5large poolformer_m36 "
            "resnest101e swin_base_patch4_window7_224 swsl_resnext101_32x16d vit_base_patch16_224 volo_d1_224"
        ).split(),
        2,
    ),
    "jx_nest_base": 4,
}
EVAL_TOLERANCE = 1e-3
TRAIN_TOLERANCE = {
    **dict.fromkeys(
        (
            "fbnetv3_b gmixer_24_224 hrnet_w18 inception_v3 mixer_b16_224 mobilenetv3_large_100 "
            "sebotnet33ts_256 selecsls42b cspdarknet53"
        ).split(),
        4e-2,
    ),
    "levit_128": 8e-2,
}
DEFAULT_TRAIN_TOLERANCE = 1e-2
# Eval tolerance with frozen (inference-optimized) graphs, where conv-bn folding moves numbers.
FREEZE_TOLERANCE = dict.fromkeys(
    "adv_inception_v3 botnet26t_256 gluon_inception_v3 selecsls42b swsl_resnext101_32x16d".split(), 8e-2
)
LOSS_DIVIDED_BY_1000 = frozenset("ese_vovnet19b_dw fbnetc_100 mnasnet_100 mobilevit_s sebotnet33ts_256".split())
FORCE_AMP = frozenset(("convit_base", "xcit_large_24_p8_224"))
# The small size is batch 1 at the model's own resolution, except for these models, whose training
# step at batch 1 fails in BatchNorm ("Expected more than 1 value per channel when training") on a
# 1x1 feature map (levit_128's head, resnest101e's split attention, rexnet_100's squeeze-excite).
SMALL_BATCH_2 = frozenset(("levit_128", "resnest101e", "rexnet_100"))
# ... and at a smaller image for the heaviest steps, so that a run of three processes of three
# samples per point fits in 20 minutes on the 2-core CPU. Batch-1 training steps at the model's own
# size -> at these: cait_m36_384 (384 px) 18.7 s -> 2.2 s, xcit_large_24_p8_224 (8-px patches) 10.2
# s -> 2.8 s, pnasnet5large (331 px) 3.4 s -> 1.6 s, swsl_resnext101_32x16d 3.1 s -> 1.8 s,
# convmixer_768_32 2.5 s -> 1.4 s. Models with a fixed input size take it as ``img_size``.
SMALL_IMAGE_SIZE = {
    "cait_m36_384": 160,
    "xcit_large_24_p8_224": 112,
    "pnasnet5large": 224,
    "swsl_resnext101_32x16d": 160,
    "convmixer_768_32": 160,
}
EAGER_NONDETERMINISTIC_TRAINING = frozenset(("xcit_large_24_p8_224",))

# Reference name -> the name timm 1.0.31 creates it under, and why it differs.
CURRENT_NAMES = {
    "adv_inception_v3": ("inception_v3.tf_adv_in1k", "deprecated alias in timm"),
    "gluon_inception_v3": ("inception_v3.gluon_in1k", "deprecated alias in timm"),
    "jx_nest_base": ("nest_base_jx", "deprecated alias in timm"),
    "swsl_resnext101_32x16d": ("resnext101_32x16d.fb_swsl_ig1b_ft_in1k", "deprecated alias in timm"),
    "gluon_xception65": (
        "xception65",
        "removed from timm with its Gluon port; xception65 is timm's aligned Xception-65, "
        "the same architecture family and depth",
    ),
}


@dataclass(frozen=True)
class TimmModel:
    name: str
    listed_batch: int
    divisor: int
    train_tolerance: float
    freeze_tolerance: float
    loss_divisor: float
    force_amp: bool
    eager_nondeterministic_training: bool
    timm_name: str
    rename_reason: str

    @property
    def full_batch(self):
        return max(self.listed_batch // self.divisor, 1)

    @property
    def small_batch(self):
        """1, or 2 where a training step at batch 1 normalizes a single value per channel."""
        return 2 if self.name in SMALL_BATCH_2 else 1

    @property
    def small_image_size(self):
        """The image side at small size, where it is not the model's own (None)."""
        return SMALL_IMAGE_SIZE.get(self.name)

    @property
    def key(self):
        """The benchmark parameter: the reference's name, and timm's current one if it differs."""
        return self.name if self.timm_name == self.name else f"{self.name}={self.timm_name}"


def _row(line):
    name, batch = line.split()
    timm_name, reason = CURRENT_NAMES.get(name, (name, ""))
    return TimmModel(
        name=name,
        listed_batch=int(batch),
        divisor=DIVISORS.get(name, 1),
        train_tolerance=TRAIN_TOLERANCE.get(name, DEFAULT_TRAIN_TOLERANCE),
        freeze_tolerance=FREEZE_TOLERANCE.get(name, EVAL_TOLERANCE),
        loss_divisor=1000.0 if name in LOSS_DIVIDED_BY_1000 else 1.0,
        force_amp=name in FORCE_AMP,
        eager_nondeterministic_training=name in EAGER_NONDETERMINISTIC_TRAINING,
        timm_name=timm_name,
        rename_reason=reason,
    )


CATALOG = {row.name: row for row in map(_row, _LISTED.strip().splitlines())}
