"""The demo's predictions picture (``distiller.benchmark.predictions``): per-image scores against hand-computed values,
and the grid drawn for an mmdet and an mmseg model by their own visualizers."""
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData, PixelData

from distiller.benchmark.predictions import _det_score, _seg_score, prediction_grid
from tests.helpers.kd_runner_helpers import REPO, make_digits, one_thread, write_config


def test_seg_score_is_the_mean_foreground_iou_of_the_image() -> None:
    from mmseg.structures import SegDataSample
    gt = np.array([[0, 1, 1, 2], [0, 1, 1, 2]])
    pred = SegDataSample(pred_sem_seg=PixelData(data=torch.tensor([[[0, 1, 1, 1], [0, 0, 1, 3]]])))
    # class 1: intersection 3, union 5; class 2: 0 / 2; class 3 (predicted only): 0 / 1
    assert _seg_score(pred, gt) == pytest.approx((3 / 5 + 0 + 0) / 3)


def test_det_score_is_the_f1_of_class_aware_matches_above_the_threshold() -> None:
    from mmdet.structures import DetDataSample
    boxes = np.array([[0, 0, 10, 10], [20, 20, 30, 30]], dtype=np.float32)
    labels = np.array([1, 2])
    pred = DetDataSample(pred_instances=InstanceData(
        bboxes=torch.tensor([[0., 0., 10., 9.], [20., 20., 30., 30.], [50., 50., 60., 60.], [0., 0., 10., 10.]]),
        labels=torch.tensor([1, 3, 1, 1]), scores=torch.tensor([0.9, 0.8, 0.5, 0.1])))
    # kept: the first three; matched: only the first (the second has the wrong class) -> F1 = 2 * 1 / (3 + 2)
    assert _det_score(pred, boxes, labels) == pytest.approx(0.4)
    empty = DetDataSample(pred_instances=InstanceData(bboxes=torch.zeros(0, 4), labels=torch.zeros(0).long(),
                                                      scores=torch.zeros(0)))
    assert _det_score(empty, boxes[:0], labels[:0]) == 1.0 and _det_score(empty, boxes, labels) == 0.0


@pytest.mark.parametrize('student', ['rtmdet_tiny_digits.py', 'cspnext_tiny_fpn_digits.py'])
def test_grid_draws_every_model_on_the_images_where_two_differ_most(tmp_path: Path, student: str) -> None:
    data = make_digits(tmp_path / 'data', num_train=2, num_val=3)
    config = write_config(tmp_path / 'model.py', f"""_base_ = [{str(REPO / 'configs' / 'students' / student)!r}]
val_dataloader = dict(dataset=dict(data_root={str(data) + '/'!r}))
val_evaluator = dict(ann_file={str(data / 'annotations' / 'instances_val.json')!r})
""" if student.startswith('rtmdet') else f"""_base_ = [{str(REPO / 'configs' / 'students' / student)!r}]
val_dataloader = dict(dataset=dict(data_root={str(data) + '/'!r}))
""")
    out = tmp_path / 'grid.png'
    before = DefaultScope.get_current_instance() and DefaultScope.get_current_instance().scope_name
    with one_thread():
        chosen = prediction_grid(str(config), {'a': (str(config), None), 'b': (str(config), None)}, out, rows=2,
                                 contrast=('a', 'b'))
    val = sorted(str(p) for p in (data / 'images' / 'val').iterdir())
    assert len(chosen) == 2 and chosen == sorted(chosen) and set(chosen) <= set(val)
    assert out.stat().st_size > 0
    assert DefaultScope.get_current_instance() is None or DefaultScope.get_current_instance().scope_name == before


def test_grid_refuses_a_config_of_another_family(tmp_path: Path) -> None:
    config = write_config(tmp_path / 'other.py', "default_scope = 'mmpretrain'\n")
    with pytest.raises(ValueError, match="default_scope 'mmpretrain' is neither mmseg nor mmdet"):
        prediction_grid(str(config), {}, tmp_path / 'x.png')
