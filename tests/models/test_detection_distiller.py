"""DetectionDistiller with a RetinaNet R18 student on tiny inputs: neck CWD over all FPN levels, FGD with the gt boxes
the distiller hands over, an FCOS -> RetinaNet pair through connectors, and the teacher's early stop."""
import copy
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest
import torch
from mmengine.config import Config

from distiller.core import ChannelAlign
from distiller.models import DetectionDistiller

from tests.helpers.kd_runner_helpers import in_process_setup

REPO = Path(__file__).resolve().parents[2]
STUDENT_CFG = str(REPO / 'configs' / 'students' / 'retinanet_r18_fpn_digits.py')
SIZE = 64
CALIBRATE = (2, 3, SIZE, SIZE)
NECK_CWD = [dict(student_module='neck', teacher_module='neck',
                 methods=[dict(type='ChannelWiseDivergence', name='loss_cwd_neck', tau=1.0, weight=5.0)])]


@pytest.fixture(scope='module', autouse=True)
def setup_module_state() -> Iterator[None]:
    with in_process_setup():
        yield


def student_model() -> dict:
    return copy.deepcopy(Config.fromfile(STUDENT_CFG).model.to_dict())


def retinanet_teacher(channels: int = 128) -> dict:
    """RetinaNet R18 whose FPN and head are narrower than the student's 256 channels."""
    model = student_model()
    model['neck']['out_channels'] = channels
    model['bbox_head'].update(in_channels=channels, feat_channels=channels)
    return model


def fcos_teacher() -> dict:
    """An FCOS R18 (anchor-free, another head family) with a 128-channel FPN, sharing the student's preprocessor."""
    student = student_model()
    return dict(
        type='FCOS',
        data_preprocessor=student['data_preprocessor'],
        backbone=student['backbone'],
        neck=dict(type='FPN', in_channels=[64, 128, 256, 512], out_channels=128, start_level=1,
                  add_extra_convs='on_output', num_outs=5, relu_before_extra_convs=True),
        bbox_head=dict(type='FCOSHead', num_classes=10, in_channels=128, stacked_convs=2, feat_channels=128,
                       strides=[8, 16, 32, 64, 128]),
        train_cfg=None,
        test_cfg=dict(nms_pre=100, min_bbox_size=0, score_thr=0.05, nms=dict(type='nms', iou_threshold=0.5),
                      max_per_img=10))


def build(teacher: dict, distill_cfg: List[dict], **kwargs) -> DetectionDistiller:
    torch.manual_seed(0)
    model = DetectionDistiller(teacher_cfg=teacher, student_cfg=STUDENT_CFG, distill_cfg=distill_cfg,
                               calibrate_shape=CALIBRATE, **kwargs)
    model.init_weights()
    return model.train()


def batch(shift: int = 0) -> Tuple[list, list]:
    """Two uint8 64x64 images with two boxes each, as PackDetInputs delivers them."""
    from mmdet.structures import DetDataSample
    from mmdet.structures.bbox import HorizontalBoxes
    from mmengine.structures import InstanceData
    gen = torch.Generator().manual_seed(0)
    inputs = [torch.randint(0, 256, (3, SIZE, SIZE), dtype=torch.uint8, generator=gen) for _ in range(2)]
    samples = []
    for i in range(2):
        sample = DetDataSample()
        sample.set_metainfo(dict(img_shape=(SIZE, SIZE), ori_shape=(SIZE, SIZE), scale_factor=(1.0, 1.0)))
        boxes = torch.tensor([[4., 6., 30., 34.], [30., 20., 60., 58.]]) + shift
        sample.gt_instances = InstanceData(bboxes=HorizontalBoxes(boxes.clamp(0, SIZE)),
                                           labels=torch.tensor([i, 3 + i]))
        samples.append(sample)
    return inputs, samples


def loss_step(model: DetectionDistiller, shift: int = 0) -> dict:
    inputs, samples = batch(shift)
    return model(inputs, samples, mode='loss')


def total(losses: dict) -> torch.Tensor:
    parts = []
    for key, value in losses.items():
        if 'loss' in key:
            parts.extend(value if isinstance(value, list) else [value])
    return sum(parts)


