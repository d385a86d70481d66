"""Channel-wise distillation (CWD) for dense prediction."""
from torch import Tensor

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss, check_shapes


@DISTILL_LOSSES.register_module()
class ChannelWiseDivergence(BaseDistillLoss):
    """Channel-wise divergence of Shu et al., "Channel-wise Knowledge Distillation for Dense Prediction" (ICCV 2021).

    Each channel of an ``(N, C, H, W)`` map becomes a distribution over its ``H * W`` positions,
    ``softmax(x / tau)``; the loss is ``KL(p_T || p_S) = sum p_T * (log p_T - log p_S)`` summed over positions,
    scaled by ``tau ** 2`` and averaged over the ``N * C`` channel maps. It is zero when student and teacher agree.

    Args:
        tau (float): Softmax temperature. The authors' released segmentation runs use 4 on the logits (mmrazor's
            PSPNet config uses 1).
        weight (float): Multiplier of the loss value (mmrazor uses 3 on PSPNet logits, 5-10 on detection FPNs).
    """

    def __init__(self, tau: float = 1.0, weight: float = 1.0) -> None:
        super().__init__(weight=weight)
        if tau <= 0:
            raise ValueError(f'ChannelWiseDivergence: tau must be positive, got {tau}')
        self.tau = float(tau)

    def compute(self, preds_S: Tensor, preds_T: Tensor) -> Tensor:
        """KL divergence between the teacher's and the student's per-channel spatial distributions.

        Args:
            preds_S (Tensor): Student map of shape (N, C, H, W).
            preds_T (Tensor): Teacher map of the same shape.

        Returns:
            Tensor: The scalar loss.
        """
        check_shapes('ChannelWiseDivergence', preds_S, preds_T,
                     'student and teacher maps of the same shape (N, C, H, W)', ndim=4)
        n, c = preds_S.shape[:2]
        log_p_s = (preds_S.reshape(n * c, -1) / self.tau).log_softmax(dim=1)
        log_p_t = (preds_T.reshape(n * c, -1) / self.tau).log_softmax(dim=1)
        kl = (log_p_t.exp() * (log_p_t - log_p_s)).sum()
        return kl * self.tau**2 / (n * c)
