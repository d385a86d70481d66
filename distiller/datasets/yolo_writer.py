"""Ultralytics YOLO labels (detect, segment, pose) and dataset yamls for rendered canvases.

Ultralytics finds an image's label file by replacing the last ``/images/`` of its path with ``/labels/``, so every task
gets its own root ``yolo/<task>/`` with ``images/<split>`` (hard links to the shared images) and ``labels/<split>``.
The yaml sits in that root and has no ``path`` key, which makes Ultralytics resolve ``train``/``val`` against the yaml's
own folder: the dataset can be moved or copied as a whole.
"""
from typing import Callable, Dict, List

import cv2
import numpy as np

from .digits import DIGIT_CLASSES

YOLO_TASKS = ('detect', 'segment', 'pose')
YAML_NAMES = {'detect': 'digits.yaml', 'segment': 'digits-seg.yaml', 'pose': 'digits-pose.yaml'}
# Keypoints: box corners clockwise from top-left, then the centre; a horizontal flip swaps left and right corners.
KEYPOINT_NAMES = ('top_left', 'top_right', 'bottom_right', 'bottom_left', 'centre')
FLIP_IDX = (1, 0, 3, 2, 4)
KEYPOINT_VISIBLE = 2


def tight_box(mask: np.ndarray) -> np.ndarray:
    """Tight box of a mask in pixel-edge coordinates.

    Args:
        mask (np.ndarray): ``(H, W)`` bool mask with at least one pixel set.

    Returns:
        np.ndarray: ``[x1, y1, x2, y2]`` float, ``x2 - x1`` being the width in pixels.
    """
    ys, xs = np.nonzero(mask)
    return np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=np.float64)


def _numbers(values: np.ndarray) -> str:
    return ' '.join(f'{v:.6f}' for v in values)


def detect_line(mask: np.ndarray, label: int) -> str:
    """``class cx cy w h``, normalised by the image size.

    Args:
        mask (np.ndarray): ``(H, W)`` bool instance mask.
        label (int): Class index.

    Returns:
        str: One label line.
    """
    height, width = mask.shape
    x1, y1, x2, y2 = tight_box(mask)
    box = np.array([(x1 + x2) / 2 / width, (y1 + y2) / 2 / height, (x2 - x1) / width, (y2 - y1) / height])
    return f'{label} {_numbers(box)}'


def segment_line(mask: np.ndarray, label: int) -> str:
    """``class x1 y1 x2 y2 ...``: the outer contour of the mask's largest part, normalised.

    Args:
        mask (np.ndarray): ``(H, W)`` bool instance mask.
        label (int): Class index.

    Returns:
        str: One label line (holes and smaller parts of an occluded digit are not described).
    """
    height, width = mask.shape
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    polygon = max(contours, key=cv2.contourArea).reshape(-1, 2) / np.array([width, height], dtype=np.float64)
    return f'{label} {_numbers(polygon.reshape(-1))}'


def pose_line(mask: np.ndarray, label: int) -> str:
    """``class cx cy w h`` followed by the five keypoints ``x y visibility``, normalised.

    Args:
        mask (np.ndarray): ``(H, W)`` bool instance mask.
        label (int): Class index.

    Returns:
        str: One label line.
    """
    height, width = mask.shape
    x1, y1, x2, y2 = tight_box(mask)
    points = np.array([[x1, y1], [x2, y1], [x2, y2], [x1, y2], [(x1 + x2) / 2, (y1 + y2) / 2]])
    points /= np.array([width, height])
    keypoints = np.hstack([points, np.full((len(points), 1), KEYPOINT_VISIBLE)])
    return f'{detect_line(mask, label)} {_numbers(keypoints.reshape(-1))}'


LINE_WRITERS: Dict[str, Callable[[np.ndarray, int], str]] = {
    'detect': detect_line, 'segment': segment_line, 'pose': pose_line}


def label_text(task: str, masks: List[np.ndarray], labels: List[int]) -> str:
    """The label file of one image for one task.

    Args:
        task (str): ``detect``, ``segment`` or ``pose``.
        masks (list[np.ndarray]): Instance masks.
        labels (list[int]): Class of each instance.

    Returns:
        str: One line per instance (empty for an image without digits).
    """
    return ''.join(LINE_WRITERS[task](mask, label) + '\n' for mask, label in zip(masks, labels))


def dataset_yaml(task: str) -> str:
    """The Ultralytics dataset yaml of one task.

    Args:
        task (str): ``detect``, ``segment`` or ``pose``.

    Returns:
        str: Yaml text; ``train``/``val`` are relative to the yaml's folder.
    """
    lines = [f'# Digits dataset ({task}), written by tools/generate_data.py. No `path` key: Ultralytics resolves',
             '# train/val against this file\'s folder. Digits are not mirror-symmetric: train with fliplr=0.0.',
             'train: images/train', 'val: images/val', 'names:']
    lines += [f'  {i}: {name}' for i, name in enumerate(DIGIT_CLASSES)]
    if task == 'pose':
        lines += [f'kpt_shape: [{len(KEYPOINT_NAMES)}, 3]  # {", ".join(KEYPOINT_NAMES)}',
                  f'flip_idx: [{", ".join(str(i) for i in FLIP_IDX)}]']
    return '\n'.join(lines) + '\n'