class CallCounter:
    """Counts the calls that start on a module and on each of its submodules (pre-hooks, so a forward stopped
    inside still counts). Submodules matter: mmdet detectors call ``self.bbox_head.forward(x)`` directly, which
    bypasses the hooks of ``bbox_head`` itself, but every conv of the head goes through ``__call__``."""

    def __init__(self, module: torch.nn.Module) -> None:
        self.calls = 0
        self.handles = [m.register_forward_pre_hook(self) for m in module.modules()]

    def __call__(self, module, args) -> None:
        self.calls += 1

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()


@pytest.fixture(scope='module')
def neck_cwd() -> DetectionDistiller:
    return build(retinanet_teacher(), NECK_CWD)


def test_neck_cwd_takes_every_fpn_level_and_sums(neck_cwd: DetectionDistiller) -> None:
    model = neck_cwd
    method = model.distill_losses.methods['loss_cwd_neck']
    assert isinstance(method.align, ChannelAlign)  # 256 student channels -> 128 teacher channels
    assert method.align.conv.in_channels == 256 and method.align.conv.out_channels == 128

    losses = loss_step(model)
    assert {'loss_cls', 'loss_bbox', 'loss_cwd_neck'} <= set(losses)
    assert not any(key.startswith('teacher.') for key in losses)

    # The same loss computed by hand, one FPN level at a time, from the two models' neck outputs.
    inputs, samples = batch()
    data = model.student.data_preprocessor(dict(inputs=inputs, data_samples=samples), True)
    with torch.no_grad():
        student_levels = model.student.extract_feat(data['inputs'])
        teacher_levels = model.teacher.extract_feat(data['inputs'])
        per_level = [method([s], [t]) for s, t in zip(student_levels, teacher_levels)]
    assert len(per_level) == 5
    torch.testing.assert_close(losses['loss_cwd_neck'].detach(), sum(per_level), rtol=1e-5, atol=1e-7)
    assert not torch.allclose(losses['loss_cwd_neck'].detach(), per_level[0])

    total(losses).backward()
    assert method.align.conv.weight.grad is not None and method.align.conv.weight.grad.abs().sum() > 0
    assert model.student.neck.fpn_convs[0].conv.weight.grad.abs().sum() > 0
    assert all(p.grad is None for p in model.teacher.parameters())
    model.zero_grad()


def test_teacher_head_does_not_run_when_only_the_neck_is_hooked(neck_cwd: DetectionDistiller) -> None:
    model = neck_cwd
    teacher_head, student_head = CallCounter(model.teacher.bbox_head), CallCounter(model.student.bbox_head)
    teacher_neck = CallCounter(model.teacher.neck)
    try:
        loss_step(model)
        assert teacher_neck.calls > 0
        assert teacher_head.calls == 0, 'the teacher forward went on past the last hooked module'
        assert student_head.calls > 0
        # The counter does see the teacher head when stopping early is switched off.
        model.teacher_stop_early = False
        loss_step(model)
        assert teacher_head.calls > 0
    finally:
        model.teacher_stop_early = True
        for counter in (teacher_head, student_head, teacher_neck):
            counter.remove()


def test_fgd_on_fpn_levels_gets_gt_boxes_from_the_distiller() -> None:
    cfg = [dict(student_module='neck', teacher_module='neck',
                methods=[dict(type='FGDLoss', name='loss_fgd', temp=0.5, alpha_fgd=1e-3, beta_fgd=5e-4,
                              gamma_fgd=5e-4, lambda_fgd=5e-6)])]
    model = build(retinanet_teacher(), cfg)
    assert model.distill_losses.requires == {'gt_bboxes', 'img_shapes'}
    fgd = model.distill_losses.methods['loss_fgd']
    assert fgd.align is None  # FGD owns its 1x1 align
    assert fgd.loss.student_channels == 256 and fgd.loss.teacher_channels == 128

    inputs, samples = batch()
    extra = model.distill_inputs(model.student.data_preprocessor(dict(inputs=inputs, data_samples=samples),
                                                                 True)['data_samples'], torch.zeros(2, 3, SIZE, SIZE))
    assert [tuple(s) for s in extra['img_shapes']] == [(SIZE, SIZE)] * 2
    torch.testing.assert_close(extra['gt_bboxes'][0], torch.tensor([[4., 6., 30., 34.], [30., 20., 60., 58.]]))

    losses = loss_step(model)
    assert {'loss_cls', 'loss_bbox', 'loss_fgd'} <= set(losses)
    assert torch.isfinite(losses['loss_fgd']) and losses['loss_fgd'] > 0
    moved = loss_step(model, shift=-4)['loss_fgd']
    assert not torch.allclose(moved, losses['loss_fgd']), 'FGD ignores where the gt boxes are'
    total(losses).backward()
    assert fgd.loss.align.weight.grad.abs().sum() > 0


