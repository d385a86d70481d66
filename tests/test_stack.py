"""The installed stack fits the ranges setup.cfg declares, imports together, and mmcv's compiled ops run."""
import configparser
import importlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
import torch
from packaging.requirements import Requirement

SETUP_CFG = Path(__file__).resolve().parents[1] / 'setup.cfg'


def install_requires() -> list:
    """The requirements of ``[options] install_requires`` in setup.cfg."""
    parser = configparser.ConfigParser()
    parser.read(SETUP_CFG)
    lines = parser['options']['install_requires'].splitlines()
    return [Requirement(line.split('#', 1)[0].strip()) for line in lines if line.split('#', 1)[0].strip()]


REQUIREMENTS = install_requires()


def test_setup_cfg_declares_the_stack() -> None:
    names = {req.name for req in REQUIREMENTS}
    assert {'torch', 'torchvision', 'mmcv', 'mmengine', 'mmdet', 'mmsegmentation', 'ultralytics'} <= names


@pytest.mark.parametrize('req', REQUIREMENTS, ids=str)
def test_installed_version_in_declared_range(req: Requirement) -> None:
    try:
        installed = version(req.name)
    except PackageNotFoundError:
        pytest.fail(f'{req.name} is required by setup.cfg ({req}) but not installed')
    assert req.specifier.contains(installed, prereleases=True), f'{req.name} {installed} is outside {req}'


@pytest.mark.parametrize('module', ['torch', 'torchvision', 'mmcv', 'mmengine', 'mmdet', 'mmseg'])
def test_stack_imports(module: str) -> None:
    importlib.import_module(module)


def test_ultralytics_imports_offline() -> None:
    import distiller  # noqa: F401  sets Ultralytics' offline switches before it is imported
    import ultralytics
    assert ultralytics.__version__


def test_mmcv_compiled_nms_matches_expected() -> None:
    from mmcv.ops import nms
    boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 11., 11.], [20., 20., 30., 30.], [0., 0., 10., 9.]])
    scores = torch.tensor([0.9, 0.8, 0.7, 0.95])
    dets, keep = nms(boxes, scores, iou_threshold=0.5)
    # Box 3 (0.95) suppresses boxes 0 (IoU 0.9) and 1 (IoU ~0.64); box 2 does not overlap.
    assert keep.tolist() == [3, 2]
    torch.testing.assert_close(dets[:, 4], torch.tensor([0.95, 0.7]))


def test_mmcv_compiled_roi_align_averages_a_constant_map() -> None:
    from mmcv.ops import RoIAlign
    feat = torch.full((1, 2, 16, 16), 3.0)
    feat[:, 1] = 5.0
    rois = torch.tensor([[0., 2., 2., 10., 10.]])
    out = RoIAlign(output_size=(4, 4), spatial_scale=1.0, sampling_ratio=2, aligned=True)(feat, rois)
    assert out.shape == (1, 2, 4, 4)
    torch.testing.assert_close(out[0, 0], torch.full((4, 4), 3.0))
    torch.testing.assert_close(out[0, 1], torch.full((4, 4), 5.0))
