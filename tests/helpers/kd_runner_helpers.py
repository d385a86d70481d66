"""Shared helpers of the distiller tests: the tiny digits data, test-written configs, running the tools.

Also imported inside training subprocesses (through ``custom_imports`` as ``tests.helpers.kd_runner_helpers``; the
tests put the repository root on ``PYTHONPATH``), where it registers two hooks: one that kills the run like a lost job,
one that saves each rank's student.
"""
import os
import subprocess
import sys
from pathlib import Path
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional

import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS

REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / 'configs'
IMG = 64  # canvas side of the test data (the repository configs use 128)


@HOOKS.register_module()
class HardExitAfterIterHook(Hook):
    """End the process without any clean-up after a given iteration (after that iteration's checkpoint is saved)."""

    priority = 'LOWEST'

    def __init__(self, after_iter: int) -> None:
        self.after_iter = after_iter

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if runner.iter + 1 >= self.after_iter:
            sys.stdout.flush()
            os._exit(3)


@HOOKS.register_module()
class DumpRankStudentHook(Hook):
    """Save this rank's student state dict (parameters and buffers) to ``work_dir/rank<R>_student.pth``."""

    priority = 'LOWEST'

    def after_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        params = {k: v.detach().cpu().clone() for k, v in model.student.named_parameters()}
        buffers = {k: v.detach().cpu().clone() for k, v in model.student.named_buffers()}
        torch.save(dict(params=params, buffers=buffers, wrapper=type(runner.model).__name__),
                   os.path.join(runner.work_dir, f'rank{get_rank()}_student.pth'))


@contextmanager
def in_process_setup() -> Iterator[None]:
    """What the in-process tests of a module run under: every module registered, ``distiller`` as the default scope
    (as the Runner sets it from a distiller config; restored afterwards, so an ``init_model`` elsewhere that made
    ``mmseg`` current does not leak in or out) and one torch thread."""
    from mmengine.registry import DefaultScope

    from distiller.registry import register_all_modules
    register_all_modules(init_default_scope=False)
    with DefaultScope.overwrite_default_scope('distiller'), one_thread():
        yield


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one thread inside the block. The tests' models are tiny, so a second thread gains little, and on
    a busy 2-core machine OpenMP threads waiting for each other make convolutions up to 100x slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def make_digits(out: Path, num_train: int = 4, num_val: int = 2) -> Path:
    """Generate a tiny digits dataset (all formats) of ``IMG`` px canvases in ``out``."""
    from distiller.datasets import CanvasSpec, DigitsSpec, generate_digits
    canvas = CanvasSpec(img_size=IMG, digits_per_image=(1, 3), digit_size=(12, 28))
    generate_digits(str(out), DigitsSpec(num_train=num_train, num_val=num_val, seed=3, canvas=canvas))
    return out


def write_config(path: Path, text: str) -> Path:
    """Write a config file and return its path."""
    path.write_text(text)
    return path


def write_seg_configs(root: Path, data_root: Path, teacher_ckpt: Optional[Path] = None) -> Dict[str, Path]:
    """Write the configs of the fast segmentation experiment into ``root``.

    The teacher is the repository's teacher config shrunk to a ResNet-18 with a wider head (so teacher and student
    still differ: 192 vs 128 channels in ``decode_head.bottleneck``, which needs a trained 1x1 connector); the student
    is the repository's student with dropout switched off (see ``test_killed_run_resumed_*`` for why). Both run at
    ``IMG`` px. The distiller config ``_base_``s the repository's distiller config and only changes the models, the
    data location and size, the batch size and the run length (4 iterations, a checkpoint every 2).

    Returns:
        dict: ``teacher``, ``student``, ``distiller`` config paths.
    """
    root.mkdir(parents=True, exist_ok=True)
    teacher = write_config(root / 'teacher_pspnet_r18w_digits.py', f"""
_base_ = [{str(CONFIGS / 'teachers' / 'pspnet_r50_digits.py')!r}]
model = dict(data_preprocessor=dict(size=({IMG}, {IMG})), backbone=dict(depth=18),
             decode_head=dict(in_channels=512, channels=192), auxiliary_head=dict(in_channels=256, channels=96))
""")
    student = write_config(root / 'student_pspnet_r18_digits_nodrop.py', f"""
_base_ = [{str(CONFIGS / 'students' / 'pspnet_r18_digits.py')!r}]
model = dict(data_preprocessor=dict(size=({IMG}, {IMG})), decode_head=dict(dropout_ratio=0.0),
             auxiliary_head=dict(dropout_ratio=0.0))
""")
    distiller = write_config(root / 'distiller_cwd_mimic_digits.py', f"""
_base_ = [{str(CONFIGS / 'distillers' / 'cwd_pspnet_r50_to_r18_digits.py')!r}]
custom_imports = dict(imports=['tests.helpers.kd_runner_helpers'], allow_failed_imports=False)
model = dict(
    teacher_cfg={str(teacher)!r},
    student_cfg={str(student)!r},
    teacher_pretrained={str(teacher_ckpt) if teacher_ckpt else None!r},
    distill_cfg=[
        dict(student_module='decode_head.conv_seg', teacher_module='decode_head.conv_seg',
             methods=[dict(type='ChannelWiseDivergence', name='loss_cwd', tau=1.0, weight=3.0)]),
        dict(student_module='decode_head.bottleneck', teacher_module='decode_head.bottleneck',
             methods=[dict(type='MimicLoss', name='loss_mimic', weight=1.0)]),
    ],
    calibrate_shape=(2, 3, {IMG}, {IMG}))
data_root = {str(data_root) + '/'!r}
crop_size = ({IMG}, {IMG})
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=crop_size, ratio_range=(0.75, 1.5), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=crop_size, keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(batch_size=2, dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
train_cfg = dict(max_iters=4, val_interval=4)
default_hooks = dict(checkpoint=dict(interval=2, max_keep_ckpts=-1), logger=dict(interval=1))
""")
    return dict(teacher=teacher, student=student, distiller=distiller)


