"""Teacher modules as connectors (``teacher_path``, #18): the student feature goes through the frozen teacher's own
modules; the gradient reaches the student through them, the teacher stays bit-identical and receives none."""
import copy
from typing import Iterator

import pytest
import torch
from torch import nn

from distiller.core import DistillConfigError, DistillLossSet
from distiller.core.teacher_path import TeacherPath
from distiller.engine import DistillerOptimWrapperConstructor
from tests.helpers.kd_runner_helpers import build_tiny_seg_distiller, in_process_setup, seg_batch

# Tiny PSPNets: the student's classifier takes 32 channels, the teacher's 64.
SIMKD = [dict(student_module='decode_head.conv_seg', student_output_hook=False, teacher_module='decode_head.conv_seg',
              methods=[dict(type='KDLoss', name='loss_cross_head_kd', teacher_path=['decode_head.conv_seg'],
                            align=dict(type='ChannelAlign'))])]


@pytest.fixture(scope='module', autouse=True)
def setup_module_state() -> Iterator[None]:
    with in_process_setup():
        yield


def _teacher() -> nn.Module:
    torch.manual_seed(0)
    teacher = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, 4, 1))
    teacher.requires_grad_(False)
    return teacher.eval()


def test_path_runs_the_teacher_modules_in_order_and_passes_the_gradient_to_its_input_only() -> None:
    teacher = _teacher()
    path = TeacherPath(teacher, ['2', '3'], 'test')
    feature = torch.randn(2, 8, 5, 5, requires_grad=True)
    out = path(feature)
    torch.testing.assert_close(out, teacher[3](teacher[2](feature)))
    out.square().sum().backward()
    assert feature.grad is not None and feature.grad.abs().sum() > 0
    assert all(p.grad is None for p in teacher.parameters())
    assert list(path.parameters()) == [] and path.state_dict() == {}  # the teacher's weights are not the path's
    assert TeacherPath(teacher, ['3'], 'test').in_channels == 8 and TeacherPath(teacher, ['0'], 'test').in_channels == 3


def test_path_runs_a_half_precision_teacher_and_returns_the_feature_dtype() -> None:
    teacher = _teacher().to(torch.bfloat16)
    feature = torch.randn(2, 8, 5, 5, requires_grad=True)
    out = TeacherPath(teacher, ['3'], 'test')(feature)
    assert out.dtype == torch.float32
    out.sum().backward()
    assert feature.grad is not None


def test_path_that_starts_at_a_block_reads_the_channels_of_its_first_layer() -> None:
    """A block that wraps its convolution (Ultralytics' ``Conv``: ``conv``, ``bn``, ``act``) states no channels
    itself; its first convolution does."""
    teacher = nn.Sequential(nn.Sequential(nn.Conv2d(5, 8, 3, padding=1), nn.BatchNorm2d(8)), nn.Conv2d(8, 4, 1))
    assert TeacherPath(teacher, ['0', '1'], 'test').in_channels == 5


def test_path_that_starts_at_a_layer_without_channels_is_refused() -> None:
    with pytest.raises(DistillConfigError, match=r"cannot tell the input channels of '2' \(ReLU\)"):
        TeacherPath(_teacher(), ['2', '3'], 'test').in_channels


@pytest.mark.parametrize('path,message', [
    ([], r'teacher_path: expected a non-empty list of teacher module names'),
    ('decode_head.conv_seg', r'teacher_path: expected a non-empty list'),
    (['decode_head.conv_sg'], r"teacher_path: no module named 'decode_head.conv_sg' in EncoderDecoder; closest "
                              r'existing names: decode_head.conv_seg'),
])
def test_bad_paths_fail_at_build_time_with_one_line(path, message: str) -> None:
    cfg = [dict(SIMKD[0], methods=[dict(SIMKD[0]['methods'][0], teacher_path=path)])]
    with pytest.raises(DistillConfigError, match=message):
        build_tiny_seg_distiller(distill_cfg=cfg)


