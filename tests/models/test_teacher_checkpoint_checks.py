"""Teacher checkpoints are checked, not trusted; broken checkpoint files fail with one line; a non-finite
distillation loss stops before the weights are touched (#16)."""
from pathlib import Path
from typing import Iterator

import pytest
import torch

from distiller.compat import CheckpointReadError, load_checkpoint_weights_only
from distiller.core import NonFiniteLossError
from distiller.utils import CheckpointMismatchError
from tests.helpers.kd_runner_helpers import build_tiny_seg_distiller, in_process_setup, seg_batch


@pytest.fixture(scope='module', autouse=True)
def setup_module_state() -> Iterator[None]:
    with in_process_setup():
        yield


@pytest.fixture(scope='module')
def teacher_state() -> dict:
    """A teacher state dict that differs from a fresh build's (every float tensor + 1)."""
    teacher = build_tiny_seg_distiller().teacher
    return {k: v + 1 if v.is_floating_point() else v for k, v in teacher.state_dict().items()}


@pytest.fixture
def logged(monkeypatch) -> list:
    """The messages the distiller and the loss set log (mmengine's logger writes to a stream bound before capture)."""
    messages = []
    for module in ('distiller.models.base_distiller', 'distiller.core.loss_set'):
        monkeypatch.setattr(f'{module}.print_log', lambda msg, *args, **kwargs: messages.append(msg))
    return messages


def _save(path: Path, state: dict) -> str:
    torch.save(dict(state_dict=state, meta={}), path)
    return str(path)


def _assert_loaded(model, state: dict) -> None:
    for key, value in model.teacher.state_dict().items():
        assert torch.equal(value, state[key]), key


def test_a_ddp_prefixed_teacher_is_unwrapped_with_a_log_line(tmp_path, teacher_state, logged) -> None:
    path = _save(tmp_path / 't.pth', {f'module.{k}': v for k, v in teacher_state.items()})
    model = build_tiny_seg_distiller(teacher_pretrained=path)
    _assert_loaded(model, teacher_state)
    assert "DDP's 'module.' prefix stripped" in ' '.join(logged)


def test_a_distiller_checkpoints_teacher_part_is_taken(tmp_path, teacher_state, logged) -> None:
    state = {f'teacher.{k}': v for k, v in teacher_state.items()}
    state['distill_losses.methods.loss_mimic.align.conv.weight'] = torch.zeros(64, 32, 1, 1)
    model = build_tiny_seg_distiller(teacher_pretrained=_save(tmp_path / 't.pth', state))
    _assert_loaded(model, teacher_state)
    assert "a distiller checkpoint's 'teacher.' part taken" in ' '.join(logged)


def test_a_full_distiller_checkpoint_as_teacher_says_which_part_to_take(tmp_path, teacher_state) -> None:
    state = {**{f'teacher.{k}': v for k, v in teacher_state.items()},
             **{f'student.{k}': v for k, v in teacher_state.items()}}
    path = _save(tmp_path / 'full.pth', state)
    with pytest.raises(CheckpointMismatchError, match=r'full distiller checkpoint .* tools/export_student\.py'):
        build_tiny_seg_distiller(teacher_pretrained=path)


def test_a_student_prefixed_teacher_fails_at_build_time_instead_of_training_a_random_teacher(
        tmp_path, teacher_state) -> None:
    path = _save(tmp_path / 'prefixed.pth', {f'student.{k}': v for k, v in teacher_state.items()})
    with pytest.raises(CheckpointMismatchError) as err:
        build_tiny_seg_distiller(teacher_pretrained=path)
    message = str(err.value)
    assert '\n' not in message
    assert f'teacher_pretrained {path} does not fit the model: 0 of {len(teacher_state)} tensors fit' in message
    assert 'tools/export_student.py' in message


