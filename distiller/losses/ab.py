"""Activation boundary distillation (AB)."""
from torch import Tensor

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss, check_shapes


@DISTILL_LOSSES.register_module()
class ABLoss(BaseDistillLoss):
    """Activation-boundary distillation of Heo et al., "Knowledge Transfer via Distillation of Activation Boundaries
    Formed by Hidden Neurons" (AAAI 2019).

    The student learns on which side of zero each teacher neuron is, with the paper's alternative hinge-like loss on
    pre-activation values ``s`` (student) and ``t`` (teacher) and a margin ``m``::

        (s + m) ** 2 * [s > -m] * [t <= 0]  +  (s - m) ** 2 * [s <= m] * [t > 0]

    averaged over all ``N * C * H * W`` entries. It is 0 once every student value is on the teacher's side of zero
    by at least the margin. Hook the maps before their ReLU. Student and teacher must have the same shape; when the
    channels differ, the distiller's 1x1 align connector maps the student to the teacher's channels first (the
    paper's connector).

    Args:
        margin (float): Margin ``m`` of the activation boundary.
        weight (float): Multiplier of the loss value. This loss is a mean; the reference code sums per sample and
            scales by ``3e-3``, so weights from there become ``3e-3 * C * H * W`` here.
    """

    def __init__(self, margin: float = 1.0, weight: float = 1.0) -> None:
        super().__init__(weight=weight)
        if margin < 0:
            raise ValueError(f'ABLoss: margin must be >= 0, got {margin}')
        self.margin = float(margin)

    def compute(self, preds_S: Tensor, preds_T: Tensor) -> Tensor:
        """Mean alternative-hinge loss of the activation boundaries.

        Args:
            preds_S (Tensor): Student pre-activation map of shape (N, C, H, W).
            preds_T (Tensor): Teacher pre-activation map of the same shape.

        Returns:
            Tensor: The scalar loss.
        """
        check_shapes('ABLoss', preds_S, preds_T, 'student and teacher maps of the same shape (N, C, H, W)', ndim=4,
                     hint='; an align connector maps the student to the teacher channels')
        m = self.margin
        teacher_on = preds_T > 0
        off_term = (preds_S + m).pow(2) * ((preds_S > -m) & ~teacher_on)
        on_term = (preds_S - m).pow(2) * ((preds_S <= m) & teacher_on)
        return (off_term + on_term).mean()
