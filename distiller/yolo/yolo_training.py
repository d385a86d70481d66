"""The config entry of plain YOLO training with the compression options: sparse training, pruned models."""
from typing import Any, Callable, Dict, Optional

from ..registry import YOLO_RUNS
from .compression_trainer import build_yolo_trainer
from .train_run import train_with_trainer


@YOLO_RUNS.register_module()
class YOLOTraining:
    """Train one YOLO model with Ultralytics' trainer (no teacher), optionally with BN-scale sparsity.

    ``model = dict(type='YOLOTraining', model='yolov8n.yaml', bn_sparsity=5e-4)`` with ``train_args`` as in the
    YOLO distillation configs; ``tools/train.py`` runs it. A pruned checkpoint as ``model`` is fine-tuned in its
    pruned shape.

    Args:
        model (str): Model yaml or checkpoint.
        bn_sparsity (float): L1 weight on BatchNorm scales (network slimming's sparse training); 0 trains normally.
        trust_checkpoint (bool): Load the model and resume checkpoints with Ultralytics' own loader
            (``torch.load(weights_only=False)``) instead of weights-only. **Risk:** a ``.pt`` file can then run any
            code it carries when it is loaded; set it only for files you made or trust that the weights-only loader
            refuses (a warning is logged when it is used).
    """

    def __init__(self, model: str, bn_sparsity: float = 0.0, trust_checkpoint: bool = False) -> None:
        if bn_sparsity < 0:
            raise ValueError(f'bn_sparsity: expected a non-negative weight, got {bn_sparsity!r}')
        self.model = str(model)
        self.bn_sparsity = float(bn_sparsity)
        self.trust_checkpoint = bool(trust_checkpoint)

    def train(self, train_args: Dict[str, Any], save_dir: Optional[str] = None, resume: Optional[str] = None,
              callbacks: Optional[Dict[str, Callable]] = None):
        """Train.

        Args:
            train_args (dict): Ultralytics train arguments.
            save_dir (str, optional): Run directory.
            resume (str, optional): ``last.pt`` of an interrupted run.
            callbacks (dict, optional): Ultralytics event name -> callback.

        Returns:
            The Ultralytics metrics of the final validation.
        """
        return train_with_trainer(self.model, train_args, lambda base: build_yolo_trainer(base, self.bn_sparsity),
                                  save_dir, resume, callbacks, trust_checkpoint=self.trust_checkpoint)
