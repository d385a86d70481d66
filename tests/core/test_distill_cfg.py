"""distill_cfg validation: every bad input fails with one clear line."""
import pytest
import torch
from torch import nn

from distiller.core import DistillConfigError, DistillLossSet, parse_distill_cfg
from distiller.losses.mimic import MimicLoss  # noqa: F401  registers MimicLoss


def _entry(**overrides) -> dict:
    entry = dict(student_module='0', teacher_module='0', methods=[dict(type='MimicLoss', name='loss_mimic')])
    entry.update(overrides)
    return entry


def test_valid_entry_parses_with_defaults() -> None:
    (pair,) = parse_distill_cfg([_entry(index=1, teacher_index=2, output_hook=False)])
    assert (pair.student.module, pair.student.index, pair.student.output_hook) == ('0', 1, False)
    assert pair.teacher.index == 2
    (method,) = pair.methods
    assert method.name == 'loss_mimic' and method.align == 'auto' and not method.normalize


def test_default_name_from_type() -> None:
    (pair,) = parse_distill_cfg([_entry(methods=[dict(type='MimicLoss')])])
    assert pair.methods[0].name == 'loss_mimic_loss'


@pytest.mark.parametrize('cfg,message', [
    ([], r'distill_cfg: expected a non-empty list of dicts'),
    ([_entry(methods=[dict(type='NoSuchLoss')])],
     r"distill_cfg\[0\]\.methods\[0\]\.type: unknown distill loss 'NoSuchLoss'; registered losses: .*MimicLoss"),
    ([_entry(), _entry(student_module='1')],
     r"distill_cfg\[1\]\.methods\[0\]\.name: duplicate loss name 'loss_mimic' \(also used by "
     r'distill_cfg\[0\]\.methods\[0\]\)'),
    ([_entry(methods=[dict(type='MimicLoss', name='kd_term')])], r'must contain "loss"'),
    ([dict(student_module='0', methods=[dict(type='MimicLoss')])],
     r'distill_cfg\[0\]: missing key\(s\) teacher_module'),
    ([_entry(student_modul='x')], r"distill_cfg\[0\]: unknown key\(s\) student_modul; allowed: "),
    ([_entry(methods=[])], r'distill_cfg\[0\]\.methods: expected a non-empty list'),
    ([_entry(student_module=3)], r'distill_cfg\[0\]\.student_module: expected a dotted module name'),
    ([_entry(methods=[dict(type='MimicLoss', align='yes')])], r"align: expected 'auto', False or a connector dict"),
])
def test_bad_config_messages(cfg, message) -> None:
    with pytest.raises(DistillConfigError, match=message):
        parse_distill_cfg(cfg)


def test_unknown_teacher_module_shows_closest_names() -> None:
    student = nn.Sequential(nn.Conv2d(3, 4, 1))
    teacher = nn.Sequential(nn.Sequential(nn.Conv2d(3, 8, 1), nn.ReLU()))
    with pytest.raises(DistillConfigError, match=r"distill_cfg\[0\]\.teacher_module: no module named '0\.2' in "
                                                 r'Sequential; closest existing names: 0\.[01], 0\.[01]$'):
        DistillLossSet([_entry(teacher_module='0.2')], student, teacher)


def test_given_channels_are_checked_against_the_features() -> None:
    student, teacher = nn.Sequential(nn.Conv2d(3, 4, 1)), nn.Sequential(nn.Conv2d(3, 8, 1))
    cfg = [_entry(methods=[dict(type='MimicLoss', name='loss_mimic', student_channels=16)])]
    losses = DistillLossSet(cfg, student, teacher)
    x = torch.randn(1, 3, 4, 4)
    with pytest.raises(DistillConfigError, match=r"methods\[0\]\.student_channels=16, but the recorded feature has 4 "
                                                 r'channels \(student \(1, 4, 4, 4\), teacher \(1, 8, 4, 4\)\)'):
        losses.calibrate(lambda: student(x), lambda: teacher(x))


def test_channel_mismatch_without_connector_shows_both_shapes() -> None:
    student, teacher = nn.Sequential(nn.Linear(3, 4)), nn.Sequential(nn.Linear(3, 6))
    losses = DistillLossSet([_entry()], student, teacher)
    x = torch.randn(2, 3)
    with pytest.raises(DistillConfigError, match=r'channel mismatch \(student \(2, 4\), teacher \(2, 6\)\) that no '
                                                 r'connector resolves'):
        losses.calibrate(lambda: student(x), lambda: teacher(x))
    conv_s, conv_t = nn.Sequential(nn.Conv2d(3, 4, 1)), nn.Sequential(nn.Conv2d(3, 6, 1))
    losses = DistillLossSet([_entry(methods=[dict(type='MimicLoss', align=False)])], conv_s, conv_t)
    x = torch.randn(1, 3, 2, 2)
    with pytest.raises(DistillConfigError,
                       match=r'channel mismatch \(student \(1, 4, 2, 2\), teacher \(1, 6, 2, 2\)\)'):
        losses.calibrate(lambda: conv_s(x), lambda: conv_t(x))


def test_feature_count_mismatch_is_explained() -> None:
    class Split(nn.Module):
        def forward(self, x):
            return x, x * 2

    student, teacher = nn.Sequential(Split()), nn.Sequential(nn.Identity())
    losses = DistillLossSet([_entry()], student, teacher)
    x = torch.randn(1, 3, 2, 2)
    with pytest.raises(DistillConfigError, match=r"student module '0' gives 2 feature\(s\) per step and the teacher "
                                                 r"module '0' gives 1"):
        losses.calibrate(lambda: student(x), lambda: teacher(x))
