"""Every distiller config in ``configs/distillers/`` and its ``digits/`` builds and trains two iterations on tiny
synthetic inputs.

The configs are the real experiments (official teachers and COCO / Cityscapes, or the embedded digits data), so the
test changes only what cannot run here, and only in the test: no teacher checkpoint and no pretrained backbones
(random init, nothing is downloaded), a 64x64 dry run and batch instead of full-size images, and the data
preprocessor's fixed crop size shrunk to 64x64. Student parts that inherit the teacher's weights (MGD/FGD) load a
checkpoint of the random teacher, and are checked. Datasets are not on disk, so only their config entries are
checked: each ``type`` must resolve in the registry and scope the Runner will build it from (the configs run with
``default_scope = 'distiller'``).
"""
import copy
import math
from pathlib import Path
from typing import Any, Dict, Optional

import pytest
import torch

REPO = Path(__file__).resolve().parents[2]
CONFIG_DIR = REPO / 'configs' / 'distillers'
CONFIGS = sorted(CONFIG_DIR.glob('*.py')) + sorted((CONFIG_DIR / 'digits').glob('*.py'))
SIZE = 64  # side of the synthetic images and of the dry run
BATCH = 2


@pytest.fixture(autouse=True)
def one_torch_thread():
    """One intra-op thread: the tensors are tiny, and on a busy 2-core machine two threads spin against other
    processes (measured: 10x slower than one thread under load, about the same when idle)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_every_config_is_collected() -> None:
    """The glob finds the configs (an empty or moved folder must not pass silently)."""
    assert len(CONFIGS) >= 10, [p.name for p in CONFIGS]


@pytest.mark.slow
@pytest.mark.parametrize('config_path', CONFIGS, ids=[p.stem for p in CONFIGS])
def test_config_builds_and_trains_two_iterations(config_path: Path, tmp_path: Path) -> None:
    from mmengine.config import Config
    from mmengine.optim import build_optim_wrapper

    from distiller.registry import DISTILLERS, register_all_modules

    register_all_modules()
    cfg = Config.fromfile(str(config_path))
    if cfg.model.type not in ('DetectionDistiller', 'SegmentationDistiller'):
        pytest.skip(f'{config_path.name}: {cfg.model.type} is not an mmengine distiller; this test cannot train it')
    assert cfg.default_scope == 'distiller'
    for key in ('train_dataloader', 'val_dataloader', 'val_evaluator', 'optim_wrapper', 'train_cfg'):
        assert key in cfg, f'{config_path.name}: no {key}'
    _check_runner_entries_resolve(cfg)
    assert cfg.model.get('teacher_pretrained'), f'{config_path.name}: names no teacher checkpoint'

    # The student parts that inherit the teacher's weights (MGD/FGD's inheriting strategy) load a checkpoint of the
    # random teacher instead; every other Pretrained init is removed.
    teacher_ckpt = str(tmp_path / 'teacher.pth')
    model_cfg = _test_distiller_cfg(cfg, keep_checkpoint=(cfg.model.teacher_pretrained, teacher_ckpt))
    inherited = [name for name, part in model_cfg.student_cfg.items()
                 if isinstance(part, dict) and (part.get('init_cfg') or {}).get('checkpoint') == teacher_ckpt]
    model = DISTILLERS.build(model_cfg)
    _init_weights(model.teacher)  # the teacher's own init (the distiller's init_weights below then leaves it alone)
    teacher_state = {k: v.clone() for k, v in model.teacher.state_dict().items()}
    if inherited:
        torch.save(dict(state_dict=teacher_state), teacher_ckpt)
    _init_weights(model)  # as the Runner does
    for name in inherited:
        for key, value in getattr(model.student, name).state_dict().items():
            assert torch.equal(value, teacher_state[f'{name}.{key}']), \
                f'{config_path.name}: student {name}.{key} was not inherited from the teacher checkpoint'
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)

    trainable_teacher = bool(model_cfg.get('teacher_trainable', False))
    student_before = _snapshot(model.student)
    teacher_before = _snapshot(model.teacher, with_buffers=True)
    data = _synthetic_batch(cfg.model.type, model_cfg.student_cfg)
    model.train()
    torch.manual_seed(0)
    for _ in range(2):
        log_vars = model.train_step(data, optim_wrapper)

    missing = [name for name in model.distill_losses.loss_names if name not in log_vars]
    assert not missing, f'{config_path.name}: {missing} not in the loss dict {sorted(log_vars)}'
    values = {k: float(torch.as_tensor(v).detach()) for k, v in log_vars.items()}
    bad = {k: v for k, v in values.items() if not math.isfinite(v)}
    assert not bad, f'{config_path.name}: non-finite losses {bad}'
    assert _changed(model.student, student_before), f'{config_path.name}: no student parameter changed'
    if trainable_teacher:
        assert any(k.startswith('teacher.loss') for k in log_vars), sorted(log_vars)
        assert _changed(model.teacher, teacher_before), f'{config_path.name}: the online teacher did not learn'
    else:
        after = _snapshot(model.teacher, with_buffers=True)
        assert after.keys() == teacher_before.keys()
        differ = [k for k in after if not torch.equal(after[k], teacher_before[k])]
        assert not differ, f'{config_path.name}: the frozen teacher changed: {differ[:5]}'


def _test_distiller_cfg(cfg, keep_checkpoint: Optional[tuple] = None):
    """``cfg.model`` changed for the test: no teacher checkpoint, no pretrained weights, a 64x64 dry run.

    ``keep_checkpoint=(path, replacement)`` keeps the ``Pretrained`` inits that load ``path``, pointed at
    ``replacement`` instead.
    """
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.teacher_pretrained = None
    model_cfg.calibrate_shape = (BATCH, 3, SIZE, SIZE)
    model_cfg.teacher_cfg = _test_model_dict(model_cfg.teacher_cfg)
    model_cfg.student_cfg = _test_model_dict(model_cfg.student_cfg, keep_checkpoint)
    return model_cfg


def _init_weights(model: torch.nn.Module) -> None:
    """``model.init_weights()`` without mmengine's one-log-record-per-parameter report (warnings still show)."""
    import logging

    from mmengine.logging import MMLogger

    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        model.init_weights()
    finally:
        logger.setLevel(level)


