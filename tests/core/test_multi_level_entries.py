"""Entries on a tuple output whose elements differ in channels (backbone stages): per-element connectors and
parameterised losses, sized by the dry run; shared ones where the elements agree (#20)."""
import pytest
import torch
from torch import nn

import distiller.losses  # noqa: F401  registers every loss
from distiller.core import DistillLossSet
from distiller.registry import DISTILL_LOSSES

# Losses on N x C x H x W maps that take one feature per side (FSP takes a pair, the logit losses are for logits).
NOT_FOR_STAGES = {'FSPLoss', 'KDLoss', 'DKDLoss', 'BinaryKDLoss', 'LogitMSELoss',
                  # a head's box distances / anchor deltas, weighted by its class logits
                  'DistanceGIoUKDLoss', 'DeltaGIoUKDLoss'}
MAP_LOSSES = sorted(set(DISTILL_LOSSES.module_dict) - NOT_FOR_STAGES)
EXTRA_ARGS = {'KDSVDLoss': {'k': 2}}


class TwoStageBackbone(nn.Module):
    """Returns two stages of ``widths`` channels: 8x8 and 4x4 maps."""

    def __init__(self, widths) -> None:
        super().__init__()
        self.stage1 = nn.Conv2d(3, widths[0], 3, padding=1)
        self.stage2 = nn.Conv2d(widths[0], widths[1], 3, stride=2, padding=1)

    def forward(self, x):
        first = torch.relu(self.stage1(x))
        return first, torch.relu(self.stage2(first))


class Net(nn.Module):

    def __init__(self, widths) -> None:
        super().__init__()
        self.backbone = TwoStageBackbone(widths)

    def forward(self, x):
        return self.backbone(x)


def _extra(n: int) -> dict:
    return dict(gt_bboxes=[torch.tensor([[1., 1., 5., 6.]])] * n, img_shapes=[(8, 8)] * n)


def _step(losses: DistillLossSet, student: nn.Module, teacher: nn.Module, x: torch.Tensor) -> dict:
    with losses.recording():
        with torch.no_grad():
            losses.teacher_recorder.run(teacher, x)
        student(x)
        return losses(**{k: _extra(x.shape[0])[k] for k in losses.requires})


@pytest.mark.parametrize('loss_type', MAP_LOSSES)
def test_whole_backbone_tuple_with_differing_channels_trains(loss_type: str) -> None:
    torch.manual_seed(0)
    student, teacher = Net((8, 16)), Net((16, 32))
    teacher.eval().requires_grad_(False)
    cfg = [dict(student_module='backbone', teacher_module='backbone',
                methods=[dict(type=loss_type, name='loss_kd', **EXTRA_ARGS.get(loss_type, {}))])]
    losses = DistillLossSet(cfg, student, teacher)
    x = torch.randn(4, 3, 8, 8)
    losses.calibrate(lambda: student(x), lambda: teacher(x))
    optimizer = torch.optim.SGD(list(student.parameters()) + list(losses.parameters()), lr=0.01)
    before = {k: v.clone() for k, v in student.state_dict().items()}
    loss_dict = _step(losses, student, teacher, x)
    assert torch.isfinite(loss_dict['loss_kd'])
    optimizer.zero_grad()
    loss_dict['loss_kd'].backward()
    optimizer.step()
    assert any(not torch.equal(v, before[k]) for k, v in student.state_dict().items())
    levels = losses.level_losses()
    if DISTILL_LOSSES.get(loss_type).accepts_sequence:
        assert levels == {}  # the loss reduces the levels itself
    else:
        assert sorted(levels) == ['loss_kd.level0', 'loss_kd.level1']
        assert torch.allclose(sum(levels.values()) * losses.methods['loss_kd'].loss_module.weight,
                              loss_dict['loss_kd'].detach(), rtol=1e-5)


