import numpy as np
import pytest
import torch

from distiller.losses.fgd import FGDLoss, box_masks

# Three 32 x 48 images seen by a 4 x 6 feature map (stride 8).
IMG_SHAPES = [(32, 48), (32, 48), (32, 48)]
GT_BBOXES = [
    # Box A covers rows [0, 1), cols [0, 2) (2 cells); box B covers rows [0, 3), cols [1, 3) (6 cells: y1=4 lies
    # inside row 0, x2=20 and y2=20 inside col 2 and row 2, and partly covered cells count).
    torch.tensor([[0.0, 0.0, 16.0, 8.0], [8.0, 4.0, 20.0, 20.0]]),
    torch.zeros(0, 4),  # no objects: everything is background
    torch.tensor([[0.0, 0.0, 48.0, 32.0]]),  # one box over the whole image: no background
]
S = 1 / 6
FG = np.array([
    [[0.5, 0.5, S, 0, 0, 0],
     [0, S, S, 0, 0, 0],
     [0, S, S, 0, 0, 0],
     [0, 0, 0, 0, 0, 0]],
    np.zeros((4, 6)),
    np.full((4, 6), 1 / 24),
])[:, None]
BG = np.stack([(FG[0] == 0) / 17, np.full((1, 4, 6), 1 / 24), np.zeros((1, 4, 6))])


def _np(param):
    return param.detach().double().numpy()


def _softmax(z, axis):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _attentions(x, temp):
    n, c, h, w = x.shape
    spatial = h * w * _softmax(np.abs(x).mean(axis=1).reshape(n, -1) / temp, axis=1)
    channel = c * _softmax(np.abs(x).mean(axis=(2, 3)) / temp, axis=1)
    return spatial.reshape(n, 1, h, w), channel.reshape(n, c, 1, 1)


def _gc_block(x, block):
    """GcBlock with explicit per-image steps: softmax pooling, conv1x1 -> LayerNorm -> ReLU -> conv1x1, add."""
    out = np.empty_like(x)
    w_k, b_k = _np(block.context_logits.weight)[0, :, 0, 0], _np(block.context_logits.bias)[0]
    conv1, norm, conv2 = block.channel_add[0], block.channel_add[1], block.channel_add[3]
    for i, feat in enumerate(x):
        flat = feat.reshape(feat.shape[0], -1)
        pool = _softmax(w_k @ flat + b_k, axis=0)
        hidden = _np(conv1.weight)[:, :, 0, 0] @ (flat @ pool) + _np(conv1.bias)
        hidden = (hidden - hidden.mean()) / np.sqrt(hidden.var() + norm.eps)
        hidden = np.maximum(hidden * _np(norm.weight).ravel() + _np(norm.bias).ravel(), 0)
        out[i] = feat + (_np(conv2.weight)[:, :, 0, 0] @ hidden + _np(conv2.bias))[:, None, None]
    return out


def reference_terms(loss_fn, preds_S, preds_T):
    """The four FGD terms (unweighted, divided by N) with the module's current layer weights."""
    n = preds_S.shape[0]
    if isinstance(loss_fn.align, torch.nn.Conv2d):
        preds_S = np.einsum('oc,nchw->nohw', _np(loss_fn.align.weight)[:, :, 0, 0], preds_S)
        preds_S += _np(loss_fn.align.bias)[None, :, None, None]
    spatial_T, channel_T = _attentions(preds_T, loss_fn.temp)
    spatial_S, channel_S = _attentions(preds_S, loss_fn.temp)
    fg = np.sum((np.sqrt(FG * spatial_T * channel_T) * (preds_S - preds_T))**2) / n
    bg = np.sum((np.sqrt(BG * spatial_T * channel_T) * (preds_S - preds_T))**2) / n
    attention = (np.abs(spatial_S - spatial_T).sum() + np.abs(channel_S - channel_T).sum()) / n
    relation = np.sum((_gc_block(preds_S, loss_fn.global_context) - _gc_block(preds_T, loss_fn.global_context))**2)
    return fg, bg, attention, relation / n


def _features(student_channels=4, teacher_channels=4):
    gen = torch.Generator().manual_seed(0)
    return torch.randn(3, student_channels, 4, 6, generator=gen), torch.randn(3, teacher_channels, 4, 6, generator=gen)


