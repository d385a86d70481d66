"""Registries of the distillation framework.

``DISTILLERS`` is the registry of scope ``distiller``, a child of mmengine's root ``MODELS``: with
``default_scope = 'distiller'`` the Runner builds ``model = dict(type='SegmentationDistiller', ...)`` from it, and
through the registry tree any scope can name our classes (``type='distiller.SegmentationDistiller'``) and we can name
theirs (``type='mmdet.RetinaNet'``, ``type='mmseg.EncoderDecoder'``).

``DISTILL_LOSSES``, ``CONNECTORS`` and ``WEIGHT_SCHEDULES`` are children of ``DISTILLERS``. They build from their own
table whatever the default scope is, so a loss named in ``distill_cfg`` resolves the same inside an mmdet, mmseg or
YOLO run; an unknown type fails with the list of registered names.

``RUNNERS`` (a child of mmengine's) holds what runs a config: ``MMRunner`` by default, ``YOLORunner`` for configs with
``runner_type = 'YOLORunner'``, whose ``model`` is built from ``YOLO_RUNS`` (``YOLODistiller``, ``YOLOTraining``:
Ultralytics training runs, not models).

The registries name their modules by location strings, so this bottom module never imports the layers above it.
"""
from datetime import datetime
from typing import Any, Optional

from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import DefaultScope, Registry


def build_from_own_table(cfg: dict, registry: Registry, default_args: Optional[dict] = None) -> Any:
    """Build an object from ``registry`` itself, independent of the current default scope.

    Args:
        cfg (dict): Config with a ``type`` key (a registered name, ``scope.Name`` or a class) and constructor args.
        registry (Registry): The registry to look ``type`` up in (its parents and ``scope.`` prefixes included).
        default_args (dict, optional): Arguments used where ``cfg`` does not set them.

    Returns:
        Any: The constructed object.
    """
    if not isinstance(cfg, dict) or 'type' not in cfg:
        raise TypeError(f'a {registry.name} config must be a dict with a "type" key, got {cfg!r}')
    args = dict(default_args or {})
    args.update(cfg)
    obj_type = args.pop('type')
    obj_cls = registry.get(obj_type) if isinstance(obj_type, str) else obj_type
    if obj_cls is None:
        known = ', '.join(sorted(registry.module_dict)) or '(none)'
        raise KeyError(f'unknown {registry.name} type {obj_type!r}; registered {registry.name} types: {known}')
    return obj_cls(**args)


DISTILLERS = Registry('distiller', parent=MMENGINE_MODELS, scope='distiller', locations=['distiller.models'])
DISTILL_LOSSES = Registry(
    'distill loss', parent=DISTILLERS, scope='distiller_losses', locations=['distiller.losses'],
    build_func=build_from_own_table)
CONNECTORS = Registry(
    'connector', parent=DISTILLERS, scope='distiller_connectors', locations=['distiller.core'],
    build_func=build_from_own_table)
WEIGHT_SCHEDULES = Registry(
    'weight schedule', parent=DISTILLERS, scope='distiller_schedules', locations=['distiller.core'],
    build_func=build_from_own_table)

RUNNERS = Registry('runner', parent=MMENGINE_RUNNERS, scope='distiller',
                   locations=['distiller.engine', 'distiller.yolo'])
YOLO_RUNS = Registry('YOLO run', scope='distiller_yolo', locations=['distiller.yolo'], build_func=build_from_own_table)
DEFAULT_RUNNER = 'MMRunner'


def runner_class(cfg: Any) -> type:
    """The runner class a config names with ``runner_type`` (``MMRunner``, mmengine's, when it names none).

    Args:
        cfg (Config): A loaded config.

    Returns:
        type: The registered runner class.

    Raises:
        KeyError: ``runner_type`` names no registered runner; the message lists the registered ones.
    """
    RUNNERS.import_from_location()
    YOLO_RUNS.import_from_location()
    model_type = cfg.get('model', {}).get('type') if isinstance(cfg.get('model'), dict) else None
    if 'runner_type' not in cfg and isinstance(model_type, str) and YOLO_RUNS.get(model_type) is not None:
        raise KeyError(f"runner_type: model.type {model_type!r} trains with Ultralytics; add runner_type = "
                       "'YOLORunner' to the config (the _base_/yolo/ files set it)")
    name = cfg.get('runner_type', DEFAULT_RUNNER)
    runner_cls = RUNNERS.get(name)
    if runner_cls is None:
        known = ', '.join(sorted(RUNNERS.module_dict))
        raise KeyError(f'runner_type: unknown runner {name!r}; registered runners: {known}')
    return runner_cls


def register_all_modules(init_default_scope: bool = True) -> None:
    """Register the modules of mmdet, mmseg and this package in their own registries.

    mmdet and mmseg are registered without touching the default scope, so neither takes over the other's scope;
    each keeps its classes under its own name (``mmdet.ResNet`` and ``mmseg.ResNet`` stay different classes).

    Args:
        init_default_scope (bool): Make ``distiller`` the current default scope, as the Runner does for a config
            with ``default_scope = 'distiller'``. When False the current default scope is left as it is.
    """
    import mmdet.utils
    import mmseg.utils

    mmdet.utils.register_all_modules(init_default_scope=False)
    mmseg.utils.register_all_modules(init_default_scope=False)
    # RUNNERS' locations also register the hooks, optimizer wrappers and constructor of distiller.engine.
    for registry in (DISTILLERS, DISTILL_LOSSES, CONNECTORS, WEIGHT_SCHEDULES, RUNNERS, YOLO_RUNS):
        registry.import_from_location()
    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None or current.scope_name != 'distiller':
        # DefaultScope instances are global and named by creation time, as mmdet/mmseg name theirs.
        DefaultScope.get_instance(f'distiller-{datetime.now():%Y%m%d-%H%M%S-%f}', scope_name='distiller')