def _test_model_dict(ref: Any, keep_checkpoint: Optional[tuple] = None) -> Dict[str, Any]:
    """The model dict of a teacher/student reference, without any pretrained weights and sized for 64x64 inputs."""
    from distiller.utils import load_config

    model = copy.deepcopy(load_config(ref).model if isinstance(ref, str) else ref)
    _strip_pretrained(model, keep_checkpoint)
    preprocessor = model.get('data_preprocessor')
    if preprocessor is not None and preprocessor.get('size') is not None:
        preprocessor['size'] = (SIZE, SIZE)  # mmseg pads every batch to its crop size (512x1024 on Cityscapes)
    return model


def _strip_pretrained(cfg: Any, keep_checkpoint: Optional[tuple] = None) -> None:
    """Remove ``pretrained=...`` and every ``init_cfg`` of type ``Pretrained`` (URLs and local teacher files alike),
    except those loading ``keep_checkpoint[0]``, which are pointed at ``keep_checkpoint[1]``."""
    if isinstance(cfg, dict):
        if cfg.get('pretrained') is not None:
            cfg['pretrained'] = None
        init = cfg.get('init_cfg')
        if isinstance(init, dict) and init.get('type') == 'Pretrained':
            if keep_checkpoint and init.get('checkpoint') == keep_checkpoint[0]:
                init['checkpoint'] = keep_checkpoint[1]
            else:
                cfg['init_cfg'] = None
        elif isinstance(init, list):
            cfg['init_cfg'] = [i for i in init if not (isinstance(i, dict) and i.get('type') == 'Pretrained')]
        for value in cfg.values():
            _strip_pretrained(value, keep_checkpoint)
    elif isinstance(cfg, (list, tuple)):
        for value in cfg:
            _strip_pretrained(value, keep_checkpoint)


