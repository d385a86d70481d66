"""The pinned stack imports together and mmcv's compiled ops run."""
import importlib

import pytest
import torch

PINNED = {'torch': '2.14.1', 'torchvision': '0.29.1', 'mmcv': '2.1.0', 'mmengine': '0.10.7', 'mmdet': '3.3.0',
          'mmseg': '1.2.2'}


@pytest.mark.parametrize('name,version', sorted(PINNED.items()))
def test_pinned_versions(name: str, version: str) -> None:
    assert importlib.import_module(name).__version__.split('+')[0] == version


def test_ultralytics_84_imports_offline() -> None:
    import ultralytics
    assert ultralytics.__version__.startswith('8.4.')


def test_mmcv_compiled_nms_matches_expected() -> None:
    from mmcv.ops import nms
    boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 11., 11.], [20., 20., 30., 30.], [0., 0., 10., 9.]])
    scores = torch.tensor([0.9, 0.8, 0.7, 0.95])
    dets, keep = nms(boxes, scores, iou_threshold=0.5)
    # Box 3 (0.95) suppresses boxes 0 (IoU 0.9) and 1 (IoU ~0.64); box 2 does not overlap.
    assert keep.tolist() == [3, 2]
    torch.testing.assert_close(dets[:, 4], torch.tensor([0.95, 0.7]))


def test_mmcv_compiled_roi_align_averages_a_constant_map() -> None:
    from mmcv.ops import RoIAlign
    feat = torch.full((1, 2, 16, 16), 3.0)
    feat[:, 1] = 5.0
    rois = torch.tensor([[0., 2., 2., 10., 10.]])
    out = RoIAlign(output_size=(4, 4), spatial_scale=1.0, sampling_ratio=2, aligned=True)(feat, rois)
    assert out.shape == (1, 2, 4, 4)
    torch.testing.assert_close(out[0, 0], torch.full((4, 4), 3.0))
    torch.testing.assert_close(out[0, 1], torch.full((4, 4), 5.0))
