"""The seed recipes of docs/recipes.md as configs.

The folder-wide tests already build and train most of them: ``tests/configs/test_paper_configs.py`` (two iterations
of every config in ``configs/distillers/`` and ``digits/``, the OCRNet and RetinaNet-zoo configs included) and
``tests/yolo/test_yolo_configs.py`` (one epoch of every config in ``configs/distillers/yolo/``). This file covers
what those cannot: the recipe table itself, the pruned-student MGD recovery configs of ``configs/pruning/`` (trained
for one or two epochs with a pruned YOLOv8n), the exactness of the YOLOv8 KD recipe's logit loss against its own
formula, the RepDistiller-zoo losses that run by swapping ``type`` on the RetinaNet FPN levels, and the CWD paper
settings.
"""
import copy
import math
import re
from pathlib import Path
from typing import Dict, List

import pytest
import torch
import torch.nn.functional as F

from distiller.registry import DISTILL_LOSSES, YOLO_RUNS
from distiller.utils import load_config

from tests.helpers.yolo_helpers import YAMLS, make_data, save_teacher, train_args

REPO = Path(__file__).resolve().parents[2]
TABLE = REPO / 'docs' / 'recipes.md'
PRUNED_MGD = {
    'configs/pruning/mgd_recover_pruned_yolov8n_digits.py': [6, 8, 12, 15, 18, 21],
    'configs/pruning/mgd_recover_pruned_3layers_yolov8n_digits.py': [15, 18, 21],
    'configs/pruning/mgd_recover_pruned_2to21_yolov8n_digits.py': [2, 4, 6, 8, 9, 12, 15, 18, 21],
}
LOGIT_MSE = 'configs/distillers/yolo/logit_mse_yolov8s_to_yolov8n_digits.py'
ZOO = 'configs/distillers/digits/at_retinanet_r50_to_r18_fpn_digits.py'
RECIPE_CONFIGS = [
    *PRUNED_MGD,
    LOGIT_MSE,
    'configs/distillers/yolo/mimic_yolov8s_to_yolov8n_digits.py',
    'configs/distillers/yolo/mimic_layers_yolov8s_to_yolov8n_digits.py',
    'configs/distillers/yolo/fgd_yolov8s_to_yolov8n_digits.py',
    ZOO,
    'configs/distillers/cwd_ocrnet_hr48_to_hr18s_cityscapes.py',
    'configs/distillers/cwd_feat_ocrnet_hr48_to_hr18s_cityscapes.py',
    'configs/distillers/cwd_paper_pspnet_r101_to_r18_cityscapes.py',
]
# RepDistiller-zoo losses that run on the five RetinaNet FPN levels by swapping `type` in ZOO (with the mean over
# levels); FSPLoss is the one that does not (it compares two maps of one network, not a student/teacher level pair).
ZOO_SWAPS = ['KDLoss', 'ATLoss', 'FTLoss', 'ABLoss', 'NSTLoss', 'PKTLoss', 'RKDLoss', 'SPLoss', 'VIDLoss', 'CCLoss',
             'KDSVDLoss', 'CRDLoss']