def subprocess_env(threads: int = 1) -> dict:
    """Environment of a tool subprocess: the repository (so ``distiller`` and ``tests.helpers``) importable, a bounded
    thread count."""
    path = [str(REPO)] + ([os.environ['PYTHONPATH']] if os.environ.get('PYTHONPATH') else [])
    return dict(os.environ, PYTHONPATH=os.pathsep.join(path), OMP_NUM_THREADS=str(threads),
                MKL_NUM_THREADS=str(threads))


def run_tool(args: List[str], timeout: int = 300, threads: int = 1) -> subprocess.CompletedProcess:
    """Run ``python <args>`` in the repository root and capture its output."""
    return subprocess.run([sys.executable, *args], cwd=str(REPO), env=subprocess_env(threads), capture_output=True,
                          text=True, timeout=timeout)


def train(config: Path, work_dir: Path, *extra: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """``python tools/train.py CONFIG --work-dir WORK_DIR EXTRA...``."""
    return run_tool([str(REPO / 'tools' / 'train.py'), str(config), '--work-dir', str(work_dir), *extra],
                    timeout=timeout)


def tail(proc: subprocess.CompletedProcess, n: int = 4000) -> str:
    """The end of a subprocess's output, for assertion messages."""
    return f'rc={proc.returncode}\nSTDOUT:\n{proc.stdout[-n:]}\nSTDERR:\n{proc.stderr[-n:]}'


def load(path: Path) -> dict:
    """Load a checkpoint weights-only, as a user on torch >= 2.6 would."""
    return torch.load(str(path), map_location='cpu', weights_only=True)


def build_seg_teacher(config: Path) -> torch.nn.Module:
    """Build a plain mmseg model from a config file."""
    import mmseg.utils
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmseg.registry import MODELS
    mmseg.utils.register_all_modules(init_default_scope=False)
    with DefaultScope.overwrite_default_scope('mmseg'):
        return MODELS.build(Config.fromfile(str(config)).model)


def tiny_pspnet(channels: int = 32, size: int = 32) -> dict:
    """A small mmseg PSPNet (ResNetV1c-18 at a quarter of the width) as a model dict, for in-process tests."""
    norm_cfg = dict(type='BN', requires_grad=True)
    return dict(
        type='EncoderDecoder',
        data_preprocessor=dict(type='SegDataPreProcessor', mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
                               bgr_to_rgb=True, pad_val=0, seg_pad_val=255, size=(size, size)),
        backbone=dict(type='ResNetV1c', depth=18, stem_channels=16, base_channels=16, dilations=(1, 1, 2, 4),
                      strides=(1, 2, 1, 1), norm_cfg=norm_cfg, norm_eval=False, contract_dilation=True),
        decode_head=dict(type='PSPHead', in_channels=128, in_index=3, channels=channels, pool_scales=(1, 2),
                         dropout_ratio=0.1, num_classes=11, norm_cfg=norm_cfg, align_corners=False,
                         loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
        train_cfg=dict(),
        test_cfg=dict(mode='whole'))


def seg_batch(size: int = 32, n: int = 2, seed: int = 0):
    """Raw uint8 images and ``SegDataSample``s with label maps, as ``PackSegInputs`` delivers them."""
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    gen = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for _ in range(n):
        inputs.append(torch.randint(0, 256, (3, size, size), dtype=torch.uint8, generator=gen))
        sample = SegDataSample()
        sample.set_metainfo(dict(img_shape=(size, size), ori_shape=(size, size)))
        sample.gt_sem_seg = PixelData(data=torch.randint(0, 11, (1, size, size), generator=gen))
        samples.append(sample)
    return inputs, samples


TINY_SEG_DISTILL_CFG = [
    dict(student_module='decode_head.conv_seg', teacher_module='decode_head.conv_seg',
         methods=[dict(type='ChannelWiseDivergence', name='loss_cwd', tau=1.0, weight=3.0)]),
    dict(student_module='decode_head.bottleneck', teacher_module='decode_head.bottleneck',
         methods=[dict(type='MimicLoss', name='loss_mimic')]),
]


def build_tiny_seg_distiller(distill_cfg: Optional[List[dict]] = None, **kwargs):
    """A ``SegmentationDistiller`` of two tiny PSPNets (teacher head twice as wide), initialised; by default with CWD
    on the logits and mimic on the bottleneck (a 32 -> 64 channel connector); ``kwargs`` go to the distiller."""
    from distiller.registry import DISTILLERS
    torch.manual_seed(0)
    model = DISTILLERS.build(dict(type='SegmentationDistiller', teacher_cfg=tiny_pspnet(channels=64),
                                  student_cfg=tiny_pspnet(), distill_cfg=distill_cfg or TINY_SEG_DISTILL_CFG,
                                  calibrate_shape=(2, 3, 32, 32), **kwargs))
    model.init_weights()
    return model
