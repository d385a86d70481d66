"""Contrastive representation distillation (CRD)."""
import math
from typing import Any, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss, check_shapes


@DISTILL_LOSSES.register_module()
class CRDLoss(BaseDistillLoss):
    """Contrastive representation distillation of Tian, Krishnan & Isola, "Contrastive Representation Distillation"
    (ICLR 2020), in the paper's NCE form.

    Embeddings: each feature is global-average-pooled over every dimension after the channels (``(N, C, H, W) ->
    (N, C)``; an ``(N, C)`` feature is taken as it is), mapped by a linear head to ``feat_dim`` and L2-normalised:
    ``s_i = normalize(W_S pool(S_i) + b_S)``, ``t_i = normalize(W_T pool(T_i) + b_T)``. Both heads are trained with the
    student (the teacher's head sits after the detached teacher feature, so no gradient reaches the teacher).

    Memory: two banks of ``M`` past normalised embeddings, ``memory_student`` and ``memory_teacher`` (``M x feat_dim``),
    which start as random unit vectors as in the paper.

    * Index mode (``dataset_size`` given): one slot per dataset index, ``M = dataset_size``. The loss then requires
      ``indices`` (the dataset index of each sample). The ``K = num_negatives`` negatives of anchor ``i`` are slots
      drawn uniformly with replacement from the ``M - 1`` slots other than ``indices[i]`` (fresh draws per anchor and
      step, from torch's global generator, shared by both directions). After the loss, each sample's slot becomes
      ``normalize(momentum * old + (1 - momentum) * new)``.
    * FIFO mode (no ``dataset_size``): a queue of the last ``M = K = num_negatives`` embeddings; all ``K`` entries
      are the negatives of every anchor; the batch is written over the oldest entries after the loss (``momentum`` is
      unused).

    Objective, for one direction with anchor ``a_i``, positive ``p_i`` and negatives ``n_ik`` read from the other
    side's memory (scores ``u = <a, x> / temperature``)::

        P(x | a) = exp(u) / Z,         h(x | a) = P / (P + K / M)
        L_dir = -1/N * sum_i [ log h(p_i | a_i) + sum_k log(1 - h(n_ik | a_i)) ]

    with ``Z = M * mean(exp(u))`` over all ``N * (K + 1)`` scores (positives and negatives) of the first training
    batch, estimated once per direction and then kept fixed (buffer ``log_z``). ``h`` is the paper's critic
    ``exp(u) / (exp(u) + K / M)`` with the partition constant ``Z`` in the ``exp`` term; ``M`` cancels out of ``h``
    (``h = exp(u) / (exp(u) + K * mean(exp(u_first batch)))``), so the FIFO mode's ``M = K`` changes nothing. The loss
    is the sum of the two directions: teacher anchor ``t_i`` with positive ``s_i`` and negatives from the student
    memory, plus student anchor ``s_i`` with positive ``t_i`` and negatives from the teacher memory. The positive is
    the current pair ``<s_i, t_i>``. Computed in the log domain (``log h = log P - logaddexp(log P, log(K / M))``),
    without any epsilon.

    State: the memories, the FIFO pointer and ``Z`` are buffers, so they are saved with a checkpoint and a resumed run
    continues from them. They change only in training mode (``loss.train()``, as the distiller is while training);
    in eval mode the loss reads them without updating (and, before ``Z`` is set, estimates it from the batch without
    storing it). Each process keeps its own memory under DDP (no gathering across ranks). Use CRD on one feature
    pair (the last backbone stage, the neck output); where a pair records several elements of equal channels, they
    share one pair of heads and one memory.

    Args:
        student_channels (int): Channels of the student feature.
        teacher_channels (int): Channels of the teacher feature.
        feat_dim (int): Dimension of the embeddings (128 in the paper).
        num_negatives (int): Negatives per anchor ``K`` (16384 in the paper); also the FIFO queue length.
        temperature (float): Temperature ``tau`` of the scores (0.07 in the paper).
        momentum (float): Weight of the old slot in the index-mode memory update (0.5 in the paper).
        dataset_size (int, optional): Number of samples of the training set; switches to index mode and makes the
            loss require ``indices``.
        weight (float): Multiplier of the loss value (``beta = 0.8`` in the paper, next to KD).
    """

    accepts_channel_mismatch = True
    accepts_spatial_mismatch = True

    def __init__(self, student_channels: int, teacher_channels: int, feat_dim: int = 128, num_negatives: int = 16384,
                 temperature: float = 0.07, momentum: float = 0.5, dataset_size: Optional[int] = None,
                 weight: float = 1.0) -> None:
        super().__init__(weight=weight)
        _check_args(student_channels, teacher_channels, feat_dim, num_negatives, temperature, momentum, dataset_size)
        self.student_channels = student_channels
        self.teacher_channels = teacher_channels
        self.feat_dim = feat_dim
        self.num_negatives = num_negatives
        self.temperature = float(temperature)
        self.momentum = float(momentum)
        self.dataset_size = dataset_size
        if dataset_size is not None:
            self.requires = ('indices',)
        self.embed_student = nn.Linear(student_channels, feat_dim)
        self.embed_teacher = nn.Linear(teacher_channels, feat_dim)
        size = dataset_size if dataset_size is not None else num_negatives
        self.register_buffer('memory_student', F.normalize(torch.randn(size, feat_dim), dim=1))
        self.register_buffer('memory_teacher', F.normalize(torch.randn(size, feat_dim), dim=1))
        self.register_buffer('pointer', torch.zeros((), dtype=torch.long))
        self.register_buffer('log_z', torch.zeros(2))  # log Z of the teacher-anchored, then student-anchored scores
        self.register_buffer('z_estimated', torch.zeros((), dtype=torch.bool))

    @property
    def memory_size(self) -> int:
        """Number of slots ``M`` of each memory."""
        return self.memory_student.shape[0]

    def compute(self, preds_S: Tensor, preds_T: Tensor,
                indices: Optional[Union[Tensor, Sequence[int]]] = None) -> Tensor:
        """NCE loss of both directions, then (in training mode) the memory update.

        Args:
            preds_S (Tensor): Student feature of shape (N, student_channels, ...).
            preds_T (Tensor): Teacher feature of shape (N, teacher_channels, ...).
            indices (Tensor | Sequence[int], optional): Dataset index of each sample, in ``[0, dataset_size)``;
                required in index mode, refused in FIFO mode.

        Returns:
            Tensor: The scalar loss.
        """
        check_shapes('CRDLoss', preds_S, preds_T, f'a student (N, {self.student_channels}, ...) and a teacher '
                     f'(N, {self.teacher_channels}, ...) with the same batch size N', min_ndim=2, same=(0,),
                     channels=(self.student_channels, self.teacher_channels))
        index = self._indices(indices, preds_S.shape[0])
        emb_S = F.normalize(self.embed_student(_pool(preds_S)), dim=1)
        emb_T = F.normalize(self.embed_teacher(_pool(preds_T)), dim=1)
        positive = (emb_S * emb_T).sum(dim=1, keepdim=True) / self.temperature
        if index is None:  # FIFO: the whole queue, shared by every anchor (copies: the update below is in place)
            neg_for_T = emb_T @ self.memory_student.clone().t() / self.temperature
            neg_for_S = emb_S @ self.memory_teacher.clone().t() / self.temperature
        else:
            slots = self.sample_negatives(index)
            neg_for_T = torch.einsum('nkd,nd->nk', self.memory_student[slots], emb_T) / self.temperature
            neg_for_S = torch.einsum('nkd,nd->nk', self.memory_teacher[slots], emb_S) / self.temperature
        scores_T = torch.cat([positive, neg_for_T], dim=1)  # teacher anchor, student positive/negatives
        scores_S = torch.cat([positive, neg_for_S], dim=1)  # student anchor, teacher positive/negatives
        log_z = self._log_z(scores_T, scores_S)
        loss = self._nce(scores_T, log_z[0]) + self._nce(scores_S, log_z[1])
        if self.training:
            self._update_memory(emb_S.detach(), emb_T.detach(), index)
        return loss

    def sample_negatives(self, indices: Tensor) -> Tensor:
        """Memory slots of the negatives of each anchor (index mode).

        Args:
            indices (Tensor): Dataset index of each of the N samples.

        Returns:
            Tensor: (N, num_negatives) slots, uniform over ``[0, M)`` without the anchor's own index.
        """
        draws = torch.randint(0, self.memory_size - 1, (indices.shape[0], self.num_negatives), device=indices.device)
        return draws + (draws >= indices[:, None]).long()

    def _nce(self, scores: Tensor, log_z: Tensor) -> Tensor:
        """``-1/N sum_i [log h(pos_i) + sum_k log(1 - h(neg_ik))]`` of scores (N, 1 + K), positive first."""
        log_p = scores - log_z
        log_noise = math.log(self.num_negatives / self.memory_size)
        log_denominator = torch.logaddexp(log_p, torch.full_like(log_p, log_noise))
        log_h_pos = log_p[:, 0] - log_denominator[:, 0]
        log_one_minus_h_neg = log_noise - log_denominator[:, 1:]
        return -(log_h_pos + log_one_minus_h_neg.sum(dim=1)).mean()

    def _log_z(self, scores_T: Tensor, scores_S: Tensor) -> Tensor:
        """The stored ``log Z`` of both directions, or ``log(M * mean(exp(u)))`` of this batch when none is stored
        (kept when training)."""
        if bool(self.z_estimated):
            return self.log_z
        with torch.no_grad():
            log_z = torch.stack([torch.logsumexp(s.flatten(), dim=0) - math.log(s.numel()) + math.log(self.memory_size)
                                 for s in (scores_T, scores_S)])
        if self.training:
            self.log_z.copy_(log_z)
            self.z_estimated.fill_(True)
        return log_z

    def _indices(self, indices: Any, n: int) -> Optional[Tensor]:
        """Check the dataset indices against the mode and the batch; a long tensor on the memory's device."""
        if self.dataset_size is None:
            if indices is not None:
                raise ValueError('CRDLoss: got dataset indices, but dataset_size is not set (FIFO mode); set '
                                 'dataset_size=len(train dataset) to keep one memory slot per index')
            return None
        if indices is None:
            raise ValueError(f'CRDLoss(dataset_size={self.dataset_size}) needs the dataset index of each sample '
                             '(indices=...)')
        index = torch.as_tensor(indices, device=self.memory_student.device).long().reshape(-1)
        if index.numel() != n:
            raise ValueError(f'CRDLoss: got {index.numel()} indices for a batch of {n}')
        if n and (int(index.min()) < 0 or int(index.max()) >= self.dataset_size):
            raise ValueError(f'CRDLoss: indices must lie in [0, {self.dataset_size}), got '
                             f'{int(index.min())}..{int(index.max())}')
        return index

    @torch.no_grad()
    def _update_memory(self, emb_S: Tensor, emb_T: Tensor, index: Optional[Tensor]) -> None:
        """Momentum update of the indexed slots, or the FIFO write over the oldest entries."""
        if index is not None:
            for memory, emb in ((self.memory_student, emb_S), (self.memory_teacher, emb_T)):
                mixed = self.momentum * memory[index] + (1 - self.momentum) * emb
                memory[index] = F.normalize(mixed, dim=1)
            return
        size = self.memory_size
        n = min(emb_S.shape[0], size)
        slots = (int(self.pointer) + torch.arange(n, device=emb_S.device)) % size
        self.memory_student[slots] = emb_S[-n:]
        self.memory_teacher[slots] = emb_T[-n:]
        self.pointer.fill_((int(self.pointer) + n) % size)


def _pool(x: Tensor) -> Tensor:
    """(N, C, ...) -> (N, C): mean over every dimension after the channels."""
    return x.flatten(2).mean(dim=2) if x.dim() > 2 else x


def _check_args(student_channels: int, teacher_channels: int, feat_dim: int, num_negatives: int, temperature: float,
                momentum: float, dataset_size: Optional[int]) -> None:
    """One-line errors for arguments outside their ranges."""
    for name, value in (('student_channels', student_channels), ('teacher_channels', teacher_channels),
                        ('feat_dim', feat_dim), ('num_negatives', num_negatives)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f'CRDLoss: {name} must be a positive integer, got {value!r}')
    if not temperature > 0:
        raise ValueError(f'CRDLoss: temperature must be positive, got {temperature}')
    if not 0.0 <= momentum < 1.0:
        raise ValueError(f'CRDLoss: momentum must lie in [0, 1), got {momentum}')
    if dataset_size is not None and (not isinstance(dataset_size, int) or isinstance(dataset_size, bool)
                                     or dataset_size < 2):
        raise ValueError(f'CRDLoss: dataset_size must be an integer >= 2 (or None for the FIFO queue), got '
                         f'{dataset_size!r}')
