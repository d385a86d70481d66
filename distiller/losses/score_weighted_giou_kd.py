"""What CrossKD's GIoU box terms share: a score-weighted mean of ``1 - GIoU`` over the levels of a head."""
from typing import Dict, List, Tuple

from torch import Tensor

from .base import BaseDistillLoss


class ScoreWeightedGIoUKDLoss(BaseDistillLoss):
    """Base of the GIoU box-distillation losses: ``sum(w * (1 - GIoU)) / max(sum(w), 1)`` over every level and box,
    ``w`` the teacher's top class score per box, read from the teacher output recorded at ``score_module``.

    Subclasses give, per level, the GIoU of the student's and the teacher's boxes and the weight of each box
    (:meth:`level_giou_and_weight`).

    Args:
        score_module (str): The teacher module whose output is the class logits of the same levels, in the same
            order; another entry must record it.
        weight (float): Multiplier of the loss value.
    """

    requires = ('teacher_outputs',)
    accepts_sequence = True

    def __init__(self, score_module: str, weight: float = 1.0) -> None:
        super().__init__(weight=weight)
        self.score_module = score_module
        self.teacher_modules = (score_module,)

    def level_giou_and_weight(self, box_S: Tensor, box_T: Tensor, score: Tensor) -> Tuple[Tensor, Tensor]:
        """The GIoU of each box of one level and its weight, of the same shape; by subclasses.

        Args:
            box_S (Tensor): The student's box map of the level.
            box_T (Tensor): The teacher's box map of the level.
            score (Tensor): The teacher's class logits of the level.

        Returns:
            tuple[Tensor, Tensor]: GIoU values and weights.
        """
        raise NotImplementedError

    def compute(self, preds_S: List[Tensor], preds_T: List[Tensor],
                teacher_outputs: Dict[str, List[Tensor]]) -> Tensor:
        """The score-weighted mean of ``1 - GIoU`` over all levels.

        Args:
            preds_S (list[Tensor]): Student box maps per level.
            preds_T (list[Tensor]): Teacher box maps per level, same shapes.
            teacher_outputs (dict[str, list[Tensor]]): Recorded teacher outputs by module name; ``score_module``
                gives the class logits per level.

        Returns:
            Tensor: The scalar loss.
        """
        scores = teacher_outputs[self.score_module]
        if len(scores) != len(preds_S):
            raise ValueError(f'{type(self).__name__}: {self.score_module!r} gave {len(scores)} class map(s) for '
                             f'{len(preds_S)} box map(s); it must be the class branch of the same levels')
        total, weights = preds_S[0].new_zeros(()), preds_S[0].new_zeros(())
        for box_S, box_T, score in zip(preds_S, preds_T, scores):
            giou, weight = self.level_giou_and_weight(box_S, box_T, score)
            total = total + (weight * (1 - giou)).sum()
            weights = weights + weight.sum()
        return total / weights.clamp(min=1.0)
