"""Backgrounds and distractors of the digits canvases: gradients, random-walk scribbles and translucent blobs."""
import cv2
import numpy as np


def paint_background(size: int, rng: np.random.Generator) -> np.ndarray:
    """A linear gradient between two random colours along a random direction.

    Args:
        size (int): Canvas side.
        rng (np.random.Generator): Random source.

    Returns:
        np.ndarray: ``(size, size, 3)`` float32 image in [0, 255].
    """
    start, end = rng.uniform(0, 255, size=(2, 3)).astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32) / max(size - 1, 1)
    ramp = xs * np.cos(angle) + ys * np.sin(angle)
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    return start + ramp[..., None] * (end - start)


def add_clutter(image: np.ndarray, rng: np.random.Generator) -> None:
    """Draw distractors in place: random-walk scribbles and translucent ellipses.

    Args:
        image (np.ndarray): ``(H, W, 3)`` float32 image, modified in place.
        rng (np.random.Generator): Random source.
    """
    size = image.shape[0]
    for _ in range(int(rng.integers(2, 6))):
        steps = rng.normal(0, size / 8, size=(int(rng.integers(2, 6)), 2))
        points = np.cumsum(np.vstack([rng.uniform(0, size, size=(1, 2)), steps]), axis=0)
        colour = tuple(float(c) for c in rng.uniform(0, 255, size=3))
        cv2.polylines(image, [points.round().astype(np.int32)], False, colour, int(rng.integers(1, 3)), cv2.LINE_8)
    for _ in range(int(rng.integers(1, 4))):
        layer = image.copy()
        centre = tuple(int(c) for c in rng.integers(0, size, size=2))
        axes = tuple(int(a) for a in rng.integers(3, max(size // 8, 4), size=2))
        colour = tuple(float(c) for c in rng.uniform(0, 255, size=3))
        cv2.ellipse(layer, centre, axes, float(rng.uniform(0, 180)), 0, 360, colour, -1, cv2.LINE_8)
        opacity = rng.uniform(0.3, 0.8)
        image[:] = (1 - opacity) * image + opacity * layer