def test_path_output_that_is_not_the_teacher_feature_is_refused() -> None:
    method = dict(type='MimicLoss', name='loss_m', teacher_path=['decode_head.conv_seg'],
                  align=dict(type='ChannelAlign'))
    cfg = [dict(student_module='decode_head.conv_seg', student_output_hook=False,
                teacher_module='decode_head.bottleneck', methods=[method])]
    with pytest.raises(DistillConfigError, match=r'teacher_path: its output \(2, 11, 4, 4\) does not match the '
                                                 r'teacher feature \(2, 64, 4, 4\)'):
        build_tiny_seg_distiller(distill_cfg=cfg)


def test_without_align_a_channel_mismatch_into_the_path_names_both_widths() -> None:
    cfg = [dict(SIMKD[0], methods=[dict(SIMKD[0]['methods'][0], align=False)])]
    with pytest.raises(DistillConfigError, match='the student feature has 32 channels and the teacher path starts at '
                                                 '64; give align'):
        build_tiny_seg_distiller(distill_cfg=cfg)


def test_train_steps_keep_the_teacher_bit_identical_and_train_the_student_through_it() -> None:
    model = build_tiny_seg_distiller(distill_cfg=SIMKD)
    losses = model.distill_losses
    assert isinstance(losses, DistillLossSet) and not any(k.startswith('teacher') for k in losses.state_dict())
    teacher_state = {k: v.clone() for k, v in model.teacher.state_dict().items()}
    model.train()
    cfg = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1, momentum=0.9))
    wrapper = DistillerOptimWrapperConstructor(cfg)(model)
    optimized = {id(p) for group in wrapper.optimizer.param_groups for p in group['params']}
    assert not optimized & {id(p) for p in model.teacher.parameters()}

    inputs, samples = seg_batch()
    data = model.data_preprocessor(dict(inputs=inputs, data_samples=samples), True)
    loss = model.loss(**data)['loss_cross_head_kd']
    assert loss > 0
    loss.backward()  # the distillation loss alone: its gradient reaches the student through the teacher classifier
    assert all(p.grad is None for p in model.teacher.parameters())
    assert model.student.backbone.stem[0].weight.grad.abs().sum() > 0
    assert model.student.decode_head.conv_seg.weight.grad is None  # the student's own classifier is not on the path
    wrapper.zero_grad()
    for _ in range(2):
        model.train_step(dict(inputs=inputs, data_samples=samples), wrapper)
    for key, value in model.teacher.state_dict().items():
        assert torch.equal(value, teacher_state[key]), key


def test_crosskd_config_trains_each_level_of_the_student_head_through_the_teacher_branches() -> None:
    """The RTMDet CrossKD config (random weights, 64 px): per level and branch, the loss reaches the student's first
    conv through the teacher's second conv and prediction conv; the teacher stays bit-identical, gets no gradient."""
    from distiller.benchmark.mm_suite import MMStepSuite
    from distiller.utils import load_config

    cfg = load_config('configs/distillers/digits/crosskd_rtmdet_s_to_tiny_digits.py')
    suite = MMStepSuite(cfg, (64, 64), 2, 'cpu')
    model = suite.distiller
    teacher_state = {k: v.clone() for k, v in model.teacher.state_dict().items()}
    data = model.data_preprocessor(copy.copy(suite.batch), True)
    losses = model.loss(**data)
    names = [f'loss_crosskd_{branch}_p{level + 3}' for branch in ('cls', 'box') for level in range(3)]
    assert all(losses[name] > 0 for name in names)
    sum(losses[name] for name in names).backward()
    assert all(p.grad is None for p in model.teacher.parameters())
    head = model.student.bbox_head
    for level in range(3):
        for convs, pred in ((head.cls_convs, head.rtm_cls), (head.reg_convs, head.rtm_reg)):
            assert convs[level][0].bn.weight.grad.abs().sum() > 0, level  # per-level BN: this level's path
            assert convs[level][1].bn.weight.grad is None, level  # the student's own second conv is not on it
            assert pred[level].weight.grad is None, level  # nor its own prediction conv
    for _ in range(2):
        suite.modes()['ours']()
    for key, value in model.teacher.state_dict().items():
        assert torch.equal(value, teacher_state[key]), key


