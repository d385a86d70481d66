"""Ultralytics trainer mixins of the compression workflow: train a pruned model as it is, and sparse training."""
import copy
from typing import Optional

from torch import nn

from ..pruning.sparsity import add_bn_sparsity_grad, bn_weights


def is_pruned_yolo(model) -> bool:
    """Whether ``model`` is an Ultralytics model pruned by :func:`~distiller.yolo.pruning.prune_yolo_model`.

    Args:
        model: Anything a trainer's ``get_model`` receives as ``weights`` (a model, a checkpoint dict or None).

    Returns:
        bool: True when it carries the pruning record.
    """
    if isinstance(model, dict):
        model = model.get('ema') or model.get('model')
    return isinstance(model, nn.Module) and bool(getattr(model, 'pruned', None))


class PrunedModelTrainerMixin:
    """Train a pruned model in its pruned shape.

    Ultralytics builds the trained model from its yaml and copies the matching weights over; a pruned model's yaml
    still describes the original widths, so the pruning would be silently lost. This ``get_model`` returns a
    float copy of the pruned model itself instead.
    """

    def get_model(self, cfg=None, weights=None, verbose: bool = True):
        """The model to train.

        Args:
            cfg: Model yaml (dict or path), as the task trainer takes it.
            weights: The loaded model (or checkpoint) to start from.
            verbose (bool): Print the model summary.

        Returns:
            nn.Module: The pruned model itself when ``weights`` is one, otherwise what the task trainer builds.

        Raises:
            ValueError: The pruned model's class count differs from the dataset's.
        """
        if not is_pruned_yolo(weights):
            return super().get_model(cfg=cfg, weights=weights, verbose=verbose)
        model = (weights.get('ema') or weights.get('model')) if isinstance(weights, dict) else weights
        model = copy.deepcopy(model).float()
        classes = model.model[-1].nc
        if classes != self.data['nc']:
            raise ValueError(f'the pruned model predicts {classes} classes but {self.args.data} has '
                             f'{self.data["nc"]}: a pruned model keeps its head, so train it on the same classes')
        return model


class BNSparsityTrainerMixin:
    """Sparse training (network slimming): ``bn_sparsity * sign(gamma)`` is added to the gradient of every
    BatchNorm scale of the trained model before each optimizer step.

    The term is multiplied by the AMP grad scaler's current scale (1 without AMP), because Ultralytics unscales the
    gradients at the start of its ``optimizer_step``, after this addition.
    """

    bn_sparsity: float = 0.0
    _bn_weights: Optional[list] = None

    def optimizer_step(self) -> None:
        """Add the sparsity subgradient, then step as Ultralytics does (unscale, clip, step, EMA)."""
        if self.bn_sparsity:
            if self._bn_weights is None:
                from ultralytics.utils.torch_utils import unwrap_model
                params = [p for group in self.optimizer.param_groups for p in group['params']]
                self._bn_weights = bn_weights(unwrap_model(self.model), among=params)
            add_bn_sparsity_grad(self._bn_weights, self.bn_sparsity * float(self.scaler.get_scale()))
        super().optimizer_step()


def build_yolo_trainer(base: type, bn_sparsity: float = 0.0) -> type:
    """An Ultralytics task trainer that keeps pruned models pruned and optionally adds BN sparsity.

    ``YOLO('pruned.pt').train(trainer=build_yolo_trainer(DetectionTrainer), data=...)`` fine-tunes a pruned model.

    Args:
        base (type): ``DetectionTrainer``, ``SegmentationTrainer``, ``PoseTrainer``, or a distillation trainer.
        bn_sparsity (float): L1 weight on BatchNorm scales; 0 trains normally.

    Returns:
        type: The subclass.

    Raises:
        ValueError: Negative ``bn_sparsity``.
    """
    if bn_sparsity < 0:
        raise ValueError(f'bn_sparsity: expected a non-negative weight, got {bn_sparsity!r}')
    name = f'{"Sparse" if bn_sparsity else "Pruned"}{base.__name__}'
    return type(name, (BNSparsityTrainerMixin, PrunedModelTrainerMixin, base), {'bn_sparsity': float(bn_sparsity)})
