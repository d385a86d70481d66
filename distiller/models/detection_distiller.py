"""Distillation between two mmdet detectors."""
from typing import Any, Dict

from torch import Tensor

from ..registry import DISTILLERS
from .base_distiller import BaseDistiller


@DISTILLERS.register_module()
class DetectionDistiller(BaseDistiller):
    """Distils an mmdet detector (one-stage: RetinaNet, FCOS, GFL, ATSS ...; two-stage: Faster/Mask R-CNN) from
    another, possibly of a different family.

    Args: see :class:`BaseDistiller`. Losses may request ``gt_bboxes`` (per image, K x 4 xyxy in input pixels, e.g.
    FGD) and ``img_shapes`` (the padded batch input size the feature maps cover).
    """

    scope = 'mmdet'

    def data_sample_type(self) -> type:
        """``DetDataSample``.

        Returns:
            type: The data sample class.
        """
        from mmdet.structures import DetDataSample
        return DetDataSample

    def distill_inputs(self, data_samples: list, inputs: Tensor) -> Dict[str, Any]:
        """``gt_bboxes`` and ``img_shapes`` of the batch.

        Args:
            data_samples (list): Preprocessed ``DetDataSample``s with ``gt_instances``.
            inputs (Tensor): The preprocessed batch.

        Returns:
            dict: The extra loss inputs.
        """
        boxes = []
        for sample in data_samples:
            bboxes = sample.gt_instances.bboxes
            boxes.append(getattr(bboxes, 'tensor', bboxes))
        shapes = [tuple(s.metainfo.get('batch_input_shape', inputs.shape[-2:])) for s in data_samples]
        return dict(gt_bboxes=boxes, img_shapes=shapes)