def _synthetic_batch(distiller_type: str, student_cfg: dict) -> dict:
    """Two random 64x64 uint8 images with ground truth (boxes and labels, or a label map)."""
    gen = torch.Generator().manual_seed(0)
    inputs = [torch.randint(0, 256, (3, SIZE, SIZE), dtype=torch.uint8, generator=gen) for _ in range(BATCH)]
    meta = dict(img_shape=(SIZE, SIZE), ori_shape=(SIZE, SIZE), pad_shape=(SIZE, SIZE), scale_factor=(1.0, 1.0))
    samples = []
    if distiller_type == 'SegmentationDistiller':
        from mmengine.structures import PixelData
        from mmseg.structures import SegDataSample
        head = student_cfg['decode_head']
        num_classes = (head[-1] if isinstance(head, list) else head)['num_classes']  # a cascade's last head (OCRNet)
        for _ in range(BATCH):
            sample = SegDataSample(metainfo=meta)
            sample.gt_sem_seg = PixelData(data=torch.randint(0, num_classes, (1, SIZE, SIZE), generator=gen))
            samples.append(sample)
    elif distiller_type == 'DetectionDistiller':
        from mmdet.structures import DetDataSample
        from mmengine.structures import InstanceData
        num_classes = _num_classes(student_cfg)
        for i in range(BATCH):
            sample = DetDataSample(metainfo=meta)
            boxes = torch.tensor([[4.0, 6.0, 36.0, 40.0], [20.0, 16.0, 60.0, 58.0]])[:i + 1]
            sample.gt_instances = InstanceData(
                bboxes=boxes, labels=torch.randint(0, num_classes, (len(boxes),), generator=gen))
            samples.append(sample)
    else:
        raise AssertionError(f'no synthetic batch for {distiller_type}')
    return dict(inputs=inputs, data_samples=samples)


def _num_classes(model_cfg: dict) -> int:
    """Number of classes of an mmdet detector (one-stage head or two-stage RoI head)."""
    head = model_cfg.get('bbox_head') or model_cfg['roi_head']['bbox_head']
    return head['num_classes']


def _snapshot(module: torch.nn.Module, with_buffers: bool = False) -> Dict[str, torch.Tensor]:
    state = {k: v.detach().clone() for k, v in module.named_parameters()}
    if with_buffers:
        state.update({f'buffer:{k}': v.detach().clone() for k, v in module.named_buffers()})
    return state


def _changed(module: torch.nn.Module, before: Dict[str, torch.Tensor]) -> bool:
    return any(not torch.equal(p.detach(), before[k]) for k, p in module.named_parameters())


def _check_runner_entries_resolve(cfg) -> None:
    """Every ``type`` the Runner builds from this config resolves in its registry under the scope it is built in."""
    from mmengine import registry as r

    default = cfg.default_scope
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if loader is None:
            continue
        scope = _resolve(r.DATASETS, loader['dataset'], default, key)
        for transform in loader['dataset'].get('pipeline', []):
            _resolve(r.TRANSFORMS, transform, scope, f'{key}.dataset.pipeline')
        for sampler in ('sampler', 'batch_sampler'):
            if loader.get(sampler):
                _resolve(r.DATA_SAMPLERS, loader[sampler], default, f'{key}.{sampler}')
    for key in ('val_evaluator', 'test_evaluator'):
        metrics = cfg.get(key) or []
        for metric in metrics if isinstance(metrics, list) else [metrics]:
            _resolve(r.METRICS, metric, default, key)
    if cfg.get('visualizer'):
        scope = _resolve(r.VISUALIZERS, cfg.visualizer, default, 'visualizer')
        for backend in cfg.visualizer.get('vis_backends') or []:
            _resolve(r.VISBACKENDS, backend, scope, 'visualizer.vis_backends')
    for name, hook in (cfg.get('default_hooks') or {}).items():
        _resolve(r.HOOKS, hook, default, f'default_hooks.{name}')
    for hook in cfg.get('custom_hooks') or []:
        _resolve(r.HOOKS, hook, default, 'custom_hooks')
    for scheduler in cfg.get('param_scheduler') or []:
        _resolve(r.PARAM_SCHEDULERS, scheduler, default, 'param_scheduler')
    for key in ('train_cfg', 'val_cfg', 'test_cfg'):
        if cfg.get(key) and 'type' in cfg[key]:
            _resolve(r.LOOPS, cfg[key], default, key)
    _resolve(r.OPTIM_WRAPPERS, {'type': 'OptimWrapper', **cfg.optim_wrapper}, default, 'optim_wrapper')


def _resolve(registry, item: dict, scope: Optional[str], key: str) -> Optional[str]:
    """Assert that ``item['type']`` resolves; return the scope it is built in (for its nested configs)."""
    scope = item.get('_scope_', scope)
    with registry.switch_scope_and_registry(scope) as found_in:
        assert found_in.get(item['type']) is not None, \
            f'{key}: {item["type"]!r} is not registered for scope {scope!r} in {registry.name}'
    return scope
