"""``teacher_dtype``: a frozen half-precision teacher whose features reach the losses as float32."""
from typing import Iterator

import pytest
import torch

from tests.helpers.kd_runner_helpers import build_tiny_seg_distiller, in_process_setup, seg_batch


@pytest.fixture(scope='module', autouse=True)
def setup_module_state() -> Iterator[None]:
    with in_process_setup():
        yield


def build(**kwargs):
    return build_tiny_seg_distiller(**kwargs)


def test_bfloat16_teacher_gives_float32_losses_close_to_the_float32_teacher() -> None:
    reference = build()
    model = build(teacher_dtype='bfloat16')
    model.teacher.load_state_dict(reference.teacher.state_dict())
    model.student.load_state_dict(reference.student.state_dict())
    model.distill_losses.load_state_dict(reference.distill_losses.state_dict())
    assert {p.dtype for p in model.teacher.parameters()} == {torch.bfloat16}
    assert {b.dtype for b in model.teacher.data_preprocessor.buffers()} == {torch.float32}
    assert {p.dtype for p in model.student.parameters()} == {torch.float32}

    inputs, samples = seg_batch()
    torch.manual_seed(1)  # the same dropout masks in both students
    half = model.loss(inputs, samples)
    torch.manual_seed(1)
    full = reference.loss(inputs, samples)
    for name in ('loss_cwd', 'loss_mimic'):
        assert half[name].dtype == torch.float32 and torch.isfinite(half[name])
        # bf16 keeps 8 bits of mantissa: the teacher's features, and so the losses, agree to about 1%.
        assert half[name].item() == pytest.approx(full[name].item(), rel=0.03), name
    assert torch.equal(half['decode.loss_ce'], full['decode.loss_ce'])  # the student is untouched


def test_bfloat16_teacher_predicts_with_test_teacher() -> None:
    model = build(teacher_dtype='bfloat16', test_teacher=True).eval()
    inputs, samples = seg_batch()
    with torch.no_grad():
        logits = model(inputs, samples, mode='tensor')
    assert logits.dtype == torch.bfloat16 and torch.isfinite(logits.float()).all()


def test_unknown_teacher_dtype_is_refused() -> None:
    with pytest.raises(ValueError, match=r"teacher_dtype: expected one of \['bfloat16', 'float16'\] or None, "
                                         r"got 'fp8'"):
        build(teacher_dtype='fp8')


def test_half_precision_teacher_cannot_be_trained() -> None:
    with pytest.raises(ValueError, match='teacher_dtype: a half-precision teacher must be frozen'):
        build(teacher_dtype='float16', teacher_trainable=True)
