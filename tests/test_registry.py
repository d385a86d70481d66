"""Registries: our scope is a child of mmengine's MODELS, and mmdet/mmseg keep their own scopes."""
import pytest
from mmengine.registry import MODELS, DefaultScope

from distiller.losses import BaseDistillLoss
from distiller.registry import CONNECTORS, DISTILL_LOSSES, DISTILLERS, register_all_modules


@pytest.fixture(scope='module', autouse=True)
def registered() -> None:
    register_all_modules(init_default_scope=False)


def test_registry_tree() -> None:
    assert DISTILLERS.parent is MODELS and DISTILLERS.scope == 'distiller'
    assert DISTILL_LOSSES.parent is DISTILLERS and CONNECTORS.parent is DISTILLERS


def test_builds_mmdet_and_mmseg_models_by_scope_prefix() -> None:
    det_backbone = DISTILLERS.build(dict(type='mmdet.ResNet', depth=18))
    seg_backbone = DISTILLERS.build(dict(type='mmseg.ResNetV1c', depth=18))
    assert type(det_backbone).__module__.startswith('mmdet.')
    assert type(seg_backbone).__module__.startswith('mmseg.')


def test_mmdet_and_mmseg_keep_separate_classes_for_the_same_name() -> None:
    from mmdet.registry import MODELS as DET_MODELS
    from mmseg.registry import MODELS as SEG_MODELS
    assert DET_MODELS.get('ResNet').__module__.startswith('mmdet.')
    assert SEG_MODELS.get('ResNet').__module__.startswith('mmseg.')


def test_default_scope_is_left_alone_when_asked() -> None:
    before = DefaultScope.get_current_instance()
    register_all_modules(init_default_scope=False)
    assert DefaultScope.get_current_instance() is before


def test_default_scope_becomes_distiller() -> None:
    register_all_modules(init_default_scope=True)
    assert DefaultScope.get_current_instance().scope_name == 'distiller'


def test_loss_from_another_default_scope() -> None:
    """A loss named in distill_cfg builds while mmdet is the default scope (as inside an mmdet run)."""

    @DISTILL_LOSSES.register_module(force=True)
    class _ScopeProbeLoss(BaseDistillLoss):
        def compute(self, preds_S, preds_T):
            return (preds_S - preds_T).abs().mean()

    with DefaultScope.overwrite_default_scope('mmdet'):
        loss = DISTILL_LOSSES.build(dict(type='_ScopeProbeLoss', weight=2.0))
    assert isinstance(loss, _ScopeProbeLoss) and loss.weight == 2.0
    DISTILL_LOSSES.module_dict.pop('_ScopeProbeLoss')


def test_unknown_loss_lists_registered_types() -> None:
    with pytest.raises(KeyError, match=r"unknown distill loss type 'NoSuchLoss'; registered distill loss types: "):
        DISTILL_LOSSES.build(dict(type='NoSuchLoss'))


def test_config_without_type_is_rejected() -> None:
    with pytest.raises(TypeError, match='must be a dict with a "type" key'):
        CONNECTORS.build(dict(in_channels=3))


def test_yolo_runs_and_runners_resolve_without_importing_their_package():
    """Scripts that only import the registry (benchmarks, notebooks) still find the YOLO entries and runners; the
    YOLO entries are not models."""
    import subprocess
    import sys
    code = ('from distiller.registry import DISTILLERS, RUNNERS, YOLO_RUNS; import sys; '
            'assert "distiller.yolo" not in sys.modules; '
            'print(YOLO_RUNS.get("YOLODistiller").__name__, RUNNERS.get("YOLORunner").__name__, '
            'RUNNERS.get("MMRunner").__name__, DISTILLERS.get("YOLODistiller"))')
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == 'YOLODistiller YOLORunner MMRunner None'


def test_a_yolo_model_without_its_runner_says_which_runner_to_name():
    from mmengine.config import Config

    from distiller.registry import runner_class
    with pytest.raises(KeyError, match="model.type 'YOLODistiller' trains with Ultralytics; add runner_type = "
                                       "'YOLORunner'"):
        runner_class(Config(dict(model=dict(type='YOLODistiller'))))


def test_an_unknown_runner_type_lists_the_registered_runners():
    from mmengine.config import Config

    from distiller.registry import runner_class
    with pytest.raises(KeyError, match="runner_type: unknown runner 'YoloRunner'; registered runners: .*YOLORunner"):
        runner_class(Config(dict(runner_type='YoloRunner')))
