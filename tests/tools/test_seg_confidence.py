"""Tests of the foreground-confidence figures (distiller/benchmark/seg_confidence.py) and of
tools/analysis/seg_confidence.py on a small mmseg segmentor."""
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope
from PIL import Image

from distiller.benchmark.seg_confidence import foreground_confidence, mean_confidence
from tests.helpers.kd_runner_helpers import one_thread
from tests.helpers.tools_loader import load_tool

REPO = Path(__file__).resolve().parents[2]
STUDENT = REPO / 'configs' / 'students' / 'cspnext_tiny_fpn_digits.py'


def test_figures_against_hand_computed_values() -> None:
    """Three classes over a 2 x 2 image: one background, one ignored and two foreground pixels."""
    probs = torch.tensor([[[0.7, 0.2], [0.5, 0.1]],
                          [[0.2, 0.3], [0.1, 0.6]],
                          [[0.1, 0.5], [0.4, 0.3]]])
    labels = torch.tensor([[0, 1], [255, 2]])
    out = foreground_confidence(probs, labels)
    # Foreground pixels in row-major order: (0, 1) labelled 1 and (1, 1) labelled 2.
    assert out['off_background'].tolist() == pytest.approx([0.8, 0.9])
    assert out['top_foreground'].tolist() == pytest.approx([0.5, 0.6])
    assert out['true_class'].tolist() == pytest.approx([0.3, 0.3])
    assert out['background_argmax'].tolist() == [0.0, 0.0]
    shifted = foreground_confidence(probs, torch.tensor([[0, 1], [2, 2]]), background=2)
    # Background 2: the foreground pixels are (0, 0) and (0, 1), both labelled below it.
    assert shifted['top_foreground'].tolist() == pytest.approx([0.7, 0.3])
    assert shifted['background_argmax'].tolist() == [0.0, 1.0]


def test_mean_counts_every_pixel_once() -> None:
    """Two images with 1 and 3 foreground pixels: the mean is over 4 pixels, not the mean of two image means."""
    one = foreground_confidence(torch.tensor([[[0.0]], [[1.0]]]), torch.tensor([[1]]))
    three = foreground_confidence(torch.tensor([[[1.0, 1.0, 1.0]], [[0.0, 0.0, 0.0]]]), torch.tensor([[1, 1, 1]]))
    mean = mean_confidence([one, three])
    assert mean['pixels'] == 4
    assert mean['off_background'] == pytest.approx(0.25)
    assert mean['background_argmax'] == pytest.approx(0.75)


@pytest.mark.parametrize('probs, labels, kwargs, message', [
    (torch.ones(3, 2, 2) / 3, torch.zeros(2, 3, dtype=torch.long), {}, 'of the same H, W expected'),
    (torch.ones(3, 2, 2) / 3, torch.zeros(2, 2, dtype=torch.long), dict(background=3), 'background=3 must be one'),
    (torch.ones(3, 2, 2) / 3, torch.full((2, 2), 7), {}, 'labels 7..7 outside the 3 classes'),
])
def test_bad_inputs(probs: torch.Tensor, labels: torch.Tensor, kwargs: dict, message: str) -> None:
    """Mismatched shapes, a background index and labels outside the classes each fail with their message."""
    with pytest.raises(ValueError, match=message):
        foreground_confidence(probs, labels, **kwargs)


def test_no_foreground_pixel() -> None:
    """Images labelled background only give no figure."""
    empty = foreground_confidence(torch.ones(2, 2, 2) / 2, torch.zeros(2, 2, dtype=torch.long))
    with pytest.raises(ValueError, match='no foreground pixel'):
        mean_confidence([empty])


@pytest.fixture
def split(tmp_path: Path) -> Path:
    """Two 64 x 64 noise images with label maps of a digit-sized foreground square."""
    rng = np.random.default_rng(0)
    for name in ('a', 'b'):
        (tmp_path / 'img').mkdir(exist_ok=True)
        (tmp_path / 'ann').mkdir(exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(tmp_path / 'img' / f'{name}.png')
        label = np.zeros((64, 64), dtype=np.uint8)
        label[16:40, 20:36] = 3
        Image.fromarray(label).save(tmp_path / 'ann' / f'{name}.png')
    return tmp_path


def run(*argv: str) -> int:
    """The tool's ``main`` on one thread."""
    with one_thread():
        return load_tool('analysis/seg_confidence').main(list(argv))


def test_tool_reads_student_and_distiller_checkpoints(split: Path, capsys: pytest.CaptureFixture) -> None:
    """The same weights saved as a plain mmseg checkpoint and as a distiller's student give the same row."""
    from distiller.models import build_model
    from distiller.registry import register_all_modules
    register_all_modules(init_default_scope=False)
    state = build_model(str(STUDENT)).state_dict()
    torch.save({'state_dict': state}, split / 'plain.pth')
    torch.save({'state_dict': {f'student.{k}': v for k, v in state.items()}}, split / 'distiller.pth')
    with DefaultScope.overwrite_default_scope('distiller'):
        status = run(str(STUDENT), str(split / 'plain.pth'), str(split / 'distiller.pth'), '--names', 'plain',
                     'distilled', '--img-dir', str(split / 'img'), '--ann-dir', str(split / 'ann'))
        # mmseg's init_model would make mmseg the process-wide scope; the tool leaves it as it was
        assert DefaultScope.get_current_instance().scope_name == 'distiller'
    assert status == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith('| plain') or
            line.startswith('| distilled')]
    assert len(rows) == 2
    plain, distilled = (row.split('|')[2:-1] for row in rows)
    assert plain == distilled
    assert int(plain[0]) == 2 * 24 * 16
    assert all(0.0 <= float(value) <= 1.0 for value in plain[1:4])


@pytest.mark.parametrize('extra, message', [
    (['--img-dir', 'missing'], '--img-dir missing: no images'),
    (['--names', 'one', 'two'], '--names: 2 names for 1 checkpoints'),
    (['--num', '0'], '--num must be at least 1'),
])
def test_tool_bad_arguments(split: Path, capsys: pytest.CaptureFixture, extra: list, message: str) -> None:
    """Bad folders and counts end with a one-line message and status 1, before any model is built."""
    argv = [str(STUDENT), 'weights.pth', '--img-dir', str(split / 'img'), '--ann-dir', str(split / 'ann'), *extra]
    assert run(*argv) == 1
    assert message in capsys.readouterr().err


def test_tool_missing_label(split: Path, capsys: pytest.CaptureFixture) -> None:
    """An image without its label map is named."""
    (split / 'ann' / 'b.png').unlink()
    assert run(str(STUDENT), 'weights.pth', '--img-dir', str(split / 'img'), '--ann-dir', str(split / 'ann')) == 1
    assert 'b.png' in capsys.readouterr().err
