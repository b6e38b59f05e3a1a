"""The timm catalog: the reference's list and per-model facts, resolved against installed timm."""

import pytest

from benchmarks import _config
from benchmarks._models import timm_catalog
from benchmarks._models.timm_catalog import CATALOG

# The list as WORKLOADS.md section 2 states it (62 names; the "61" counts one less).
LISTED = {
    "adv_inception_v3": 128, "beit_base_patch16_224": 128, "botnet26t_256": 128, "cait_m36_384": 8,
    "coat_lite_mini": 128, "convit_base": 128, "convmixer_768_32": 64, "convnext_base": 128,
    "crossvit_9_240": 128, "cspdarknet53": 128, "deit_base_distilled_patch16_224": 128, "dla102": 128,
    "dm_nfnet_f0": 128, "dpn107": 64, "eca_botnext26ts_256": 128, "eca_halonext26ts": 128,
    "ese_vovnet19b_dw": 128, "fbnetc_100": 128, "fbnetv3_b": 128, "gernet_l": 128, "ghostnet_100": 128,
    "gluon_inception_v3": 128, "gluon_xception65": 64, "gmixer_24_224": 128, "gmlp_s16_224": 128,
    "hrnet_w18": 128, "inception_v3": 128, "jx_nest_base": 128, "lcnet_050": 128, "levit_128": 128,
    "mixer_b16_224": 128, "mixnet_l": 128, "mnasnet_100": 128, "mobilenetv2_100": 128,
    "mobilenetv3_large_100": 128, "mobilevit_s": 128, "nfnet_l0": 128, "pit_b_224": 128, "pnasnet5large": 32,
    "poolformer_m36": 128, "regnety_002": 128, "repvgg_a2": 128, "res2net101_26w_4s": 128,
    "res2net50_14w_8s": 128, "res2next50": 128, "resmlp_12_224": 128, "resnest101e": 128, "rexnet_100": 128,
    "sebotnet33ts_256": 128, "selecsls42b": 128, "spnasnet_100": 128, "swin_base_patch4_window7_224": 128,
    "swsl_resnext101_32x16d": 64, "tf_efficientnet_b0": 128, "tf_mixnet_l": 128, "tinynet_a": 128,
    "tnt_s_patch16_224": 128, "twins_pcpvt_base": 128, "visformer_small": 128, "vit_base_patch16_224": 128,
    "volo_d1_224": 128, "xcit_large_24_p8_224": 23,
}  # fmt: skip


def test_catalog_is_the_listed_models():
    assert {name: entry.listed_batch for name, entry in CATALOG.items()} == LISTED


def test_full_batches_apply_divisors():
    assert CATALOG["jx_nest_base"].full_batch == 32
    assert CATALOG["pnasnet5large"].full_batch == 16
    assert CATALOG["convmixer_768_32"].full_batch == 32
    assert CATALOG["xcit_large_24_p8_224"].full_batch == 23
    assert sum(entry.divisor == 2 for entry in CATALOG.values()) == 15


def test_tolerance_classes_and_flags():
    assert CATALOG["levit_128"].train_tolerance == 8e-2
    assert CATALOG["hrnet_w18"].train_tolerance == 4e-2
    assert CATALOG["vit_base_patch16_224"].train_tolerance == 1e-2
    assert CATALOG["botnet26t_256"].freeze_tolerance == 8e-2
    assert CATALOG["mobilevit_s"].loss_divisor == 1000.0 and CATALOG["dla102"].loss_divisor == 1.0
    assert {n for n, e in CATALOG.items() if e.force_amp} == {"convit_base", "xcit_large_24_p8_224"}
    assert [n for n, e in CATALOG.items() if e.eager_nondeterministic_training] == ["xcit_large_24_p8_224"]


def test_every_name_resolves_in_installed_timm():
    timm = pytest.importorskip("timm")
    from timm.models._registry import _deprecated_models

    assert timm.__version__ == "1.0.31"
    for name, entry in CATALOG.items():
        assert timm.is_model(entry.timm_name), name
        if name in timm_catalog.CURRENT_NAMES and name != "gluon_xception65":
            assert _deprecated_models[name] == entry.timm_name  # timm's own deprecation map
    assert not timm.is_model("gluon_xception65")
    assert [e.key for e in CATALOG.values() if "=" in e.key] == [
        "adv_inception_v3=inception_v3.tf_adv_in1k",
        "gluon_inception_v3=inception_v3.gluon_in1k",
        "gluon_xception65=xception65",
        "jx_nest_base=nest_base_jx",
        "swsl_resnext101_32x16d=resnext101_32x16d.fb_swsl_ig1b_ft_in1k",
    ]


def test_model_that_fails_to_create_is_reported(monkeypatch):
    pytest.importorskip("timm")
    from benchmarks._models import timm_models

    broken = timm_catalog.TimmModel(**{**vars(CATALOG["regnety_002"]), "timm_name": "no_such_model"})
    monkeypatch.setitem(CATALOG, "regnety_002", broken)
    with pytest.raises(timm_models.ModelUnavailable, match="cannot create 'no_such_model'"):
        timm_models.create("regnety_002", "small", "cpu", training=False)


@pytest.mark.parametrize("count", [1, 2, 3, 7, 62])
def test_shards_partition_the_sorted_list(count):
    shards = [_config.take_shard(CATALOG, i, count) for i in range(1, count + 1)]
    assert [name for shard in shards for name in shard] == sorted(CATALOG)
    assert max(map(len, shards)) - min(map(len, shards)) <= 1


@pytest.mark.parametrize("name", sorted(timm_catalog.SMALL_IMAGE_SIZE))
def test_small_image_sizes_are_what_the_models_get(name):
    """A CNN takes the smaller image as it is; a model with a fixed input size is built for it."""
    pytest.importorskip("timm")
    import torch

    from benchmarks._models import timm_models

    side = timm_catalog.SMALL_IMAGE_SIZE[name]
    w = timm_models.create(name, "small", "cpu", training=False)
    assert w.inputs.shape[-2:] == (side, side)
    with torch.no_grad():
        assert w.model(w.inputs).shape == (1, w.model.num_classes)
