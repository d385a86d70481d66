"""Exact resume on a real recipe (#16): the digits MGD distiller (CSPNeXt-s FPN -> CSPNeXt-tiny FPN) with random
resize/crop/photometric augmentation, the FPN head's dropout and MGD's random masks. A run that ends hard right
after its iteration-4 checkpoint and is resumed with ``tools/train.py --resume`` ends with the same weights as an
uninterrupted run, bit for bit: weights, optimizer state and the student-only checkpoint."""
from pathlib import Path

import pytest
import torch

from tests.helpers.kd_runner_helpers import REPO, make_digits, tail, train, write_config

pytestmark = pytest.mark.slow

CONFIG = REPO / 'configs' / 'distillers' / 'digits' / 'mgd_cspnext_s_to_tiny_fpn_digits.py'


def _options(data: Path, *extra: str) -> list:
    loaders = ('train_dataloader', 'val_dataloader', 'test_dataloader')
    return ['--cfg-options', *[f'{loader}.dataset.data_root={data}/' for loader in loaders],
            'model.teacher_pretrained=None', 'train_cfg.max_iters=6', 'train_cfg.val_interval=2',
            'train_dataloader.batch_size=2', 'default_hooks.checkpoint.interval=2', 'randomness.seed=0',
            'model.calibrate_shape=[2,3,64,64]', *extra]


def _final_weights(work_dir: Path) -> dict:
    return torch.load(work_dir / 'iter_6.pth', map_location='cpu', weights_only=True)['state_dict']


def test_a_run_ended_hard_after_a_checkpoint_resumes_to_the_same_weights(tmp_path: Path) -> None:
    data = make_digits(tmp_path / 'data', num_train=6, num_val=2)
    full = train(CONFIG, tmp_path / 'full', *_options(data), timeout=600)
    assert full.returncode == 0, tail(full)

    cut = tmp_path / 'cut'
    ended = write_config(tmp_path / 'ended_after_4.py', f"""
_base_ = [{str(CONFIG)!r}]
custom_imports = dict(imports=['tests.helpers.kd_runner_helpers'], allow_failed_imports=False)
custom_hooks = [dict(type='StudentCheckpointHook'), dict(type='HardExitAfterIterHook', after_iter=4)]
""")
    killed = train(ended, cut, *_options(data), timeout=600)
    assert killed.returncode == 3, tail(killed)
    assert (cut / 'iter_4.pth').is_file() and not (cut / 'iter_6.pth').exists()
    resumed = train(CONFIG, cut, '--resume', *_options(data), timeout=600)
    assert resumed.returncode == 0, tail(resumed)
    assert 'iter_4.pth' in resumed.stdout + resumed.stderr

    expected, got = _final_weights(tmp_path / 'full'), _final_weights(cut)
    assert expected.keys() == got.keys()
    differing = [k for k, v in expected.items() if not torch.equal(v, got[k])]
    assert not differing, differing[:5]
    checkpoint = torch.load(cut / 'iter_6.pth', map_location='cpu', weights_only=True)
    reference = torch.load(tmp_path / 'full' / 'iter_6.pth', map_location='cpu', weights_only=True)
    assert checkpoint['meta']['iter'] == reference['meta']['iter'] == 6
    for index, state in reference['optimizer']['state'].items():  # AdamW's moments and step counts
        for name, value in state.items():
            assert torch.equal(checkpoint['optimizer']['state'][index][name], value), (index, name)
    final, final_ref = (torch.load(d / 'student_final.pth', map_location='cpu', weights_only=True)['state_dict']
                        for d in (cut, tmp_path / 'full'))
    assert final.keys() == final_ref.keys() and all(torch.equal(final[k], v) for k, v in final_ref.items())
    assert len(checkpoint['rng_states']) == 1
    assert set(checkpoint['rng_states'][0]) == {'torch', 'cuda', 'numpy', 'python'}
