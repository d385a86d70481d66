"""Config references: local files and ``package::path``."""
import pytest

from distiller.utils import load_config, resolve_config_path


def test_package_config_resolves_into_the_installed_package() -> None:
    path = resolve_config_path('mmdet::retinanet/retinanet_r18_fpn_1x_coco.py')
    assert path.endswith('mmdet/.mim/configs/retinanet/retinanet_r18_fpn_1x_coco.py')
    assert load_config('mmdet::retinanet/retinanet_r18_fpn_1x_coco.py').model.backbone.depth == 18


def test_missing_package_config_names_the_path() -> None:
    with pytest.raises(FileNotFoundError, match=r"config 'mmseg::nope/x\.py' not found \(looked for .*mmseg/\.mim/"):
        resolve_config_path('mmseg::nope/x.py')


def test_unknown_package_is_explained() -> None:
    with pytest.raises(FileNotFoundError, match="package 'mmfoo' is not installed"):
        resolve_config_path('mmfoo::a.py')


def test_missing_local_config(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match='not found'):
        resolve_config_path(str(tmp_path / 'none.py'))