def _randomise_layers(loss_fn):
    """Give every layer (the zero-initialised last GcBlock conv included) known non-trivial weights."""
    torch.manual_seed(0)
    with torch.no_grad():
        for param in loss_fn.parameters():
            param.normal_(0.0, 0.5)


def _loss(loss_fn, preds_S, preds_T):
    return loss_fn(preds_S, preds_T, gt_bboxes=GT_BBOXES, img_shapes=IMG_SHAPES)


def test_box_masks_match_hand_computed_masks():
    fg, bg = box_masks(GT_BBOXES, IMG_SHAPES, (4, 6), torch.device('cpu'))
    assert fg.shape == bg.shape == (3, 1, 4, 6)
    np.testing.assert_allclose(fg.numpy(), FG, rtol=1e-6)
    np.testing.assert_allclose(bg.numpy(), BG, rtol=1e-6)


@pytest.mark.parametrize('term', range(4))
def test_each_term_matches_formula(term):
    factors = [0.0] * 4
    factors[term] = 0.3
    loss_fn = FGDLoss(4, 4, temp=0.5, alpha_fgd=factors[0], beta_fgd=factors[1], gamma_fgd=factors[2],
                      lambda_fgd=factors[3])
    _randomise_layers(loss_fn)
    preds_S, preds_T = _features()
    expected = 0.3 * reference_terms(loss_fn, preds_S.double().numpy(), preds_T.double().numpy())[term]
    assert expected > 0
    assert _loss(loss_fn, preds_S, preds_T).item() == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize('student_channels', [4, 6])
def test_total_matches_formula(student_channels):
    loss_fn = FGDLoss(student_channels, 4, temp=0.8, alpha_fgd=0.2, beta_fgd=0.7, gamma_fgd=0.05, lambda_fgd=0.01)
    _randomise_layers(loss_fn)
    preds_S, preds_T = _features(student_channels)
    fg, bg, attention, relation = reference_terms(loss_fn, preds_S.double().numpy(), preds_T.double().numpy())
    loss = _loss(loss_fn, preds_S, preds_T)
    assert loss.dim() == 0
    assert loss.item() == pytest.approx(0.2 * fg + 0.7 * bg + 0.05 * attention + 0.01 * relation, rel=1e-5)


def test_global_block_starts_as_identity():
    loss_fn = FGDLoss(4, 4, alpha_fgd=0.0, beta_fgd=0.0, gamma_fgd=0.0, lambda_fgd=1.0)
    preds_S, preds_T = _features()
    expected = np.sum((preds_S.double().numpy() - preds_T.double().numpy())**2) / 3
    assert _loss(loss_fn, preds_S, preds_T).item() == pytest.approx(expected, rel=1e-5)


def test_images_without_boxes_give_a_finite_loss():
    preds_S, preds_T = _features()
    loss = FGDLoss(4, 4)(preds_S, preds_T, gt_bboxes=[torch.zeros(0, 4)] * 3, img_shapes=IMG_SHAPES)
    assert torch.isfinite(loss) and loss > 0


def test_declares_its_extra_inputs():
    assert FGDLoss.requires == ('gt_bboxes', 'img_shapes')


def test_missing_per_image_inputs_are_reported():
    preds_S, preds_T = _features()
    with pytest.raises(ValueError, match='for each of the 3 images, got 2 gt_bboxes and 3 img_shapes'):
        FGDLoss(4, 4)(preds_S, preds_T, gt_bboxes=GT_BBOXES[:2], img_shapes=IMG_SHAPES)


def test_channel_mismatch_is_reported():
    preds_S, preds_T = _features()
    with pytest.raises(ValueError, match=r'student \(N, 8, H, W\) and a teacher \(N, 4, H, W\), got \(3, 4, 4, 6\)'):
        _loss(FGDLoss(8, 4), preds_S, preds_T)


def test_malformed_boxes_are_reported():
    preds_S, preds_T = _features()
    with pytest.raises(ValueError, match=r'gt_bboxes of shape \(K, 4\), got \(2, 5\)'):
        FGDLoss(4, 4)(preds_S, preds_T, gt_bboxes=[torch.zeros(2, 5)] * 3, img_shapes=IMG_SHAPES)
