"""Distillation between two mmseg segmentors."""
from typing import Any, Dict, List

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

    def dummy_data_samples(self, shape) -> List[Any]:
        """Blank ``SegDataSample``s whose metainfo matches a batch of ``shape``.

        Args:
            shape (tuple): N, C, H, W of the dry-run input.

        Returns:
            list: One data sample per image.
        """
        from mmseg.structures import SegDataSample
        size = tuple(shape[-2:])
        samples = []
        for _ in range(shape[0]):
            sample = SegDataSample()
            sample.set_metainfo(dict(img_shape=size, ori_shape=size, pad_shape=size, batch_input_shape=size))
            samples.append(sample)
        return samples

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
