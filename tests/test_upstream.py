"""The vendored models are the upstream architectures: same parameters, same outputs."""

import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from benchmarks._models import attention, deepspeech, detr, fcn, resnet, transformer, wav2letter


def n_params(module):
    return sum(p.numel() for p in module.parameters())


def assert_same_model(ours, upstream, *inputs, key=None):
    """Load upstream's weights into ours (names must match) and compare eval outputs."""
    assert n_params(ours) == n_params(upstream)
    ours.load_state_dict(upstream.state_dict())
    ours.eval(), upstream.eval()
    with torch.no_grad():
        a, b = ours(*inputs), upstream(*inputs)
    if key:
        a, b = a[key], b[key]
    torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)


def test_resnet18_equals_torchvision():
    torchvision = pytest.importorskip("torchvision")
    torch.manual_seed(0)
    assert_same_model(resnet.resnet18(), torchvision.models.resnet18(weights=None), torch.rand(2, 3, 64, 64))


def test_fcn_resnet50_equals_torchvision():
    torchvision = pytest.importorskip("torchvision")
    torch.manual_seed(0)
    upstream = torchvision.models.segmentation.fcn_resnet50(weights=None, weights_backbone=None, num_classes=21)
    assert_same_model(fcn.FCN(21), upstream, torch.rand(1, 3, 64, 64), key="out")


def test_wav2letter_equals_torchaudio():
    torchaudio = pytest.importorskip("torchaudio")
    torch.manual_seed(0)
    upstream = torchaudio.models.Wav2Letter(num_classes=28, input_type="waveform", num_features=1)
    assert_same_model(wav2letter.Wav2Letter(num_classes=28), upstream, torch.rand(2, 1, 700))


def test_encoder_layer_equals_nn_transformer_encoder_layer():
    torch.manual_seed(0)
    upstream = torch.nn.TransformerEncoderLayer(48, 4, 64, dropout=0.0)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(7)
    x = torch.rand(7, 3, 48)
    ours = attention.EncoderLayer(48, 4, 64)
    assert n_params(ours) == n_params(upstream)
    ours.load_state_dict(upstream.state_dict())
    with torch.no_grad():
        torch.testing.assert_close(ours(x, mask), upstream(x, src_mask=mask), rtol=1e-5, atol=1e-5)


def test_decoder_stack_equals_nn_transformer():
    """DETR's transformer: same parameters and outputs as nn.Transformer (DETR's sizes, fewer layers)."""
    torch.manual_seed(0)
    upstream = torch.nn.Transformer(256, 8, 2, 2, 2048, dropout=0.0)
    ours = detr.DETR(91, num_encoder_layers=2, num_decoder_layers=2).transformer
    assert n_params(ours) == n_params(upstream)
    ours.load_state_dict(upstream.state_dict())
    src, tgt = torch.rand(12, 2, 256), torch.rand(10, 2, 256)
    with torch.no_grad():
        torch.testing.assert_close(ours.decoder(tgt, ours.encoder(src)), upstream(src, tgt), rtol=1e-5, atol=1e-5)


def test_transformer_model_parameter_count():
    upstream = torch.nn.TransformerEncoder(
        torch.nn.TransformerEncoderLayer(720, 12, 2048), 2, enable_nested_tensor=False
    )
    ours = transformer.TransformerModel(ntoken=50, ninp=720, nhead=12, nhid=2048, nlayers=2)
    embedding_and_decoder = 50 * 720 + (720 * 50 + 50)
    assert n_params(ours) == n_params(upstream) + embedding_and_decoder


def test_deepspeech_rnn_equals_packed_bidirectional_lstm():
    """BatchRNN on padded tensors computes what a bidirectional LSTM on packed sequences does."""
    torch.manual_seed(0)
    lengths = torch.tensor([5, 7, 3])
    x = torch.rand(8, 3, 6)
    packed_lstm = torch.nn.LSTM(6, 4, bidirectional=True)
    ours = deepspeech.BatchRNN(6, 4, batch_norm=False)
    for name, p in packed_lstm.named_parameters():
        target = ours.rnn_reverse if name.endswith("_reverse") else ours.rnn
        getattr(target, name.removesuffix("_reverse")).data.copy_(p)
    with torch.no_grad():
        out, _ = pad_packed_sequence(packed_lstm(pack_padded_sequence(x, lengths, enforce_sorted=False))[0])
        expected = out.view(out.size(0), 3, 2, -1).sum(2)
        actual = ours(x, deepspeech.Steps(lengths, "cpu"))
    torch.testing.assert_close(actual, expected, rtol=1e-5, atol=1e-6)
