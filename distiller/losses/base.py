"""The base class every registered distillation loss derives from, and the shape check they share."""
from typing import Any, Optional, Sequence, Tuple

from torch import Tensor, nn

from ..core.precision import autocast_off, detached, to_float32


class BaseDistillLoss(nn.Module):
    """A distillation loss between a student feature and a teacher feature.

    Subclasses implement :meth:`compute` on float32 tensors; :meth:`forward` casts the inputs to float32 with autocast
    disabled (so fp16/bf16 training stays numerically safe), detaches the teacher feature (no loss ever sends a
    gradient to the teacher), multiplies by ``weight`` and returns a scalar. Weight schedules do not change
    ``weight``: they set the method's factor, applied on top of it.

    Class attributes (read by the loss set that applies the loss):
        requires (tuple[str]): Extra keyword inputs the loss needs besides the two features (e.g. ``('gt_bboxes',
            'img_shapes')`` for FGD, ``('targets',)`` for DKD). The distiller passes them to :meth:`forward`.
        accepts_sequence (bool): The loss takes the list of all recorded features of a pair (FPN levels, head calls)
            in one call; otherwise it is called once per feature pair and the results are summed.
        accepts_channel_mismatch (bool): Student and teacher may differ in channels, so no 1x1-conv connector is
            added (relational losses on pooled embeddings, attention maps).
        accepts_spatial_mismatch (bool): Student and teacher may differ in H x W, so no resize connector is added.
        teacher_modules (tuple[str]): Teacher modules whose recorded outputs (all calls, as other entries record
            them) the loss reads besides its own pair's; with ``'teacher_outputs'`` in ``requires`` the loss set
            passes them as ``teacher_outputs={name: [tensor per call]}``.

    Args:
        weight (float): Multiplier of the loss value.
    """

    requires: Tuple[str, ...] = ()
    accepts_sequence: bool = False
    accepts_channel_mismatch: bool = False
    accepts_spatial_mismatch: bool = False
    teacher_modules: Tuple[str, ...] = ()

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
            loss = self.compute(to_float32(preds_S), detached(to_float32(preds_T)), **kwargs)
        return self.weight * loss

    def compute(self, preds_S: Any, preds_T: Any, **kwargs: Any) -> Tensor:
        """The unweighted loss on float32 inputs; implemented by subclasses.

        Args:
            preds_S: Student feature in float32.
            preds_T: Teacher feature in float32, detached.
            **kwargs: The extra inputs named in :attr:`requires`.

        Returns:
            Tensor: A scalar loss.
        """
        raise NotImplementedError


def check_shapes(loss: str, preds_S: Tensor, preds_T: Tensor, expected: str, ndim: Optional[int] = None,
                 min_ndim: int = 0, same: Optional[Sequence[int]] = None, channels: Optional[Tuple[int, int]] = None,
                 hint: str = '') -> None:
    """Raise a loss's one-line shape error unless the student and teacher features fit.

    Args:
        loss (str): The loss's name, first word of the message.
        preds_S (Tensor): Student feature.
        preds_T (Tensor): Teacher feature.
        expected (str): What the loss expects, as the message says it (``'student and teacher maps ...'``).
        ndim (int, optional): The number of dimensions both must have.
        min_ndim (int): The least number of dimensions both must have.
        same (Sequence[int], optional): The dimensions that must agree (default: the whole shape).
        channels (tuple[int, int], optional): The channels (dimension 1) the student and the teacher must have.
        hint (str): Appended to the message after the two shapes (``'; add an align connector'``).

    Raises:
        ValueError: ``'<loss> expects <expected>, got <student shape> and <teacher shape><hint>'``.
    """
    dims_ok = all((ndim is None or x.dim() == ndim) and x.dim() >= min_ndim for x in (preds_S, preds_T))
    if same is None:
        fits = dims_ok and preds_S.shape == preds_T.shape
    else:
        fits = dims_ok and all(preds_S.shape[d] == preds_T.shape[d] for d in same)
    if fits and channels is not None:
        fits = (preds_S.shape[1], preds_T.shape[1]) == tuple(channels)
    if not fits:
        raise ValueError(f'{loss} expects {expected}, got {tuple(preds_S.shape)} and {tuple(preds_T.shape)}{hint}')
