"""YOLO checkpoints load weights-only: every kind the project writes loads, pickled code is refused wherever a
checkpoint enters (teacher, student, resume, tools/test.py) and never runs, and wrong teachers fail at build time."""
import copy
import importlib
import logging
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from distiller.compat import UnsafeCheckpointError
from distiller.yolo import YOLODistiller, YOLOTraining
from distiller.yolo.safe_checkpoint import (NOT_WALKED, load_yolo_checkpoint, ultralytics_checkpoint_loading,
                                            yolo_checkpoint_classes)

from tests.helpers.yolo_helpers import CWD_ALL_LEVELS, YAMLS, Capture, distill, save_teacher, train_args

slow = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


class _Payload:
    """Unpickling this calls ``Path.touch`` on the marker: the file appears only if the payload ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


class _SystemPayload:
    """Unpickling this runs ``os.system('touch <marker>')``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}',))


class _ConstructorPayload:
    """Unpickling this calls ``DetectionModel(cfg)`` with a model yaml whose ``activation`` Ultralytics ``eval``s:
    code run through the constructor of an allow-listed class."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        from ultralytics.nn.tasks import DetectionModel
        cfg = {'activation': f"__import__('pathlib').Path({str(self.marker)!r}).touch()", 'nc': 1,
               'backbone': [[-1, 1, 'Conv', [16, 3, 2]]], 'head': []}
        return (DetectionModel, (cfg,))


def evil_checkpoint(path: Path, payload=_Payload) -> Path:
    """An Ultralytics-shaped checkpoint (a real YOLOv8n ``model``) that also carries ``payload``; the marker it would
    create is ``<path>.ran``."""
    from ultralytics.nn.tasks import DetectionModel
    model = DetectionModel('yolov8n.yaml', nc=10, verbose=False)
    marker = marker_of(path)
    torch.save({'model': model.half(), 'train_args': {}, 'epoch': -1, 'extra': payload(marker)}, path)
    assert not marker.exists()
    return path


def marker_of(path: Path) -> Path:
    return path.with_name(path.name + '.ran')


@pytest.fixture(scope='module')
def evil(tmp_path_factory) -> Path:
    return evil_checkpoint(tmp_path_factory.mktemp('evil') / 'evil.pt')


# --- the allow-list ------------------------------------------------------------------------------------------------

def test_allow_list_holds_module_classes_and_plain_data_only():
    from ultralytics.nn.distill_model import DistillationModel, FeatureHook
    from ultralytics.nn.modules import C2f, C3k2, Detect, Pose, Segment
    from ultralytics.nn.tasks import DetectionModel, PoseModel, SegmentationModel
    from ultralytics.utils import IterableSimpleNamespace

    from distiller.yolo.split_c2f import SplitC2f
    classes = set(yolo_checkpoint_classes())
    assert {C2f, C3k2, Detect, Segment, Pose, DetectionModel, SegmentationModel, PoseModel, DistillationModel,
            SplitC2f, nn.Conv2d, nn.BatchNorm2d, nn.SiLU, nn.Upsample, IterableSimpleNamespace, FeatureHook} <= classes
    assert all(isinstance(c, type) for c in classes)  # no function (getattr, eval, os.system) is ever listed
    assert all(issubclass(c, nn.Module) for c in classes - {IterableSimpleNamespace, FeatureHook})
    modules = {c.__module__.split('.')[0] for c in classes}
    assert modules == {'torch', 'ultralytics', 'distiller'}
    assert not any(c.__module__.startswith(tuple(NOT_WALKED)) for c in classes)  # AutoBackend, backends, CLIP


def test_every_module_class_of_distiller_yolo_is_allow_listed():
    """Also those of the submodules the walk skips (``distiller.yolo.pruning`` imports Torch-Pruning)."""
    import distiller.yolo
    defined = set()
    for info in pkgutil.iter_modules(distiller.yolo.__path__, prefix='distiller.yolo.'):
        module = importlib.import_module(info.name)
        defined |= {obj for obj in vars(module).values()
                    if isinstance(obj, type) and issubclass(obj, nn.Module) and obj.__module__ == module.__name__}
    assert defined and defined <= set(yolo_checkpoint_classes())


# --- refused files: nothing runs ---------------------------------------------------------------------------------

@pytest.mark.parametrize('payload,refused', [
    (_Payload, r'(Path|touch|pathlib)'),
    (_SystemPayload, r'(posix|os)\.system'),
    (_ConstructorPayload, r'a call of ultralytics\.nn\.tasks\.DetectionModel\(\.\.\.\)'),
], ids=['path-touch', 'os-system', 'allow-listed-constructor'])
def test_pickled_code_is_refused_and_not_run(tmp_path, payload, refused):
    path = evil_checkpoint(tmp_path / 'evil.pt', payload)
    with pytest.raises(UnsafeCheckpointError, match=rf'refused to load checkpoint .*evil\.pt: it references .*{refused}'
                                                    r'.*trust_checkpoint=True') as info:
        load_yolo_checkpoint(path)
    assert '\n' not in str(info.value)
    with pytest.raises(UnsafeCheckpointError), ultralytics_checkpoint_loading():
        from ultralytics import YOLO
        YOLO(str(path))
    assert not marker_of(path).exists()


@slow
def test_refused_as_teacher(yolo_data, evil):
    with pytest.raises(UnsafeCheckpointError, match=r'refused to load checkpoint .*evil\.pt'):
        distill('yolov8n.yaml', str(evil), train_args(yolo_data / YAMLS['detect']), evil.parent / 'teacher_run')
    assert not marker_of(evil).exists()


@slow
@pytest.mark.parametrize('run', ['distiller', 'training'])
def test_refused_as_student(yolo_data, teachers, evil, run):
    args = train_args(yolo_data / YAMLS['detect'])
    entry = (YOLODistiller(str(evil), str(teachers['detect']), CWD_ALL_LEVELS) if run == 'distiller'
             else YOLOTraining(str(evil)))
    with pytest.raises(UnsafeCheckpointError, match=r'refused to load checkpoint .*evil\.pt'):
        entry.train(args, save_dir=str(evil.parent / f'student_{run}'))
    assert not marker_of(evil).exists()


@slow
def test_refused_as_resume_checkpoint(yolo_data, teachers, evil):
    with pytest.raises(UnsafeCheckpointError, match=r'refused to load checkpoint .*evil\.pt'):
        distill('yolov8n.yaml', str(teachers['detect']), train_args(yolo_data / YAMLS['detect']),
                evil.parent / 'resume_run', resume=str(evil))
    assert not marker_of(evil).exists()


def test_refused_by_pruning_and_analysis_loader(evil):
    from distiller.yolo.pruning import load_yolo_model
    with pytest.raises(UnsafeCheckpointError):
        load_yolo_model(evil)
    assert not marker_of(evil).exists()


@slow
@pytest.mark.parametrize('teacher_flag', [False, True], ids=['checkpoint', 'teacher'])
def test_refused_by_the_test_tool(yolo_data, teachers, evil, tmp_path, teacher_flag):
    config = tmp_path / 'yolo_cfg.py'
    teacher = evil if teacher_flag else teachers['detect']
    config.write_text(
        "runner_type = 'YOLORunner'\n"
        f"model = dict(type='YOLODistiller', student='yolov8n.yaml', teacher={str(teacher)!r},\n"
        "             distill_cfg=[dict(methods=[dict(type='ChannelWiseDivergence', tau=1.0)])])\n"
        f"train_args = {train_args(yolo_data / YAMLS['detect'])!r}\n")
    command = [sys.executable, 'tools/test.py', str(config), str(evil), '--work-dir', str(tmp_path / 'work')]
    proc = subprocess.run(command + (['--teacher'] if teacher_flag else []), cwd=REPO, capture_output=True,
                          text=True, env=dict(os.environ, OMP_NUM_THREADS='1'), timeout=300)
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith('distiller.compat.checkpoint.UnsafeCheckpointError: refused to load checkpoint')
    assert str(evil) in last and 'Path' in last
    assert not marker_of(evil).exists()


def test_trust_checkpoint_uses_ultralytics_loader_and_warns(tmp_path):
    """The opt-out really unpickles everything (the payload runs), with a warning; the loader is restored after."""
    import ultralytics.nn.tasks

    from distiller.yolo.pruning import load_yolo_model
    path = evil_checkpoint(tmp_path / 'trusted.pt')
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger('ultralytics')
    logger.addHandler(handler)
    original = ultralytics.nn.tasks.torch_safe_load
    try:
        with ultralytics_checkpoint_loading():  # a trusted load inside a safe block still uses Ultralytics' loader
            safe = ultralytics.nn.tasks.torch_safe_load
            assert safe is not original
            model = load_yolo_model(path, trust_checkpoint=True)
            assert ultralytics.nn.tasks.torch_safe_load is safe
    finally:
        logger.removeHandler(handler)
    assert isinstance(model, nn.Module) and marker_of(path).exists()
    assert any('trust_checkpoint=True' in r.getMessage() and 'runs any code' in r.getMessage() for r in records)
    assert ultralytics.nn.tasks.torch_safe_load is original


@slow
def test_trust_checkpoint_reaches_the_teacher(yolo_data, tmp_path):
    """``YOLODistiller(trust_checkpoint=True)`` loads the teacher with Ultralytics' loader (the run is stopped once
    the teacher is built)."""
    path = evil_checkpoint(tmp_path / 'trusted_teacher.pt')

    class Built(Exception):
        pass

    def stop(trainer):
        raise Built

    with pytest.raises(Built):
        YOLODistiller('yolov8n.yaml', str(path), CWD_ALL_LEVELS, trust_checkpoint=True).train(
            train_args(yolo_data / YAMLS['detect']), save_dir=str(tmp_path / 'run'),
            callbacks={'on_pretrain_routine_end': stop})
    assert marker_of(path).exists()


# --- every checkpoint the project writes loads ------------------------------------------------------------------

class Interrupt(Exception):
    """Stands in for a lost job."""


class StopAfterFirstSave:
    """Callbacks (as ``distill``'s ``capture``) that stop a run right after it saved its first epoch."""

    def callbacks(self) -> dict:
        return {'on_model_save': self._stop}

    @staticmethod
    def _stop(trainer) -> None:
        raise Interrupt


@pytest.fixture(scope='module')
def project_checkpoints(yolo_data, teachers, tmp_path_factory) -> dict:
    """One file of every kind the project writes: the saved teachers; best.pt and a resumable last.pt of an
    interrupted detect distillation; best.pt/last.pt of finished 1-epoch segment and pose distillations and of a
    YOLO11 training; a per-layer and a global pruned YOLOv8n (the latter keeps ``SplitC2f`` blocks)."""
    from distiller.pruning import PruneSettings
    from distiller.yolo.pruning import load_yolo_model, prune_yolo_model, save_yolo_checkpoint
    root = tmp_path_factory.mktemp('project_ckpts')
    files = {f'teacher_{task}': path for task, path in teachers.items()}
    with pytest.raises(Interrupt):  # a 2-epoch detect run stopped after its first save: last.pt to resume from
        distill('yolov8n.yaml', str(teachers['detect']), train_args(yolo_data / YAMLS['detect'], epochs=2),
                root / 'detect', capture=StopAfterFirstSave())
    files['best_detect'] = root / 'detect' / 'weights' / 'best.pt'
    files['last_resumable'] = root / 'detect' / 'weights' / 'last.pt'
    for task, student in (('segment', 'yolov8n-seg.yaml'), ('pose', 'yolov8n-pose.yaml')):
        distill(student, str(teachers[task]), train_args(yolo_data / YAMLS[task]), root / task)
        files[f'best_{task}'] = root / task / 'weights' / 'best.pt'
        files[f'last_{task}'] = root / task / 'weights' / 'last.pt'
    YOLOTraining('yolo11n.yaml').train(train_args(yolo_data / YAMLS['detect']), save_dir=str(root / 'yolo11'))
    files['best_yolo11'] = root / 'yolo11' / 'weights' / 'best.pt'
    files['last_yolo11'] = root / 'yolo11' / 'weights' / 'last.pt'
    unpruned = save_teacher('yolov8n.yaml', yolo_data / YAMLS['detect'], root / 'yolov8n.pt')
    for name, global_pruning in (('pruned_layer', False), ('pruned_global', True)):
        model = load_yolo_model(unpruned)
        prune_yolo_model(model, PruneSettings(ratio=0.3, criterion='magnitude', global_pruning=global_pruning),
                         imgsz=64)
        files[name] = save_yolo_checkpoint(model, root / f'{name}.pt')
    return files


KINDS = ['teacher_detect', 'teacher_segment', 'teacher_pose', 'best_detect', 'last_resumable', 'best_segment',
         'last_segment', 'best_pose', 'last_pose', 'best_yolo11', 'last_yolo11', 'pruned_layer', 'pruned_global']


@slow
@pytest.mark.parametrize('kind', KINDS)
def test_project_checkpoints_load_weights_only(project_checkpoints, kind):
    from ultralytics import YOLO
    from ultralytics.nn.tasks import load_checkpoint
    path = project_checkpoints[kind]
    ckpt = load_yolo_checkpoint(path)
    reference = torch.load(path, map_location='cpu', weights_only=False)
    assert ckpt.keys() == reference.keys()
    model, ref_model = ckpt.get('ema') or ckpt['model'], reference.get('ema') or reference['model']
    assert type(model) is type(ref_model)
    state, ref_state = model.state_dict(), ref_model.state_dict()
    assert state.keys() == ref_state.keys() and all(torch.equal(state[k], ref_state[k]) for k in state)
    if kind == 'last_resumable':  # what resume reads back
        assert ckpt['optimizer'] is not None and ckpt['epoch'] == 0 and ckpt['train_args']['epochs'] == 2
    with ultralytics_checkpoint_loading():
        loaded, _ = load_checkpoint(str(path))
        wrapped = YOLO(str(path))
    assert type(loaded) is type(ref_model) and wrapped.task == loaded.task


@slow
def test_resume_from_a_real_last_pt(project_checkpoints, teachers, yolo_data, tmp_path, monkeypatch):
    """Resuming a real last.pt works with every file of the run read by the safe loader: the resume checkpoint
    (``YOLO``, Ultralytics' ``check_resume`` and ``setup_model``), the teacher, and best.pt/last.pt at the end
    (``strip_optimizer``, the final validation)."""
    import shutil

    from distiller.yolo import safe_checkpoint
    run = tmp_path / 'detect'
    shutil.copytree(project_checkpoints['last_resumable'].parents[1], run)
    loaded = []

    def spy(filename, map_location='cpu'):
        loaded.append(Path(filename))
        return load_yolo_checkpoint(filename, map_location)

    monkeypatch.setattr(safe_checkpoint, 'load_yolo_checkpoint', spy)
    capture = Capture()
    distill('yolov8n.yaml', str(teachers['detect']), train_args(yolo_data / YAMLS['detect'], epochs=2), run,
            resume=str(run / 'weights' / 'last.pt'), capture=capture)
    assert capture.start_epoch == 1
    last, best = run / 'weights' / 'last.pt', run / 'weights' / 'best.pt'
    assert loaded.count(last) >= 3 and best in loaded and Path(teachers['detect']) in loaded
    assert load_yolo_checkpoint(best)['epoch'] == -1


@slow
def test_ultralytics_builtin_distillation_checkpoints_load(yolo_data, teachers, tmp_path):
    """Ultralytics' own distillation (``distill_model=``, the benchmarks' baseline) pickles ``DistillationModel`` and
    its ``FeatureHook``s; strip_optimizer and the final validation read them weights-only."""
    from distiller.yolo.training_runs import train_yolo
    args = dict(train_args(yolo_data / YAMLS['detect']), distill_model=str(teachers['detect']), dis=6.0)
    result = train_yolo('yolov8n.yaml', args, tmp_path / 'builtin')
    best = load_yolo_checkpoint(result['checkpoint'])
    assert best['epoch'] == -1 and type(best['model']).__name__ == 'DetectionModel'  # stripped to the student


@slow
def test_global_pruned_checkpoint_holds_split_c2f(project_checkpoints):
    names = torch.serialization.get_unsafe_globals_in_checkpoint(str(project_checkpoints['pruned_global']))
    assert 'distiller.yolo.split_c2f.SplitC2f' in names
    model = load_yolo_checkpoint(project_checkpoints['pruned_global'])['model']
    assert any(type(m).__name__ == 'SplitC2f' for m in model.modules())


def test_iterable_namespace_args_load(tmp_path):
    """Ultralytics keeps ``model.args`` as an ``IterableSimpleNamespace`` in memory; a file saved that way loads."""
    from ultralytics.nn.tasks import DetectionModel
    from ultralytics.utils import DEFAULT_CFG
    model = DetectionModel('yolov8n.yaml', nc=2, verbose=False)
    model.args = copy.copy(DEFAULT_CFG)
    torch.save({'model': model.half()}, tmp_path / 'ns.pt')
    assert load_yolo_checkpoint(tmp_path / 'ns.pt')['model'].args.imgsz == DEFAULT_CFG.imgsz


# --- teachers that cannot match the student ------------------------------------------------------------------------

@slow
def test_teacher_of_another_task_is_refused(yolo_data, teachers, tmp_path):
    with pytest.raises(ValueError, match=r'teacher: .*detect\.pt is a detect model but the student is a segment '
                                         r'model \(data .*digits-seg\.yaml\); use a segment teacher'):
        distill('yolov8n-seg.yaml', str(teachers['detect']), train_args(yolo_data / YAMLS['segment']), tmp_path)


@slow
def test_teacher_with_other_classes_is_refused(yolo_data, tmp_path):
    from ultralytics.nn.tasks import DetectionModel
    path = tmp_path / 'three_classes.pt'
    torch.save({'model': DetectionModel('yolov8n.yaml', nc=3, verbose=False).half(), 'train_args': {}}, path)
    with pytest.raises(ValueError, match=r"teacher: .*three_classes\.pt predicts 3 classes but the student's data "
                                         r'.*digits\.yaml has 10; use a teacher trained on the same classes'):
        distill('yolov8n.yaml', str(path), train_args(yolo_data / YAMLS['detect']), tmp_path / 'run')
