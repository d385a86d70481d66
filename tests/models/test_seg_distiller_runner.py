"""SegmentationDistiller through the tools users run: ``tools/train.py`` (checkpoints, student-only checkpoint),
``tools/export_student.py`` and ``tools/test.py``, in subprocesses on tiny data (exact resume:
tests/compat/test_exact_resume_digits.py).

One training run (4 iterations, a checkpoint every 2) is shared by the tests of this module; the teacher checkpoint it
starts from is made here, with values no initialiser produces, so its weights are recognisable in the results.
"""
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from distiller.datasets import SEG_CLASSES
from distiller.registry import DISTILLERS

from tests.helpers.kd_runner_helpers import (build_seg_teacher, in_process_setup, load, make_digits, one_thread,
                                             run_tool, tail, train, write_seg_configs)
from tests.helpers.tools_loader import load_tool

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def recognisable(key: str, value: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """A teacher tensor moved off its initial value: small zero-mean noise (so activations stay in range), BN
    variances scaled up (they must stay positive), integer buffers (num_batches_tracked) set to a count."""
    if not value.is_floating_point():
        return value + 7
    if key.endswith('running_var'):
        return value * (1 + 0.1 * torch.rand(value.shape, generator=gen))
    return value + 0.01 * torch.randn(value.shape, generator=gen)


@pytest.fixture(scope='module')
def run(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    root = tmp_path_factory.mktemp('seg_kd')
    data = make_digits(root / 'data')
    teacher_ckpt = root / 'pretrained_model' / 'teacher.pth'
    teacher_ckpt.parent.mkdir()
    configs = write_seg_configs(root / 'configs', data, teacher_ckpt)
    with one_thread():
        teacher = build_seg_teacher(configs['teacher'])
        teacher.init_weights()
    gen = torch.Generator().manual_seed(1234)
    state = {k: recognisable(k, v, gen) for k, v in teacher.state_dict().items()}
    torch.save({'state_dict': state, 'meta': {}}, teacher_ckpt)
    work_dir = root / 'full'
    proc = train(configs['distiller'], work_dir)
    assert proc.returncode == 0, tail(proc)
    return SimpleNamespace(root=root, data=data, configs=configs, teacher_ckpt=teacher_ckpt, teacher_state=state,
                           work_dir=work_dir, output=proc.stdout + proc.stderr)


@pytest.fixture(scope='module')
def distiller(run: SimpleNamespace):
    """The distiller of the config, built in this process with the weights of the final checkpoint."""
    from mmengine.config import Config
    with in_process_setup():
        model = DISTILLERS.build(Config.fromfile(str(run.configs['distiller'])).model)
    result = model.load_state_dict(load(run.work_dir / 'iter_4.pth')['state_dict'], strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    return model.eval()


def test_run_logs_task_and_distill_losses_and_writes_checkpoints(run: SimpleNamespace) -> None:
    assert f'teacher weights loaded from {run.teacher_ckpt}: {len(run.teacher_state)} tensors' in run.output
    assert 'left at their initialisation' not in run.output  # the checkpoint fits: checked strictly at build time
    last = re.search(r'Iter\(train\) \[4/4\].*', run.output)
    assert last and 'nan' not in last.group(0), run.output[-3000:]
    for key in ('decode.loss_ce', 'aux.loss_ce', 'loss_cwd', 'loss_mimic'):
        assert re.search(rf' {re.escape(key)}: \d', last.group(0)), key
    assert {p.name for p in run.work_dir.glob('*.pth')} == {'iter_2.pth', 'iter_4.pth', 'student_final.pth'}


def test_teacher_weights_in_the_checkpoint_are_the_pretrained_ones_bit_for_bit(run: SimpleNamespace) -> None:
    state = load(run.work_dir / 'iter_4.pth')['state_dict']
    teacher = {k[len('teacher.'):]: v for k, v in state.items() if k.startswith('teacher.')}
    assert teacher.keys() == run.teacher_state.keys()
    for key, value in run.teacher_state.items():  # BN statistics included: the teacher ran in eval mode
        assert teacher[key].dtype == value.dtype and torch.equal(teacher[key], value), key
    # ... while the student did train.
    before = load(run.work_dir / 'iter_2.pth')['state_dict']
    assert not torch.equal(state['student.decode_head.conv_seg.weight'], before['student.decode_head.conv_seg.weight'])


def test_optimizer_state_holds_student_and_connector_params_only(run: SimpleNamespace, distiller) -> None:
    expected = list(distiller.student.parameters()) + list(distiller.distill_losses.parameters())
    assert len(list(distiller.distill_losses.parameters())) == 2  # the 1x1 connector of the bottleneck pair
    optimizer = load(run.work_dir / 'iter_4.pth')['optimizer']
    indices = [i for group in optimizer['param_groups'] for i in group['params']]
    assert len(indices) == len(expected) < len(expected) + len(list(distiller.teacher.parameters()))
    assert sorted(indices) == list(range(len(expected)))
    # The momentum buffers line up with student + connector parameters, in order.
    assert len(optimizer['state']) == len(expected)
    for i, param in enumerate(expected):
        assert optimizer['state'][i]['momentum_buffer'].shape == param.shape, i


def test_student_final_loads_in_mmseg_and_predicts_like_the_distiller(run: SimpleNamespace, distiller) -> None:
    from mmseg.apis import inference_model, init_model
    final = load(run.work_dir / 'student_final.pth')
    # init_model makes 'mmseg' the default scope; the context puts the previous one back afterwards.
    with DefaultScope.overwrite_default_scope('mmseg'), one_thread():
        plain = init_model(str(run.configs['student']), None, device='cpu')
        assert set(final['state_dict']) == set(plain.state_dict())
        student = init_model(str(run.configs['student']), str(run.work_dir / 'student_final.pth'), device='cpu')
        for key, value in student.state_dict().items():  # nothing left at its initial value
            assert torch.equal(value, final['state_dict'][key]), key
        assert tuple(student.dataset_meta['classes']) == SEG_CLASSES

        image = str(sorted((run.data / 'images' / 'val').glob('*.png'))[0])
        distiller.cfg = student.cfg  # inference_model builds the test pipeline from model.cfg
        expected = inference_model(student, image)
        got = inference_model(distiller, image)
    assert expected.seg_logits.data.shape[0] == len(SEG_CLASSES)
    torch.testing.assert_close(got.seg_logits.data, expected.seg_logits.data, rtol=0, atol=0)
    assert torch.equal(got.pred_sem_seg.data, expected.pred_sem_seg.data)


def test_export_student_tool_writes_the_same_tensors_as_student_final(run: SimpleNamespace) -> None:
    out = run.root / 'exported.pth'
    proc = run_tool([str(REPO / 'tools' / 'export_student.py'), str(run.work_dir / 'iter_4.pth'), str(out)])
    assert proc.returncode == 0, tail(proc)
    exported, final = load(out), load(run.work_dir / 'student_final.pth')
    assert list(exported['state_dict']) == list(final['state_dict'])
    for key, value in final['state_dict'].items():
        assert torch.equal(exported['state_dict'][key], value), key
    assert tuple(exported['meta']['dataset_meta']['classes']) == SEG_CLASSES


@pytest.mark.parametrize('config,checkpoint,action', [
    ('distiller', 'student_final.pth', "student-only checkpoint loaded into the distiller's student"),
    ('student', 'iter_4.pth', 'distiller checkpoint: its student is loaded into the model'),
])
def test_tools_test_evaluates_the_trained_student_with_iou_metric(run: SimpleNamespace, config: str, checkpoint: str,
                                                                  action: str) -> None:
    """The crossed combinations of distiller/student config and full/student-only checkpoint test the same student
    (keys are loaded strictly, so a wrong combination would fail instead of testing random weights). A distiller
    checkpoint with its own config is tested below (``--show-dir``); a student-only checkpoint in plain mmseg above."""
    ckpt = run.work_dir / checkpoint
    config_path = run.configs[config]
    if config == 'student':  # the student's own config, on the tiny test data the distiller config points at
        student_cfg = Config.fromfile(str(config_path))
        distiller_cfg = Config.fromfile(str(run.configs['distiller']))
        student_cfg.test_dataloader = distiller_cfg.test_dataloader
        student_cfg.test_evaluator = distiller_cfg.test_evaluator
        config_path = run.root / 'student_on_test_data.py'
        student_cfg.dump(str(config_path))
    proc = run_tool([str(REPO / 'tools' / 'test.py'), str(config_path), str(ckpt),
                     '--work-dir', str(run.root / f'test_{config}_{checkpoint}')])
    assert proc.returncode == 0, tail(proc)
    output = proc.stdout + proc.stderr
    assert f'{ckpt}: {action}' in output
    metrics = re.search(r'Iter\(test\) \[2/2\]\s+aAcc: ([\d.]+)\s+mIoU: ([\d.]+)\s+mAcc: ([\d.]+)', output)
    assert metrics, tail(proc)
    # The final validation of the training run evaluated the same student on the same images.
    val = re.findall(r'Iter\(val\) \[2/2\]\s+aAcc: ([\d.]+)\s+mIoU: ([\d.]+)\s+mAcc: ([\d.]+)', run.output)
    assert val and val[-1] == metrics.groups()


def test_tools_test_teacher_flag_evaluates_the_teacher(run: SimpleNamespace, monkeypatch) -> None:
    """``--teacher`` evaluates the teacher held by the full checkpoint, for the comparison table."""
    proc = run_tool([str(REPO / 'tools' / 'test.py'), str(run.configs['distiller']), str(run.work_dir / 'iter_4.pth'),
                     '--teacher', '--work-dir', str(run.root / 'test_teacher')])
    assert proc.returncode == 0, tail(proc)
    output = proc.stdout + proc.stderr
    assert re.search(r'Iter\(test\) \[2/2\]\s+aAcc: [\d.]+\s+mIoU: [\d.]+', output), tail(proc)
    assert "'test_teacher': True" in output or 'test_teacher=True' in output
    monkeypatch.setattr('sys.argv', ['test.py', str(run.configs['student']), str(run.work_dir / 'iter_4.pth'),
                                     '--teacher'])
    with pytest.raises(SystemExit, match='--teacher needs a distiller config'):
        load_tool('test').main()


def test_tools_test_show_dir_draws_the_predictions_and_eval_is_accepted(run: SimpleNamespace) -> None:
    """``--show-dir`` saves each test image with its predicted mask drawn by mmseg's visualizer, as mmseg's own
    ``tools/test.py`` does; ``--eval mIoU`` (the CWD recipe's command line) is accepted with a note."""
    show_dir = run.root / 'shown'
    proc = run_tool([str(REPO / 'tools' / 'test.py'), str(run.configs['distiller']), str(run.work_dir / 'iter_4.pth'),
                     '--show-dir', str(show_dir), '--eval', 'mIoU', '--work-dir', str(run.root / 'test_show')])
    assert proc.returncode == 0, tail(proc)
    output = proc.stdout + proc.stderr
    assert re.search(r'Iter\(test\) \[2/2\]\s+aAcc: [\d.]+\s+mIoU: [\d.]+', output), tail(proc)
    assert '--eval mIoU: accepted for the mmseg 0.x command lines' in output
    drawn = sorted(show_dir.rglob('*.png'))
    assert len(drawn) == 2 and all(path.stat().st_size > 0 for path in drawn), drawn
