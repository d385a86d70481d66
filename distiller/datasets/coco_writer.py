"""COCO instance annotations (boxes and RLE masks) for rendered canvases."""
import json
from pathlib import Path
from typing import List

import numpy as np
from pycocotools import mask as mask_utils

from .digits import DIGIT_CLASSES, Canvas


def mask_annotation(mask: np.ndarray, label: int, image_id: int, ann_id: int) -> dict:
    """One COCO annotation whose box is the tight box of its mask.

    Args:
        mask (np.ndarray): ``(H, W)`` bool instance mask.
        label (int): Digit class (0-9); the COCO category id is ``label + 1``.
        image_id (int): Id of the image the instance is in.
        ann_id (int): Id of this annotation.

    Returns:
        dict: The annotation with a compressed RLE ``segmentation`` and ``iscrowd=0``.
    """
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    bbox = [float(v) for v in mask_utils.toBbox(rle)]
    return dict(id=ann_id, image_id=image_id, category_id=label + 1, bbox=bbox, area=float(mask_utils.area(rle)),
                iscrowd=0, segmentation=dict(size=[int(s) for s in rle['size']], counts=rle['counts'].decode('ascii')))


class CocoSplitWriter:
    """Collects the images and instances of one split and writes them as one COCO json.

    Image and annotation ids start at 1 and follow the order of :meth:`add`; category ``i + 1`` is digit ``i``.
    """

    def __init__(self) -> None:
        self.images: List[dict] = []
        self.annotations: List[dict] = []

    def add(self, canvas: Canvas, file_name: str) -> None:
        """Add one image and its instances.

        Args:
            canvas (Canvas): The rendered canvas.
            file_name (str): Image file name, relative to the split's image folder.
        """
        image_id = len(self.images) + 1
        height, width = canvas.image.shape[:2]
        self.images.append(dict(id=image_id, file_name=file_name, height=height, width=width))
        for label, mask in zip(canvas.labels, canvas.masks):
            self.annotations.append(mask_annotation(mask, label, image_id, len(self.annotations) + 1))

    def write(self, path: Path) -> None:
        """Write ``images``, ``annotations`` and ``categories`` as mmdet's ``CocoDataset`` reads them.

        Args:
            path (Path): Output json file.
        """
        categories = [dict(id=i + 1, name=name, supercategory='digit') for i, name in enumerate(DIGIT_CLASSES)]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(dict(images=self.images, annotations=self.annotations, categories=categories)))