def test_a_teacher_of_another_shape_fails_with_counts_and_keys_unless_not_strict(tmp_path, teacher_state,
                                                                                 logged) -> None:
    state = dict(teacher_state)
    state['decode_head.conv_seg.weight'] = torch.zeros(7, 64, 1, 1)
    state['decode_head.conv_seg.bias'] = torch.zeros(7)
    del state['backbone.stem.0.weight']
    path = _save(tmp_path / 'other.pth', state)
    with pytest.raises(CheckpointMismatchError) as err:
        build_tiny_seg_distiller(teacher_pretrained=path)
    message = str(err.value)
    assert '1 missing (backbone.stem.0.weight)' in message
    assert '2 of another shape (decode_head.conv_seg.weight, decode_head.conv_seg.bias)' in message
    assert 'teacher_strict=False' in message
    model = build_tiny_seg_distiller(teacher_pretrained=path, teacher_strict=False)
    assert torch.equal(model.teacher.state_dict()['backbone.layer1.0.conv1.weight'],
                       teacher_state['backbone.layer1.0.conv1.weight'])
    assert '3 left at their initialisation (teacher_strict=False)' in ' '.join(logged)


@pytest.mark.parametrize('content, problem', [
    (b'', 'the file is empty'),
    (b'this is not a checkpoint', 'not a PyTorch checkpoint'),
    (None, 'truncated or corrupt file'),
])
def test_broken_files_fail_with_one_line_naming_file_and_problem(tmp_path, teacher_state, content, problem) -> None:
    path = tmp_path / 'broken.pth'
    if content is None:
        data = Path(_save(tmp_path / 'whole.pth', teacher_state)).read_bytes()
        content = data[:len(data) // 2]
    path.write_bytes(content)
    for load in (lambda: load_checkpoint_weights_only(str(path)),
                 lambda: build_tiny_seg_distiller(teacher_pretrained=str(path))):
        with pytest.raises(CheckpointReadError) as err:
            load()
        assert str(err.value).startswith(f'cannot read checkpoint {path}: {problem}')
        assert '\n' not in str(err.value)


def _poison(model) -> None:
    """Make the mimic connector produce NaN."""
    with torch.no_grad():
        model.distill_losses.methods['loss_mimic'].align.conv.weight.fill_(float('nan'))


def test_a_nan_distillation_loss_names_method_pair_and_iteration_before_any_update() -> None:
    from distiller.core import TrainProgress
    model = build_tiny_seg_distiller()
    _poison(model)
    model.distill_losses.set_progress(TrainProgress(iter=41))
    with pytest.raises(NonFiniteLossError) as err:
        model(*seg_batch(), mode='loss')
    assert str(err.value).startswith("distill_cfg[1].methods[0] (MimicLoss, student 'decode_head.bottleneck' <- "
                                     "teacher 'decode_head.bottleneck'): the loss is nan at iteration")


def test_skip_nonfinite_zeroes_the_step_with_a_warning(logged) -> None:
    model = build_tiny_seg_distiller(skip_nonfinite=True)
    _poison(model)
    losses = model(*seg_batch(), mode='loss')
    assert losses['loss_mimic'].item() == 0 and torch.isfinite(losses['loss_cwd'])
    assert 'this step skips it (skip_nonfinite=True)' in ' '.join(logged)


def test_crd_with_dataset_indices_gets_each_samples_sample_idx() -> None:
    """The mm distillers hand each sample's ``sample_idx`` to a loss with a per-sample memory (CRD's index mode)."""
    model = build_tiny_seg_distiller([dict(
        student_module='decode_head.bottleneck', teacher_module='decode_head.bottleneck',
        methods=[dict(type='CRDLoss', name='loss_crd', dataset_size=10, num_negatives=4)])])
    model.train()
    inputs, samples = seg_batch()
    for index, sample in zip((3, 7), samples):
        sample.set_metainfo(dict(sample_idx=index))
    crd = model.distill_losses.methods['loss_crd'].loss
    before = crd.memory_student.clone()
    losses = model(inputs, samples, mode='loss')
    assert torch.isfinite(losses['loss_crd'])
    changed = (crd.memory_student != before).any(dim=1).nonzero().flatten().tolist()
    assert changed == [3, 7]
    with pytest.raises(RuntimeError, match='CRDLoss needs indices, which the distiller did not pass'):
        model(*seg_batch(), mode='loss')
