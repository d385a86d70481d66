"""Shared pieces of the YOLO distillation tests: tiny generated data, a saved teacher checkpoint, short runs."""
import copy
from pathlib import Path
from typing import Dict, List, Optional

import torch

from distiller.datasets import CanvasSpec, DigitsSpec, generate_digits
from distiller.yolo import YOLODistiller

IMG = 64
YAMLS = {'detect': 'detect/digits.yaml', 'segment': 'segment/digits-seg.yaml', 'pose': 'pose/digits-pose.yaml'}
SUFFIX = {'detect': '', 'segment': '-seg', 'pose': '-pose'}
CWD_ALL_LEVELS = [dict(methods=[dict(type='ChannelWiseDivergence', name='loss_cwd', tau=1.0, weight=1.0)])]


def make_data(root: Path) -> Path:
    """Generate the tiny digits data (8 train / 4 val images of 64 px) once under ``root``."""
    generate_digits(str(root), DigitsSpec(num_train=8, num_val=4, seed=0,
                                          canvas=CanvasSpec(img_size=IMG, digit_size=(16, 28))))
    return root / 'yolo'


def save_teacher(model_yaml: str, data_yaml: Path, path: Path) -> Path:
    """Write an Ultralytics checkpoint of a freshly built ``model_yaml`` (class count from the dataset)."""
    from ultralytics import YOLO
    from ultralytics.cfg import get_cfg
    from ultralytics.data.utils import check_det_dataset
    model = YOLO(model_yaml).model
    data = check_det_dataset(str(data_yaml))
    names = data['names']
    extra = {'data_kpt_shape': tuple(data['kpt_shape'])} if 'kpt_shape' in data else {}
    task_model = type(model)(model.yaml, nc=len(names), verbose=False, **extra)
    task_model.names = names
    task_model.args = vars(get_cfg())
    torch.save({'model': copy.deepcopy(task_model).half(), 'train_args': {}, 'epoch': -1}, path)
    return path


def train_args(data_yaml: Path, epochs: int = 1, **overrides) -> Dict:
    """Ultralytics train arguments for a seconds-long CPU run."""
    args = dict(data=str(data_yaml), epochs=epochs, imgsz=IMG, batch=4, device='cpu', workers=0, amp=False,
                plots=False, fliplr=0.0, seed=0, deterministic=True, mosaic=0.0, warmup_epochs=0, verbose=False)
    args.update(overrides)
    return args


class Capture:
    """Callbacks that keep the trainer and what it looked like at the events the tests inspect."""

    def __init__(self) -> None:
        self.trainer = None
        self.start_state: Optional[Dict[str, torch.Tensor]] = None
        self.student_start: Optional[Dict[str, torch.Tensor]] = None
        self.teacher_start: Optional[Dict[str, torch.Tensor]] = None
        self.start_epoch: Optional[int] = None
        self.loss_names: List[str] = []

    def callbacks(self) -> Dict:
        """Event -> callback."""
        return {'on_pretrain_routine_end': self._start, 'on_train_end': self._end}

    def _start(self, trainer) -> None:
        self.trainer = trainer
        self.start_epoch = trainer.start_epoch
        self.start_state = {k: v.clone() for k, v in trainer.distill_losses.state_dict().items()}
        self.student_start = {k: v.clone() for k, v in trainer.model.state_dict().items()}
        self.teacher_start = {k: v.clone() for k, v in trainer.teacher.state_dict().items()}

    def _end(self, trainer) -> None:
        self.loss_names = list(trainer.loss_names)


def distill(student: str, teacher: str, args: Dict, save_dir: Path, distill_cfg=None, resume=None,
            capture: Optional[Capture] = None, **kwargs):
    """Run one distillation; returns the final metrics."""
    distiller = YOLODistiller(student, teacher, distill_cfg or CWD_ALL_LEVELS, **kwargs)
    return distiller.train(args, save_dir=str(save_dir), resume=resume,
                           callbacks=capture.callbacks() if capture else None)
