"""The config entry point of YOLO distillation: ``model = dict(type='YOLODistiller', ...)`` plus ``train_args``."""
from typing import Any, Callable, Dict, List, Optional

from ..core import resolve_teacher_dtype
from ..registry import YOLO_RUNS
from .train_run import train_with_trainer
from .trainer import YOLODistillSettings, build_distill_trainer


@YOLO_RUNS.register_module()
class YOLODistiller:
    """Distil a YOLO teacher into a YOLO student with Ultralytics' own trainer and validator.

    Unlike the mmengine distillers this is not a model the Runner builds: ``tools/train.py`` sees its type and hands
    the config's ``train_args`` (any Ultralytics train argument: ``data``, ``epochs``, ``imgsz``, ``batch``, ...) to
    :meth:`train`.

    Args:
        student (str): Student model yaml (``yolov8n.yaml``) or checkpoint (``.pt``, fine-tuned from its weights).
        teacher (str): Teacher checkpoint (``.pt``) or model yaml (random weights; tests and online distillation).
        distill_cfg (list[dict]): The distillation losses, same schema as the mmengine distillers; module names are
            ``model.<layer index>``, and an entry with no module names applies to every level the heads read.
        teacher_trainable (bool): Online distillation: the teacher trains jointly on its own loss.
        teacher_stop_early (bool): Stop the frozen teacher's forward after its last hooked layer.
        teacher_dtype (str, optional): ``'float16'`` or ``'bfloat16'``: the frozen teacher's weights and inputs in
            half precision (less memory, faster on GPUs); the features are cast to float32 for the losses.
        trust_checkpoint (bool): Load the student, teacher and resume checkpoints with Ultralytics' own loader
            (``torch.load(weights_only=False)``) instead of weights-only. **Risk:** a ``.pt`` file can then run any
            code it carries when it is loaded; set it only for files you made or trust that the weights-only loader
            refuses (a warning is logged when it is used).
    """

    def __init__(self, student: str, teacher: str, distill_cfg: List[dict], teacher_trainable: bool = False,
                 teacher_stop_early: bool = True, teacher_dtype: Optional[str] = None,
                 trust_checkpoint: bool = False) -> None:
        resolve_teacher_dtype(teacher_dtype, teacher_trainable)
        self.student = str(student)
        self.settings = YOLODistillSettings(str(teacher), list(distill_cfg), teacher_trainable, teacher_stop_early,
                                            teacher_dtype, bool(trust_checkpoint))

    def train(self, train_args: Dict[str, Any], save_dir: Optional[str] = None, resume: Optional[str] = None,
              callbacks: Optional[Dict[str, Callable]] = None):
        """Train the student under the teacher.

        Args:
            train_args (dict): Ultralytics train arguments.
            save_dir (str, optional): Run directory (``weights/best.pt``, ``weights/last.pt``, ``results.csv``).
            resume (str, optional): ``last.pt`` of an interrupted run to continue.
            callbacks (dict, optional): Ultralytics event name -> callback, added to the run (timing, logging).

        Returns:
            The Ultralytics metrics of the final validation of ``best.pt``.
        """
        return train_with_trainer(self.student, train_args, lambda base: build_distill_trainer(base, self.settings),
                                  save_dir, resume, callbacks, trust_checkpoint=self.settings.trust_checkpoint)
