"""Focal and global distillation (FGD) for detectors."""
from typing import Sequence, Tuple

import torch
from torch import Tensor, nn

from distiller.registry import DISTILL_LOSSES
from .base import BaseDistillLoss, check_shapes


@DISTILL_LOSSES.register_module()
class FGDLoss(BaseDistillLoss):
    """Focal and global distillation (FGD) for detector features.

    From Yang et al., "Focal and Global Knowledge Distillation for Detectors" (CVPR 2022).

    With ``S`` the student FPN feature (aligned to the teacher's channels by a 1x1 conv when they differ), ``T`` the
    teacher feature and ``N`` the batch size, the loss is the sum of four terms, each divided by ``N``:

    - focal feature loss: ``alpha_fgd * sum(M_fg * A_s(T) * A_c(T) * (S - T) ** 2)`` plus the same with ``beta_fgd``
      and ``M_bg``. This is the paper's squared difference of both features scaled by ``sqrt`` of the teacher's
      attentions and masks. ``M_fg`` is ``1 / area`` (area in feature cells) on the cells a ground-truth box covers,
      the largest value where boxes overlap; ``M_bg`` is 1 where no box is, normalised to sum 1 per image (all zero
      when boxes cover the whole map).
    - attention loss: ``gamma_fgd * (|A_s(S) - A_s(T)|_1 + |A_c(S) - A_c(T)|_1)``, with the spatial attention
      ``A_s = H * W * softmax_positions(mean_channels(|x|) / temp)`` and the channel attention
      ``A_c = C * softmax_channels(mean_positions(|x|) / temp)``.
    - global loss: ``lambda_fgd * sum((R(S) - R(T)) ** 2)``, ``R`` one GcBlock shared by both features.

    A box ``(x1, y1, x2, y2)`` in image pixels covers the feature rows ``floor(y1 * H / h)`` to ``ceil(y2 * H / h)``
    (end excluded, at least one row) and likewise the columns, for an ``H x W`` feature of an ``h x w`` image.

    The defaults are the authors' RetinaNet settings; for two-stage detectors they use ``alpha_fgd=5e-5,
    beta_fgd=2.5e-5, gamma_fgd=5e-5, lambda_fgd=5e-7``.

    Args:
        student_channels (int): Channels of the student feature.
        teacher_channels (int): Channels of the teacher feature.
        temp (float): Temperature of the attention softmaxes.
        alpha_fgd (float): Weight of the foreground feature loss.
        beta_fgd (float): Weight of the background feature loss.
        gamma_fgd (float): Weight of the attention loss.
        lambda_fgd (float): Weight of the global relation loss.
        weight (float): Multiplier of the loss value (1 in the paper; the four weights carry the scale).
    """

    requires = ('gt_bboxes', 'img_shapes')

    def __init__(self, student_channels: int, teacher_channels: int, temp: float = 0.5, alpha_fgd: float = 0.001,
                 beta_fgd: float = 0.0005, gamma_fgd: float = 0.0005, lambda_fgd: float = 0.000005,
                 weight: float = 1.0) -> None:
        super().__init__(weight=weight)
        if temp <= 0:
            raise ValueError(f'FGDLoss: temp must be positive, got {temp}')
        self.student_channels = student_channels
        self.teacher_channels = teacher_channels
        self.temp = float(temp)
        self.alpha_fgd = float(alpha_fgd)
        self.beta_fgd = float(beta_fgd)
        self.gamma_fgd = float(gamma_fgd)
        self.lambda_fgd = float(lambda_fgd)
        self.align = (nn.Conv2d(student_channels, teacher_channels, kernel_size=1)
                      if student_channels != teacher_channels else nn.Identity())
        self.global_context = GlobalContextBlock(teacher_channels)

    def compute(self, preds_S: Tensor, preds_T: Tensor, gt_bboxes: Sequence[Tensor],
                img_shapes: Sequence[Sequence[int]]) -> Tensor:
        """Focal, attention and global losses between the student and teacher features of one FPN level.

        Args:
            preds_S (Tensor): Student feature of shape (N, student_channels, H, W).
            preds_T (Tensor): Teacher feature of shape (N, teacher_channels, H, W).
            gt_bboxes (Sequence[Tensor]): Per image, the (K, 4) ground-truth boxes as x1, y1, x2, y2 in image pixels
                (K may be 0).
            img_shapes (Sequence[Sequence[int]]): Per image, its (h, w) in pixels (extra trailing items are ignored).

        Returns:
            Tensor: The scalar loss.
        """
        self._check_inputs(preds_S, preds_T, gt_bboxes, img_shapes)
        n = preds_T.shape[0]
        preds_S = self.align(preds_S)
        fg_mask, bg_mask = box_masks(gt_bboxes, img_shapes, preds_T.shape[2:], preds_T.device)
        spatial_T, channel_T = self._attentions(preds_T)
        spatial_S, channel_S = self._attentions(preds_S)

        weighted_sq = (preds_S - preds_T).pow(2) * spatial_T * channel_T
        fg_loss = (weighted_sq * fg_mask).sum()
        bg_loss = (weighted_sq * bg_mask).sum()
        attention_loss = (spatial_S - spatial_T).abs().sum() + (channel_S - channel_T).abs().sum()
        global_loss = (self.global_context(preds_S) - self.global_context(preds_T)).pow(2).sum()
        return (self.alpha_fgd * fg_loss + self.beta_fgd * bg_loss + self.gamma_fgd * attention_loss
                + self.lambda_fgd * global_loss) / n

    def _attentions(self, feat: Tensor) -> Tuple[Tensor, Tensor]:
        """Spatial attention (N, 1, H, W) and channel attention (N, C, 1, 1) of a feature."""
        n, c, h, w = feat.shape
        magnitude = feat.abs()
        spatial = h * w * (magnitude.mean(dim=1).reshape(n, -1) / self.temp).softmax(dim=1)
        channel = c * (magnitude.mean(dim=(2, 3)) / self.temp).softmax(dim=1)
        return spatial.reshape(n, 1, h, w), channel.reshape(n, c, 1, 1)

    def _check_inputs(self, preds_S: Tensor, preds_T: Tensor, gt_bboxes: Sequence[Tensor],
                      img_shapes: Sequence[Sequence[int]]) -> None:
        """Fail with one clear line when shapes or per-image inputs do not match."""
        check_shapes('FGDLoss', preds_S, preds_T, f'a student (N, {self.student_channels}, H, W) and a teacher '
                     f'(N, {self.teacher_channels}, H, W)', ndim=4, same=(0, 2, 3),
                     channels=(self.student_channels, self.teacher_channels))
        n = preds_T.shape[0]
        if len(gt_bboxes) != n or len(img_shapes) != n:
            raise ValueError(f'FGDLoss expects gt_bboxes and img_shapes for each of the {n} images, got '
                             f'{len(gt_bboxes)} gt_bboxes and {len(img_shapes)} img_shapes')
        for boxes in gt_bboxes:
            if boxes.numel() and (boxes.dim() != 2 or boxes.shape[1] != 4):
                raise ValueError(f'FGDLoss expects gt_bboxes of shape (K, 4), got {tuple(boxes.shape)}')