def test_fcos_teacher_to_retinanet_student_through_connectors() -> None:
    cfg = [
        dict(student_module='neck', teacher_module='neck', index=1,
             methods=[dict(type='MimicLoss', name='loss_mimic_p4')]),
        # Both heads are shared over the 5 levels: 5 calls each, 9 anchors x 10 classes vs 10 classes.
        dict(student_module='bbox_head.retina_cls', teacher_module='bbox_head.conv_cls',
             methods=[dict(type='ChannelWiseDivergence', name='loss_cwd_cls', tau=2.0, weight=2.0)]),
    ]
    model = build(fcos_teacher(), cfg)
    assert type(model.teacher).__name__ == 'FCOS' and type(model.student).__name__ == 'RetinaNet'
    mimic, cwd = model.distill_losses.methods['loss_mimic_p4'], model.distill_losses.methods['loss_cwd_cls']
    assert (mimic.align.conv.in_channels, mimic.align.conv.out_channels) == (256, 128)
    assert (cwd.align.conv.in_channels, cwd.align.conv.out_channels) == (90, 10)
    assert model.distill_losses.teacher_recorder.expected_calls[('bbox_head.conv_cls', True)] == 5

    losses = loss_step(model)
    assert {'loss_cls', 'loss_bbox', 'loss_mimic_p4', 'loss_cwd_cls'} <= set(losses)
    assert all(torch.isfinite(losses[k]) and losses[k] > 0 for k in ('loss_mimic_p4', 'loss_cwd_cls'))
    total(losses).backward()
    for align in (mimic.align, cwd.align):
        assert align.conv.weight.grad.abs().sum() > 0
    assert model.student.bbox_head.retina_cls.weight.grad.abs().sum() > 0
    assert all(p.grad is None for p in model.teacher.parameters())


def test_student_checkpoint_loads_in_init_detector_and_predicts_like_the_distiller(tmp_path: Path) -> None:
    """The student-only checkpoint (as StudentCheckpointHook / export write it) loads in mmdet's ``init_detector``
    with the student's own config, every key matched, and gives the distiller's predictions."""
    from mmdet.apis import init_detector
    from mmengine.registry import DefaultScope

    from distiller.engine import student_checkpoint
    model = build(retinanet_teacher(), [dict(student_module='neck', teacher_module='neck',
                                             methods=[dict(type='MimicLoss', name='loss_fpn')])])
    total(loss_step(model)).backward()
    path = tmp_path / 'student.pth'
    meta = dict(dataset_meta=dict(classes=tuple(str(d) for d in range(10))))
    torch.save(student_checkpoint(dict(state_dict=model.state_dict()), meta), path)
    with DefaultScope.overwrite_default_scope('mmdet'):
        detector = init_detector(STUDENT_CFG, str(path), device='cpu')
    plain, inside = detector.state_dict(), model.student.state_dict()
    assert plain.keys() == inside.keys()
    assert all(torch.equal(plain[k], inside[k]) for k in plain)
    model.eval()
    inputs, samples = batch()
    with torch.no_grad():
        ours = model(inputs, copy.deepcopy(samples), mode='predict')
        data = detector.data_preprocessor(dict(inputs=inputs, data_samples=copy.deepcopy(samples)), False)
        theirs = detector(data['inputs'], data['data_samples'], mode='predict')
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a.pred_instances.bboxes, b.pred_instances.bboxes, rtol=0, atol=0)
        torch.testing.assert_close(a.pred_instances.scores, b.pred_instances.scores, rtol=0, atol=0)
