"""The base class every registered distillation loss derives from."""
from typing import Any, Tuple

from torch import Tensor, nn

from ..core.precision import autocast_off, to_float32


class BaseDistillLoss(nn.Module):
    """A distillation loss between a student feature and a teacher feature.

    Subclasses implement :meth:`compute` on float32 tensors; :meth:`forward` casts the inputs to float32 with autocast
    disabled (so fp16/bf16 training stays numerically safe), multiplies by ``weight`` and returns a scalar. Weight
    schedules change ``weight`` between steps.

    Class attributes (read by the loss set that applies the loss):
        requires (tuple[str]): Extra keyword inputs the loss needs besides the two features (e.g. ``('gt_bboxes',
            'img_shapes')`` for FGD, ``('targets',)`` for DKD). The distiller passes them to :meth:`forward`.
        accepts_sequence (bool): The loss takes the list of all recorded features of a pair (FPN levels, head calls)
            in one call; otherwise it is called once per feature pair and the results are summed.
        accepts_channel_mismatch (bool): Student and teacher may differ in channels, so no 1x1-conv connector is
            added (relational losses on pooled embeddings, attention maps).
        accepts_spatial_mismatch (bool): Student and teacher may differ in H x W, so no resize connector is added.

    Args:
        weight (float): Multiplier of the loss value.
    """

    requires: Tuple[str, ...] = ()
    accepts_sequence: bool = False
    accepts_channel_mismatch: bool = False
    accepts_spatial_mismatch: bool = False

    def __init__(self, weight: float = 1.0) -> None:
        super().__init__()
        self.weight = float(weight)

    def forward(self, preds_S: Any, preds_T: Any, **kwargs: Any) -> Tensor:
        """Compute ``weight * loss`` in float32.

        Args:
            preds_S: Student feature (a tensor, or what the subclass documents).
            preds_T: Teacher feature, same structure as ``preds_S``.
            **kwargs: The extra inputs named in :attr:`requires`.

        Returns:
            Tensor: A scalar loss.
        """
        with autocast_off(preds_S):
            loss = self.compute(to_float32(preds_S), to_float32(preds_T), **kwargs)
        return self.weight * loss

    def compute(self, preds_S: Any, preds_T: Any, **kwargs: Any) -> Tensor:
        """The unweighted loss on float32 inputs; implemented by subclasses.

        Args:
            preds_S: Student feature in float32.
            preds_T: Teacher feature in float32.
            **kwargs: The extra inputs named in :attr:`requires`.

        Returns:
            Tensor: A scalar loss.
        """
        raise NotImplementedError