class GlobalContextBlock(nn.Module):
    """GcBlock (Cao et al., GCNet 2019) as used by FGD for the global relation loss.

    Context modelling pools the feature with softmax weights over positions given by a 1x1 conv; the channel-add
    transform ``conv1x1 -> LayerNorm -> ReLU -> conv1x1`` maps the pooled context to a per-channel offset added to every
    position. The last conv is zero-initialised, so the block starts as the identity.

    Args:
        channels (int): Channels of the feature.
        ratio (float): Bottleneck width of the transform relative to ``channels``.
    """

    def __init__(self, channels: int, ratio: float = 0.5) -> None:
        super().__init__()
        planes = max(1, int(channels * ratio))
        self.context_logits = nn.Conv2d(channels, 1, kernel_size=1)
        self.channel_add = nn.Sequential(
            nn.Conv2d(channels, planes, kernel_size=1),
            nn.LayerNorm([planes, 1, 1]),
            nn.ReLU(inplace=True),
            nn.Conv2d(planes, channels, kernel_size=1))
        nn.init.zeros_(self.channel_add[-1].weight)
        nn.init.zeros_(self.channel_add[-1].bias)

    def forward(self, feat: Tensor) -> Tensor:
        """Add the transformed global context to every position.

        Args:
            feat (Tensor): Feature of shape (N, C, H, W).

        Returns:
            Tensor: Feature of the same shape.
        """
        n, c, h, w = feat.shape
        pool_weights = self.context_logits(feat).reshape(n, h * w, 1).softmax(dim=1)
        context = torch.bmm(feat.reshape(n, c, h * w), pool_weights).reshape(n, c, 1, 1)
        return feat + self.channel_add(context)


def box_masks(gt_bboxes: Sequence[Tensor], img_shapes: Sequence[Sequence[int]], feat_size: Sequence[int],
              device: torch.device) -> Tuple[Tensor, Tensor]:
    """Foreground and background masks of FGD on an ``H x W`` feature map.

    Args:
        gt_bboxes (Sequence[Tensor]): Per image, the (K, 4) boxes as x1, y1, x2, y2 in image pixels.
        img_shapes (Sequence[Sequence[int]]): Per image, its (h, w) in pixels.
        feat_size (Sequence[int]): The feature map's (H, W).
        device (torch.device): Device of the masks.

    Returns:
        Tuple[Tensor, Tensor]: Foreground and background masks, each of shape (N, 1, H, W).
    """
    feat_h, feat_w = int(feat_size[0]), int(feat_size[1])
    rows = torch.arange(feat_h, device=device)
    cols = torch.arange(feat_w, device=device)
    fg_masks = []
    for boxes, shape in zip(gt_bboxes, img_shapes):
        boxes = boxes.detach().to(device=device, dtype=torch.float32).reshape(-1, 4)
        row_start, row_end = _cell_span(boxes[:, 1], boxes[:, 3], feat_h / float(shape[0]), feat_h)
        col_start, col_end = _cell_span(boxes[:, 0], boxes[:, 2], feat_w / float(shape[1]), feat_w)
        in_rows = (rows >= row_start[:, None]) & (rows < row_end[:, None])
        in_cols = (cols >= col_start[:, None]) & (cols < col_end[:, None])
        inv_area = 1.0 / ((row_end - row_start) * (col_end - col_start)).float()
        per_box = (in_rows[:, :, None] & in_cols[:, None, :]) * inv_area[:, None, None]
        fg_masks.append(per_box.amax(dim=0) if len(boxes) else torch.zeros(feat_h, feat_w, device=device))
    fg = torch.stack(fg_masks)[:, None]
    bg = (fg == 0).float()
    bg = bg / bg.sum(dim=(2, 3), keepdim=True).clamp(min=1.0)
    return fg, bg


def _cell_span(start: Tensor, end: Tensor, scale: float, size: int) -> Tuple[Tensor, Tensor]:
    """First and one-past-last feature cell covered by pixel intervals ``[start, end]``, at least one cell."""
    first = torch.floor(start * scale).long().clamp(0, size - 1)
    last = torch.maximum(torch.ceil(end * scale).long().clamp(max=size), first + 1)
    return first, last