@pytest.fixture(autouse=True)
def one_torch_thread():
    """One intra-op thread (tiny tensors on a busy 2-core machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _table_rows() -> List[Dict[str, str]]:
    """The rows of the recipe table in docs/recipes.md, as column name -> cell."""
    lines = [line.strip() for line in TABLE.read_text().splitlines() if line.strip().startswith('|')]
    header = [cell.strip().lower() for cell in lines[0].strip('|').split('|')]
    rows = []
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip('|').split('|')]
        rows.append(dict(zip(header, cells)))
    return rows


def test_the_table_runs_every_recipe_config_with_its_command() -> None:
    rows = _table_rows()
    assert rows and {'recipe', 'source write-up', 'config', 'command', 'notes'} <= set(rows[0]), rows[:1]
    listed = []
    for row in rows:
        configs = re.findall(r'`(configs/[^`]+\.py)`', row['config'])
        commands = re.findall(r'`(python tools/train\.py [^`]+)`', row['command'])
        assert configs and commands == [f'python tools/train.py {c}' for c in configs], row
        listed += configs
    for config in listed:
        assert (REPO / config).is_file(), config
    missing = [c for c in RECIPE_CONFIGS if c not in listed]
    assert not missing, f'recipe configs missing from docs/recipes.md: {missing}'


def test_the_table_says_whether_crd_is_registered() -> None:
    text = TABLE.read_text()
    registered = DISTILL_LOSSES.get('CRDLoss') is not None
    assert ('CRDLoss (being added)' in text) == (not registered)
    assert 'CRDLoss' in text


# --- YOLOv8 pruned-student MGD recovery --------------------------------------------------------------------------

@pytest.fixture(scope='module')
def pruned_pair(tmp_path_factory):
    """Tiny detect data, an unpruned YOLOv8n checkpoint (the teacher) and its 30 % pruned copy (the student)."""
    from distiller.pruning import PruneSettings
    from distiller.yolo.pruning import load_yolo_model, prune_yolo_model, save_yolo_checkpoint
    root = tmp_path_factory.mktemp('recipe_prune')
    data_yaml = make_data(root / 'digits') / YAMLS['detect']
    unpruned = save_teacher('yolov8n.yaml', data_yaml, root / 'yolov8n.pt')
    model = load_yolo_model(unpruned)
    prune_yolo_model(model, PruneSettings(ratio=0.3, criterion='magnitude'), imgsz=64)
    pruned = save_yolo_checkpoint(model, root / 'yolov8n_pruned.pt')
    return data_yaml, unpruned, pruned


def test_the_2to21_list_is_every_yolov8_layer_from_2_to_21_with_a_cv2() -> None:
    from ultralytics.nn.tasks import DetectionModel
    layers = DetectionModel('yolov8n.yaml', verbose=False).model
    assert PRUNED_MGD['configs/pruning/mgd_recover_pruned_2to21_yolov8n_digits.py'] == \
        [i for i in range(2, 22) if hasattr(layers[i], 'cv2')]


@pytest.mark.slow
@pytest.mark.parametrize('config', list(PRUNED_MGD), ids=[Path(c).stem for c in PRUNED_MGD])
def test_pruned_student_mgd_recovery_trains(config, pruned_pair, tmp_path) -> None:
    data_yaml, unpruned, pruned = pruned_pair
    cfg = load_config(str(REPO / config))
    layers = PRUNED_MGD[config]
    assert [(e['student_module'], e['teacher_module']) for e in cfg.model.distill_cfg] == \
        [(f'model.{i}.cv2', f'model.{i}.cv2') for i in layers]
    for entry in cfg.model.distill_cfg:
        (method,) = entry['methods']
        assert method['type'] == 'MGDLoss' and method['normalize'] is True
        assert (method['alpha_mgd'], method['lambda_mgd']) == (2e-5, 0.65)
        assert method['weight'] == pytest.approx(0.3 / cfg.train_args.batch)
        assert method['schedule'] == dict(type='CosineDecay', start=1.0, end=0.1, per_epoch=True)

    cfg.model.student, cfg.model.teacher = str(pruned), str(unpruned)
    epochs = 2 if config.endswith('/mgd_recover_pruned_yolov8n_digits.py') else 1  # two show the restart
    seen = dict(factors=[], trainer=None)
    first = f'mgd{layers[0]}_loss'

    def batch_end(trainer) -> None:
        seen['trainer'] = trainer
        seen['factors'].append(trainer.distill_losses.methods[first].factor)

    run = YOLO_RUNS.build(cfg.model)
    metrics = run.train(train_args(data_yaml, epochs=epochs), save_dir=str(tmp_path / 'run'),
                        callbacks={'on_train_batch_end': batch_end})
    assert any(key.startswith('metrics/mAP50-95') for key in metrics.results_dict)
    trainer = seen['trainer']
    assert all(f'mgd{i}_loss' in trainer.loss_names for i in layers), trainer.loss_names

    # The weight restarts a cosine from 1 to 0.1 every epoch: ((1 - cos(i * pi / n)) / 2) * (0.1 - 1) + 1.
    n = len(trainer.train_loader)
    expected = [((1 - math.cos(i * math.pi / n)) / 2) * (0.1 - 1) + 1 for i in range(n)] * epochs
    assert seen['factors'] == pytest.approx(expected)

    # The student really is pruned (narrower than the teacher somewhere), and the parameter-free norms sit at the
    # student's own width (MGD aligns the channels itself).
    widths = []
    for i in layers:
        method = trainer.distill_losses.methods[f'mgd{i}_loss']
        loss = method.loss_module
        norm_s, norm_t = method.norm_student, method.norm_teacher
        assert norm_s.norm.num_features == loss.student_channels and norm_t.norm.num_features == loss.teacher_channels
        assert not norm_s.norm.affine and not norm_t.norm.affine
        widths.append((loss.student_channels, loss.teacher_channels))
    assert any(s < t for s, t in widths), widths


# --- YOLOv8 KD recipe: the logit loss ---------------------------------------------------------------------------

def _head_levels(model, images):
    """The inputs of the Detect head (one map per level) for ``images``."""
    seen = {}
    handle = model.model[-1].register_forward_pre_hook(lambda module, args: seen.setdefault('x', args[0]))
    try:
        model(images)
    finally:
        handle.remove()
    return seen['x']


def test_logit_mse_is_the_recipes_per_level_mse_summed_over_levels() -> None:
    """0.25 * sum over levels of mean((S_i - T_i) ** 2), S_i = cat(cv2[i](x_i), cv3[i](x_i)): YOLOv8's raw per-level
    output, computed here straight from the head's branches."""
    from ultralytics.nn.tasks import DetectionModel

    from distiller.yolo.head_loss_set import build_yolo_loss_set
    cfg = load_config(str(REPO / LOGIT_MSE))
    torch.manual_seed(0)
    student = DetectionModel('yolov8n.yaml', nc=cfg.NC, verbose=False).eval()
    teacher = DetectionModel('yolov8s.yaml', nc=cfg.NC, verbose=False).eval()
    loss_set, _ = build_yolo_loss_set(copy.deepcopy(cfg.model.distill_cfg), student, teacher, imgsz=64)
    images = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        with loss_set.recording(teacher_stop_early=False):
            student(images)
            teacher(images)
            losses = loss_set()
        expected = 0
        heads = student.model[-1], teacher.model[-1]
        levels = _head_levels(student, images), _head_levels(teacher, images)
        for i in range(3):
            s, t = (torch.cat((head.cv2[i](x[i]), head.cv3[i](x[i])), 1) for head, x in zip(heads, levels))
            assert s.shape[1] == 4 * cfg.REG_MAX + cfg.NC
            expected = expected + F.mse_loss(s, t)
    assert sorted(losses) == sorted(f'{b}{i}_loss' for i in range(3) for b in ('lbox', 'lcls'))
    assert float(sum(losses.values())) == pytest.approx(float(0.25 * expected), rel=1e-5)


