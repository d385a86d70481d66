"""Render canvases of real handwritten digits with clutter and noise.

The digits are the 1,797 real 8x8 scans shipped with scikit-learn (``sklearn.datasets.load_digits``). Each canvas gets
a gradient background, clutter that is not a digit (random scribbles and translucent blobs), a few digits upscaled to a
random size and colour, and Gaussian noise. A digit is pasted on top of the earlier ones; a placement that would hide
more than ``1 - min_visible`` of an earlier digit is rejected, so every instance mask stays large and the masks of one
canvas never overlap.
"""
from dataclasses import dataclass
from typing import List, Optional, Tuple

import cv2
import numpy as np

from .clutter import add_clutter, paint_background

DIGIT_CLASSES = ('zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine')
PLACEMENT_TRIES = 20
COLOUR_TRIES = 10
MIN_CONTRAST = 80.0
MIN_DIGIT_AREA = 20


@dataclass(frozen=True)
class CanvasSpec:
    """How one canvas is drawn.

    Args:
        img_size (int): Side of the square canvas in pixels.
        digits_per_image (tuple[int, int]): Inclusive range of the number of digits tried; a digit that finds no
            place within ``PLACEMENT_TRIES`` draws is left out.
        digit_size (tuple[int, int]): Inclusive range of the digit height in pixels.
        min_visible (float): Fraction of an earlier digit that must stay visible when a later one is pasted.
    """

    img_size: int = 128
    digits_per_image: Tuple[int, int] = (2, 5)
    digit_size: Tuple[int, int] = (16, 48)
    min_visible: float = 0.6

    def __post_init__(self) -> None:
        low, high = self.digit_size
        if not 8 <= low <= high <= self.img_size:
            raise ValueError(
                f'digit_size must satisfy 8 <= min <= max <= img_size={self.img_size}, got {self.digit_size}')
        if not 0 <= self.digits_per_image[0] <= self.digits_per_image[1]:
            raise ValueError(f'digits_per_image must satisfy 0 <= min <= max, got {self.digits_per_image}')


@dataclass
class Canvas:
    """A rendered canvas.

    Args:
        image (np.ndarray): ``(H, W, 3)`` uint8 RGB image.
        labels (list[int]): Digit class (0-9) of each instance, in paste order.
        masks (list[np.ndarray]): ``(H, W)`` bool visible mask of each instance; no two overlap.
    """

    image: np.ndarray
    labels: List[int]
    masks: List[np.ndarray]

    def semantic_map(self) -> np.ndarray:
        """Per-pixel class map: 0 is background, ``1 + digit`` a digit pixel.

        Returns:
            np.ndarray: ``(H, W)`` uint8 label map.
        """
        sem = np.zeros(self.image.shape[:2], dtype=np.uint8)
        for label, mask in zip(self.labels, self.masks):
            sem[mask] = label + 1
        return sem


def load_digit_scans() -> Tuple[np.ndarray, np.ndarray]:
    """Load scikit-learn's digit scans.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``(1797, 8, 8)`` float32 intensities in [0, 1] and their int64 classes.
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    return (digits.images / 16.0).astype(np.float32), digits.target.astype(np.int64)


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Perceived brightness of RGB values.

    Args:
        rgb (np.ndarray): Array whose last axis is RGB.

    Returns:
        np.ndarray: Brightness in the range of the input.
    """
    return rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


def scale_scan(scan: np.ndarray, height: int, width: int) -> np.ndarray:
    """Upscale an 8x8 scan to a sharpened alpha matte.

    Args:
        scan (np.ndarray): ``(8, 8)`` intensities in [0, 1].
        height (int): Output height.
        width (int): Output width.

    Returns:
        np.ndarray: ``(height, width)`` float32 alpha in [0, 1]; the digit's mask is ``alpha >= 0.5``.
    """
    upscaled = cv2.resize(scan, (width, height), interpolation=cv2.INTER_LINEAR)
    return np.clip((upscaled - 0.3) / 0.4, 0.0, 1.0)


