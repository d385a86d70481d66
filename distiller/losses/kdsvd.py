"""Knowledge distillation with singular value decomposition (KD-SVD)."""
import torch
import torch.nn.functional as F
from torch import Tensor

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss, check_shapes


@DISTILL_LOSSES.register_module()
class KDSVDLoss(BaseDistillLoss):
    """A simplified KD-SVD after Lee et al., "Self-supervised Knowledge Distillation Using Singular Value
    Decomposition" (ECCV 2018).

    Each sample's map is a ``C x HW`` matrix ``X = U diag(s) V^T``. Its top-``k`` right singular vectors ``v_1..v_k``
    (unit vectors over the ``H * W`` positions) are the dominant spatial patterns; being spatial, they can be compared
    between a student and a teacher with different channel counts. The loss is ``1 - |v_i^S . v_i^T|`` averaged over
    the ``N * k`` pairs: the absolute value makes it invariant to the sign ambiguity of singular vectors, and it lies
    in ``[0, 1]``, 0 when the subspaces' ordered bases agree. The paper's sign post-processing and RBF relations between
    two layers are not used.

    Stability: ``torch.linalg.svd`` runs without gradient. The exact SVD gradient divides by differences of singular
    values and is not finite for tied or zero singular values, which ReLU maps with dead channels routinely have.
    Instead the student's vectors are recomputed differentiably as one power-iteration step with the left vectors
    held fixed, ``v_i = normalize(X^T u_i)``: the value equals the SVD's ``v_i`` (as ``X^T u_i = s_i v_i``) and the
    gradient is that of this step. Degenerate components, where the teacher's ``s_i`` is below ``1e-6 * s_1`` (rank
    below ``i``, e.g. an all-zero map), have no defined direction and are left out of the mean; when none is left the
    loss is 0. A student component with ``s_i = 0`` gives ``v_i = 0`` and contributes 1 with zero gradient.

    Args:
        k (int): Number of leading singular vectors compared; at most ``min(C, H * W)`` of either map.
        weight (float): Multiplier of the loss value.
    """

    accepts_channel_mismatch = True

    def __init__(self, k: int = 1, weight: float = 1.0) -> None:
        super().__init__(weight=weight)
        if int(k) != k or k < 1:
            raise ValueError(f'KDSVDLoss: k must be an integer >= 1, got {k}')
        self.k = int(k)

    def compute(self, preds_S: Tensor, preds_T: Tensor) -> Tensor:
        """Mean of ``1 - |cos|`` between the student's and the teacher's top-k spatial singular vectors.

        Args:
            preds_S (Tensor): Student feature of shape (N, C_S, H, W).
            preds_T (Tensor): Teacher feature of shape (N, C_T, H, W).

        Returns:
            Tensor: The scalar loss.
        """
        check_shapes('KDSVDLoss', preds_S, preds_T, 'student and teacher maps (N, C, H, W) with the same N, H, W',
                     ndim=4, same=(0, 2, 3))
        if self.k > min(preds_S.shape[1], preds_T.shape[1], preds_S.shape[2] * preds_S.shape[3]):
            raise ValueError(f'KDSVDLoss: k={self.k} exceeds min(C_S, C_T, H * W) of the maps '
                             f'{tuple(preds_S.shape)} and {tuple(preds_T.shape)}')
        x_s = preds_S.flatten(2)
        with torch.no_grad():
            u_s = torch.linalg.svd(x_s, full_matrices=False)[0][..., :self.k]
            _, s_t, vh_t = torch.linalg.svd(preds_T.flatten(2), full_matrices=False)
        v_s = F.normalize(x_s.transpose(1, 2) @ u_s, dim=1)
        v_t = vh_t[:, :self.k].transpose(1, 2)
        cos = (v_s * v_t).sum(dim=1).abs()
        valid = s_t[:, :self.k] > 1e-6 * s_t[:, :1]
        if not valid.any():
            return preds_S.sum() * 0
        return (1 - cos[valid]).mean()