@pytest.mark.parametrize('task', ['segment', 'pose'])
def test_logit_mse_entries_fit_the_segment_and_pose_heads(task) -> None:
    """Segment and Pose subclass Detect with the same cv2/cv3 branches: the six entries build and give finite
    losses on YOLOv8n-seg/-pose students of YOLOv8s-seg/-pose teachers."""
    from ultralytics.nn.tasks import PoseModel, SegmentationModel

    from distiller.yolo.head_loss_set import build_yolo_loss_set
    cfg = load_config(str(REPO / LOGIT_MSE))
    if task == 'segment':
        student = SegmentationModel('yolov8n-seg.yaml', nc=cfg.NC, verbose=False)
        teacher = SegmentationModel('yolov8s-seg.yaml', nc=cfg.NC, verbose=False)
    else:
        student = PoseModel('yolov8n-pose.yaml', nc=cfg.NC, data_kpt_shape=(5, 3), verbose=False)
        teacher = PoseModel('yolov8s-pose.yaml', nc=cfg.NC, data_kpt_shape=(5, 3), verbose=False)
    loss_set, _ = build_yolo_loss_set(copy.deepcopy(cfg.model.distill_cfg), student.eval(), teacher.eval(), imgsz=64)
    with torch.no_grad(), loss_set.recording(teacher_stop_early=False):
        student(torch.rand(2, 3, 64, 64))
        teacher(torch.rand(2, 3, 64, 64))
        losses = loss_set()
    assert len(losses) == 6 and all(math.isfinite(float(v)) for v in losses.values())