def test_a_loss_that_reads_an_unrecorded_teacher_output_fails_at_build_time() -> None:
    """The GIoU term weights by the teacher's class scores: without the class entry that records them, one line."""
    from distiller.benchmark.mm_suite import MMStepSuite
    from distiller.utils import load_config

    cfg = load_config('configs/distillers/digits/crosskd_rtmdet_s_to_tiny_digits.py')
    cfg.model.distill_cfg = cfg.model.distill_cfg[3:]
    message = r"distill_cfg\[0\].*DistanceGIoUKDLoss reads the output of the teacher module 'bbox_head.rtm_cls.0'"
    with pytest.raises(DistillConfigError, match=message + ', which no entry records whole'):
        MMStepSuite(cfg, (64, 64), 2, 'cpu')


def _atss_detector(width: int) -> nn.Module:
    """A module holding mmdet's ATSSHead (3 classes, ``width`` wide, four stacked convs) as ``bbox_head``; its forward
    runs the shared head on three FPN levels."""
    from mmdet.models.dense_heads import ATSSHead
    from mmengine.registry import DefaultScope

    class Detector(nn.Module):

        def __init__(self) -> None:
            super().__init__()
            with DefaultScope.overwrite_default_scope('mmdet'):
                self.bbox_head = ATSSHead(
                    num_classes=3, in_channels=8, feat_channels=width, stacked_convs=4,
                    norm_cfg=dict(type='GN', num_groups=4, requires_grad=True),
                    anchor_generator=dict(type='AnchorGenerator', ratios=[1.0], octave_base_scale=8,
                                          scales_per_octave=1, strides=[8, 16, 32]),
                    bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0.0] * 4,
                                    target_stds=[0.1, 0.1, 0.2, 0.2]))

        def forward(self, feats):
            return self.bbox_head(feats)

    return Detector()


def test_atss_crosskd_entries_train_the_shared_student_head_through_the_teacher_branches() -> None:
    """The entries of the ATSS CrossKD config on mmdet's ATSSHead (called once per level): the class, GIoU and
    centerness terms reach the student's first three convs of each branch through the teacher's fourth conv and
    prediction convs; the student's own fourth conv and prediction convs get nothing, the teacher nothing."""
    from distiller.utils import load_config

    entries = load_config('configs/distillers/crosskd_atss_r101_to_r50_coco.py').model.distill_cfg
    torch.manual_seed(0)
    student, teacher = _atss_detector(8), _atss_detector(16)
    teacher.eval().requires_grad_(False)
    losses = DistillLossSet(list(entries), student, teacher)  # 1x1 connectors lift the student's 8 channels to 16
    feats = [torch.randn(2, 8, size, size) for size in (8, 4, 2)]
    losses.calibrate(lambda: student(feats), lambda: teacher(feats))
    with losses.recording():
        with torch.no_grad():
            losses.teacher_recorder.run(teacher, feats)
        student(feats)
        values = losses()
    names = ['loss_crosskd_cls', 'loss_crosskd_box', 'loss_crosskd_centerness']
    assert all(values[name] > 0 for name in names)
    sum(values[name] for name in names).backward()
    assert all(p.grad is None for p in teacher.parameters())
    head = student.bbox_head
    for convs in (head.cls_convs, head.reg_convs):
        assert all(convs[i].conv.weight.grad.abs().sum() > 0 for i in range(3))
        assert convs[3].conv.weight.grad is None
    assert all(pred.weight.grad is None for pred in (head.atss_cls, head.atss_reg, head.atss_centerness))