def pick_colour(image: np.ndarray, mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random colour that stands out from the background under the digit.

    Args:
        image (np.ndarray): Current ``(H, W, 3)`` float32 canvas.
        mask (np.ndarray): ``(H, W)`` bool pixels the digit will cover.
        rng (np.random.Generator): Random source.

    Returns:
        np.ndarray: RGB colour, float32.
    """
    under = float(luminance(image[mask].mean(axis=0)))
    for _ in range(COLOUR_TRIES):
        colour = rng.uniform(0, 255, size=3).astype(np.float32)
        if abs(float(luminance(colour)) - under) >= MIN_CONTRAST:
            return colour
    return np.full(3, 0.0 if under > 127.5 else 255.0, dtype=np.float32)


def place_digit(alpha: np.ndarray, masks: List[np.ndarray], areas: List[int], spec: CanvasSpec,
                rng: np.random.Generator) -> Optional[np.ndarray]:
    """Find a position where the digit leaves every earlier digit at least ``spec.min_visible`` of its full area.

    Args:
        alpha (np.ndarray): ``(h, w)`` alpha matte of the new digit.
        masks (list[np.ndarray]): Visible masks of the digits already on the canvas.
        areas (list[int]): Unoccluded area of each of those digits.
        spec (CanvasSpec): Canvas settings.
        rng (np.random.Generator): Random source.

    Returns:
        np.ndarray, optional: The digit's ``(H, W)`` alpha matte on the canvas, or None when no position was accepted
        within ``PLACEMENT_TRIES`` draws.
    """
    h, w = alpha.shape
    for _ in range(PLACEMENT_TRIES):
        y, x = int(rng.integers(0, spec.img_size - h + 1)), int(rng.integers(0, spec.img_size - w + 1))
        placed = np.zeros((spec.img_size, spec.img_size), dtype=np.float32)
        placed[y:y + h, x:x + w] = alpha
        new = placed >= 0.5
        if all((mask & ~new).sum() >= spec.min_visible * area for mask, area in zip(masks, areas)):
            return placed
    return None


def render_canvas(scans: np.ndarray, targets: np.ndarray, spec: CanvasSpec, rng: np.random.Generator) -> Canvas:
    """Render one canvas with its instance masks.

    Args:
        scans (np.ndarray): ``(N, 8, 8)`` digit scans in [0, 1].
        targets (np.ndarray): ``(N,)`` digit classes.
        spec (CanvasSpec): Canvas settings.
        rng (np.random.Generator): Random source; the canvas is a pure function of its state.

    Returns:
        Canvas: The image and the visible mask and class of every digit.
    """
    image = paint_background(spec.img_size, rng)
    add_clutter(image, rng)
    labels, masks, areas = [], [], []
    for _ in range(int(rng.integers(spec.digits_per_image[0], spec.digits_per_image[1] + 1))):
        index = int(rng.integers(len(scans)))
        height = int(rng.integers(spec.digit_size[0], spec.digit_size[1] + 1))
        width = max(int(round(height * rng.uniform(0.7, 1.0))), 1)
        alpha = scale_scan(scans[index], height, width)
        if (alpha >= 0.5).sum() < MIN_DIGIT_AREA:
            continue
        placed = place_digit(alpha, masks, areas, spec, rng)
        if placed is None:
            continue
        new = placed >= 0.5
        colour = pick_colour(image, new, rng)
        image = image * (1 - placed[..., None]) + colour * placed[..., None]
        masks = [m & ~new for m in masks]
        labels.append(int(targets[index]))
        masks.append(new)
        areas.append(int(new.sum()))
    noisy = image + rng.normal(0, rng.uniform(3, 10), size=image.shape)
    return Canvas(np.clip(noisy.round(), 0, 255).astype(np.uint8), labels, masks)