# --- detectron2 RepDistiller zoo on the RetinaNet FPN levels ----------------------------------------------------

def test_the_zoo_config_averages_the_five_fpn_levels() -> None:
    cfg = load_config(str(REPO / ZOO))
    (entry,) = cfg.model.distill_cfg
    assert (entry['student_module'], entry['teacher_module']) == ('neck', 'neck') and 'index' not in entry
    (method,) = entry['methods']
    assert (method['type'], method['level_reduction']) == ('ATLoss', 'mean')
    assert load_config(cfg.model.student_cfg).model.neck.num_outs == 5


@pytest.mark.slow
@pytest.mark.parametrize('loss_type', ZOO_SWAPS)
def test_zoo_loss_runs_by_swapping_type(loss_type) -> None:
    """Each listed loss replaces ATLoss in the zoo config (nothing else changed but its name) and trains two
    iterations on four synthetic images (RKD's angle term needs three per device; the digits batch is four)."""
    from mmengine.config import Config
    from mmengine.optim import build_optim_wrapper

    from distiller.registry import DISTILLERS, register_all_modules

    from tests.configs.test_paper_configs import _init_weights, _synthetic_batch, _test_distiller_cfg
    register_all_modules()
    cfg = Config.fromfile(str(REPO / ZOO))
    cfg.model.distill_cfg[0]['methods'] = [dict(type=loss_type, name='loss_zoo', level_reduction='mean')]
    model_cfg = _test_distiller_cfg(cfg)
    model = DISTILLERS.build(model_cfg)
    _init_weights(model)
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    data = _synthetic_batch('DetectionDistiller', model_cfg.student_cfg)
    data = dict(inputs=data['inputs'] * 2, data_samples=data['data_samples'] * 2)
    model.train()
    torch.manual_seed(0)
    for _ in range(2):
        log_vars = model.train_step(data, optim_wrapper)
    assert math.isfinite(float(torch.as_tensor(log_vars['loss_zoo']).detach()))
    assert len(model.distill_losses.level_losses()) == 5


def test_fsp_does_not_take_the_fpn_levels_as_a_level_pair() -> None:
    from distiller.core.distill_cfg import parse_distill_cfg
    from distiller.core.errors import DistillConfigError
    with pytest.raises(DistillConfigError, match='takes all levels at once'):
        parse_distill_cfg([dict(student_module='neck', teacher_module='neck',
                                methods=[dict(type='FSPLoss', level_reduction='mean')])])


# --- CWD paper settings ---------------------------------------------------------------------------------------

@pytest.mark.parametrize('config, module, tau, weight', [
    ('configs/distillers/cwd_ocrnet_hr48_to_hr18s_cityscapes.py', 'decode_head.1.conv_seg', 4.0, 3.0),
    ('configs/distillers/cwd_feat_ocrnet_hr48_to_hr18s_cityscapes.py', 'decode_head.1.object_context_block', 4.0,
     50.0),
    ('configs/distillers/cwd_paper_pspnet_r101_to_r18_cityscapes.py', 'decode_head.conv_seg', 4.0, 3.0),
])
def test_cwd_paper_settings(config, module, tau, weight) -> None:
    cfg = load_config(str(REPO / config))
    (entry,) = cfg.model.distill_cfg
    assert entry['student_module'] == entry['teacher_module'] == module
    (method,) = entry['methods']
    assert (method['type'], method['tau'], method['weight']) == ('ChannelWiseDivergence', tau, weight)
