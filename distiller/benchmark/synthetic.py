"""Random training batches in the exact form the data pipelines deliver them, for timing steps without a dataset."""
from typing import Dict, List, Tuple

import torch


def _images(n: int, size: Tuple[int, int], gen: torch.Generator) -> List[torch.Tensor]:
    """``n`` uint8 CHW images."""
    return [torch.randint(0, 256, (3, *size), dtype=torch.uint8, generator=gen) for _ in range(n)]


def _boxes(k: int, size: Tuple[int, int], gen: torch.Generator) -> torch.Tensor:
    """``k`` x1y1x2y2 boxes inside an image, each 10-40% of its sides."""
    height, width = size
    wh = (torch.rand(k, 2, generator=gen) * 0.3 + 0.1) * torch.tensor([width, height])
    xy = torch.rand(k, 2, generator=gen) * (torch.tensor([width, height]) - wh)
    return torch.cat([xy, xy + wh], dim=1)


def seg_batch(n: int, size: Tuple[int, int], num_classes: int, seed: int = 0) -> Dict[str, list]:
    """A batch as mmseg's ``PackSegInputs`` delivers it: uint8 images and ``SegDataSample``s with label maps.

    Args:
        n (int): Batch size.
        size (tuple[int, int]): Image height and width.
        num_classes (int): Label values are drawn from ``[0, num_classes)``.
        seed (int): Random seed.

    Returns:
        dict: ``inputs`` and ``data_samples``.
    """
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    gen = torch.Generator().manual_seed(seed)
    samples = []
    for _ in range(n):
        sample = SegDataSample(metainfo=dict(img_shape=size, ori_shape=size))
        sample.gt_sem_seg = PixelData(data=torch.randint(0, num_classes, (1, *size), generator=gen))
        samples.append(sample)
    return dict(inputs=_images(n, size, gen), data_samples=samples)


def det_batch(n: int, size: Tuple[int, int], num_classes: int, boxes_per_image: int = 5,
              seed: int = 0) -> Dict[str, list]:
    """A batch as mmdet's ``PackDetInputs`` delivers it: uint8 images and ``DetDataSample``s with gt instances.

    Args:
        n (int): Batch size.
        size (tuple[int, int]): Image height and width.
        num_classes (int): Labels are drawn from ``[0, num_classes)``.
        boxes_per_image (int): Ground-truth boxes per image.
        seed (int): Random seed.

    Returns:
        dict: ``inputs`` and ``data_samples``.
    """
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    gen = torch.Generator().manual_seed(seed)
    samples = []
    for _ in range(n):
        sample = DetDataSample(metainfo=dict(img_shape=size, ori_shape=size, scale_factor=(1.0, 1.0)))
        sample.gt_instances = InstanceData(bboxes=_boxes(boxes_per_image, size, gen),
                                           labels=torch.randint(0, num_classes, (boxes_per_image, ), generator=gen))
        samples.append(sample)
    return dict(inputs=_images(n, size, gen), data_samples=samples)


def yolo_detect_batch(n: int, size: int, num_classes: int, boxes_per_image: int = 5, seed: int = 0) -> dict:
    """A preprocessed Ultralytics detection batch: float images in [0, 1] and normalised xywh boxes.

    Args:
        n (int): Batch size.
        size (int): Square image side.
        num_classes (int): Classes are drawn from ``[0, num_classes)``.
        boxes_per_image (int): Ground-truth boxes per image.
        seed (int): Random seed.

    Returns:
        dict: ``img``, ``batch_idx``, ``cls`` and ``bboxes`` as the trainer's ``preprocess_batch`` leaves them.
    """
    gen = torch.Generator().manual_seed(seed)
    xyxy = torch.cat([_boxes(boxes_per_image, (size, size), gen) for _ in range(n)]) / size
    xywh = torch.cat([(xyxy[:, :2] + xyxy[:, 2:]) / 2, xyxy[:, 2:] - xyxy[:, :2]], dim=1)
    return dict(img=torch.rand(n, 3, size, size, generator=gen),
                batch_idx=torch.arange(n).repeat_interleave(boxes_per_image).float(),
                cls=torch.randint(0, num_classes, (n * boxes_per_image, 1), generator=gen).float(), bboxes=xywh)
