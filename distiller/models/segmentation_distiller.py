"""Distillation between two mmseg segmentors."""
from typing import Any, Dict

import torch
from torch import Tensor

from ..registry import DISTILLERS
from .base_distiller import BaseDistiller


@DISTILLERS.register_module()
class SegmentationDistiller(BaseDistiller):
    """Distils an mmseg segmentor (``EncoderDecoder`` and friends) from another.

    Args: see :class:`BaseDistiller`. Losses may request ``targets`` (the N x H x W label maps, e.g. DKD) and
    ``img_shapes`` (the padded batch input size of each image).
    """

    scope = 'mmseg'

    def data_sample_type(self) -> type:
        """``SegDataSample``.

        Returns:
            type: The data sample class.
        """
        from mmseg.structures import SegDataSample
        return SegDataSample

    def distill_inputs(self, data_samples: list, inputs: Tensor) -> Dict[str, Any]:
        """``targets`` (N x H x W long label maps, 255 = ignore) and ``img_shapes``.

        Args:
            data_samples (list): Preprocessed ``SegDataSample``s with ``gt_sem_seg``.
            inputs (Tensor): The preprocessed batch.

        Returns:
            dict: The extra loss inputs.
        """
        shapes = [tuple(s.metainfo.get('batch_input_shape', inputs.shape[-2:])) for s in data_samples]
        extra: Dict[str, Any] = dict(img_shapes=shapes)
        if data_samples and 'gt_sem_seg' in data_samples[0]:
            extra['targets'] = torch.stack([s.gt_sem_seg.data.squeeze(0) for s in data_samples]).long()
        return extra