def test_connectors_and_owned_layers_are_sized_per_element() -> None:
    student, teacher = Net((8, 16)), Net((16, 32))
    cfg = [dict(student_module='backbone', teacher_module='backbone',
                methods=[dict(type='MimicLoss', name='loss_mimic'),
                         dict(type='MGDLoss', name='loss_mgd', normalize=True),
                         dict(type='ChannelWiseDivergence', name='loss_cwd', normalize=True)])]
    losses = DistillLossSet(cfg, student, teacher)
    x = torch.randn(2, 3, 8, 8)
    losses.calibrate(lambda: student(x), lambda: teacher(x))
    mimic, mgd, cwd = (losses.methods[name] for name in ('loss_mimic', 'loss_mgd', 'loss_cwd'))
    assert [a.conv.in_channels for a in mimic.align] == [8, 16]
    assert [a.conv.out_channels for a in mimic.align] == [16, 32]
    assert isinstance(mimic.loss, nn.Module) and not isinstance(mimic.loss, nn.ModuleList)  # no parameters: shared
    assert [(m.student_channels, m.teacher_channels) for m in mgd.loss] == [(8, 16), (16, 32)]
    assert mgd.align is None  # MGD aligns channels itself
    # the student-side norm of MGD sits at the student's width; CWD's after its connector, at the teacher's
    assert [n.norm.num_features for n in mgd.norm_student] == [8, 16]
    assert [n.norm.num_features for n in cwd.norm_student] == [16, 32]
    assert [n.norm.num_features for n in cwd.norm_teacher] == [16, 32]
    _step(losses, student, teacher, x)


class SharedHead(nn.Module):
    """One conv applied to each of two equal-width levels (a shared detection head)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, width, 1)
        self.head = nn.Conv2d(width, width, 1)

    def forward(self, x):
        feat = self.conv(x)
        return [self.head(feat), self.head(feat[..., ::2, ::2])]


def test_a_shared_head_with_equal_channels_keeps_one_connector_and_its_keys() -> None:
    student, teacher = SharedHead(4), SharedHead(6)
    cfg = [dict(student_module='head', teacher_module='head',
                methods=[dict(type='MGDLoss', name='loss_mgd'), dict(type='MimicLoss', name='loss_mimic')])]
    losses = DistillLossSet(cfg, student, teacher)
    x = torch.randn(2, 3, 8, 8)
    losses.calibrate(lambda: student(x), lambda: teacher(x))
    keys = set(losses.state_dict())
    assert 'methods.loss_mimic.align.conv.weight' in keys
    assert any(k.startswith('methods.loss_mgd.loss.') and '.0.' not in k for k in keys)
    assert not any('.align.0.' in k or '.loss.0.' in k for k in keys)


def test_per_element_modules_round_trip_through_a_state_dict() -> None:
    torch.manual_seed(0)
    cfg = [dict(student_module='backbone', teacher_module='backbone',
                methods=[dict(type='MGDLoss', name='loss_mgd', normalize=True)])]
    x = torch.randn(2, 3, 8, 8)
    built = []
    for _ in range(2):
        student, teacher = Net((8, 16)), Net((16, 32))
        losses = DistillLossSet(cfg, student, teacher)
        losses.calibrate(lambda: student(x), lambda: teacher(x))
        built.append(losses)
    saved = built[0].state_dict()
    assert any(k.startswith('methods.loss_mgd.loss.1.') for k in saved)
    built[1].load_state_dict(saved, strict=True)
    for key, value in built[1].state_dict().items():
        assert torch.equal(value, saved[key]), key


def test_level_reduction_mean_averages_the_elements() -> None:
    torch.manual_seed(0)
    student, teacher = Net((8, 16)), Net((16, 32))
    methods = [dict(type='MimicLoss', name='loss_sum'),
               dict(type='MimicLoss', name='loss_mean', level_reduction='mean')]
    losses = DistillLossSet([dict(student_module='backbone', teacher_module='backbone', methods=methods)],
                            student, teacher)
    x = torch.randn(2, 3, 8, 8)
    losses.calibrate(lambda: student(x), lambda: teacher(x))
    losses.methods['loss_mean'].load_state_dict(losses.methods['loss_sum'].state_dict())
    out = _step(losses, student, teacher, x)
    torch.testing.assert_close(out['loss_mean'], out['loss_sum'] / 2)


def test_level_reduction_is_checked() -> None:
    from distiller.core import DistillConfigError
    student, teacher = Net((8, 16)), Net((16, 32))
    for method, message in ((dict(type='MimicLoss', level_reduction='max'), "expected 'sum' or 'mean', got 'max'"),
                            (dict(type='PKDLoss', level_reduction='mean'), 'PKDLoss takes all levels at once')):
        with pytest.raises(DistillConfigError, match=message):
            DistillLossSet([dict(student_module='backbone', teacher_module='backbone', methods=[method])],
                           student, teacher)
