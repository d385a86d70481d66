"""Bad distiller configs fail at build time (the Runner's path: the registry builds the model dict) with one clear
message naming the config key, what was expected and what was found."""
import re
from pathlib import Path
from typing import Iterator

import pytest
import torch

from distiller.core.errors import DistillConfigError
from distiller.models import BaseDistiller
from distiller.registry import DISTILLERS

from tests.helpers.kd_runner_helpers import in_process_setup, tiny_pspnet

CALIBRATE = (2, 3, 32, 32)


@pytest.fixture(scope='module', autouse=True)
def setup_module_state() -> Iterator[None]:
    with in_process_setup():
        yield


def distiller_cfg(distill_cfg, **kwargs) -> dict:
    return dict(type='SegmentationDistiller', teacher_cfg=tiny_pspnet(channels=64), student_cfg=tiny_pspnet(),
                distill_cfg=distill_cfg, calibrate_shape=CALIBRATE, **kwargs)


def pair(student: str = 'decode_head.conv_seg', teacher: str = 'decode_head.conv_seg', **method) -> list:
    method = method or dict(type='ChannelWiseDivergence', name='loss_cwd', tau=1.0, weight=3.0)
    return [dict(student_module=student, teacher_module=teacher, methods=[method])]


def test_the_tiny_config_builds() -> None:
    model = DISTILLERS.build(distiller_cfg(pair()))
    assert model.distill_losses.loss_names == ['loss_cwd']


def test_wrong_student_module_name_lists_the_closest_names() -> None:
    with pytest.raises(DistillConfigError) as err:
        DISTILLERS.build(distiller_cfg(pair(student='decode_head.conv_sg')))
    message = str(err.value)
    assert 'distill_cfg[0].student_module' in message and "'decode_head.conv_sg'" in message
    assert 'closest existing names' in message and 'decode_head.conv_seg' in message
    assert '\n' not in message


def test_wrong_teacher_module_name_names_the_teacher_key() -> None:
    expected = r"distill_cfg\[0\]\.teacher_module: no module named 'decode_head.cls' in EncoderDecoder"
    with pytest.raises(DistillConfigError, match=expected):
        DISTILLERS.build(distiller_cfg(pair(teacher='decode_head.cls')))


def test_channel_mismatch_with_align_false_shows_both_shapes() -> None:
    cfg = pair('decode_head.bottleneck', 'decode_head.bottleneck', type='MimicLoss', name='loss_mimic', align=False)
    with pytest.raises(DistillConfigError) as err:
        DISTILLERS.build(distiller_cfg(cfg))
    message = str(err.value)
    assert 'distill_cfg[0].methods[0]' in message and 'channel mismatch' in message
    assert re.search(r'student \(2, 32, 4, 4\), teacher \(2, 64, 4, 4\)', message), message


def test_the_same_mismatch_with_align_auto_gets_a_connector() -> None:
    cfg = pair('decode_head.bottleneck', 'decode_head.bottleneck', type='MimicLoss', name='loss_mimic')
    method = DISTILLERS.build(distiller_cfg(cfg)).distill_losses.methods['loss_mimic']
    assert method.align is not None and method.align.conv.weight.shape[:2] == (64, 32)


def test_missing_teacher_checkpoint_fails_before_building_the_models(tmp_path: Path, monkeypatch) -> None:
    missing = tmp_path / 'pretrained_model' / 'no_such_teacher.pth'
    built = []
    original = BaseDistiller._build_model
    monkeypatch.setattr(BaseDistiller, '_build_model', lambda self, *a: built.append(a[-1]) or original(self, *a))
    with pytest.raises(FileNotFoundError) as err:
        DISTILLERS.build(distiller_cfg(pair(), teacher_pretrained=str(missing)))
    assert str(missing) in str(err.value) and 'teacher_pretrained' in str(err.value)
    assert built == [], f'built {built} before finding out that the teacher checkpoint is missing'


def test_existing_teacher_checkpoint_is_loaded(tmp_path: Path) -> None:
    torch.manual_seed(0)
    teacher = DISTILLERS.build(distiller_cfg(pair())).teacher
    path = tmp_path / 'teacher.pth'
    state = {k: v + 1 if v.is_floating_point() else v for k, v in teacher.state_dict().items()}
    torch.save(dict(state_dict=state, meta={}), path)
    loaded = DISTILLERS.build(distiller_cfg(pair(), teacher_pretrained=str(path)))
    loaded.init_weights()  # what the Runner does; must not overwrite the loaded teacher
    for key, value in loaded.teacher.state_dict().items():
        assert torch.equal(value, state[key]), key


def test_unknown_loss_type_lists_the_registered_losses() -> None:
    with pytest.raises(DistillConfigError) as err:
        DISTILLERS.build(distiller_cfg(pair(type='ChannelWiseDivergance', tau=1.0)))
    message = str(err.value)
    assert "distill_cfg[0].methods[0].type: unknown distill loss 'ChannelWiseDivergance'" in message
    assert 'registered losses:' in message and 'ChannelWiseDivergence' in message and 'FGDLoss' in message
