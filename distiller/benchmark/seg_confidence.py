"""Where a segmentor puts its probability on the labelled foreground pixels: off background, on its top foreground
class, on the true class, and how often background still wins the argmax."""
from typing import Dict, List

import torch
from torch import Tensor

COLUMNS = ('off_background', 'top_foreground', 'true_class', 'background_argmax')


def foreground_confidence(probs: Tensor, labels: Tensor, background: int = 0,
                          ignore_index: int = 255) -> Dict[str, Tensor]:
    """Per-pixel confidence figures on the foreground pixels of one image.

    Args:
        probs (Tensor): Class probabilities (C, H, W), summing to 1 over C.
        labels (Tensor): Ground-truth class indices (H, W); ``background`` and ``ignore_index`` pixels are skipped.
        background (int): The background class.
        ignore_index (int): The label of unlabelled pixels.

    Returns:
        dict: One 1-D tensor per name of ``COLUMNS``, one value per foreground pixel: the probability off
        background, the largest foreground class probability, the true class's probability, and 1.0 where
        background is the argmax (else 0.0).

    Raises:
        ValueError: ``probs`` is not (C, H, W) over the same H, W as ``labels``, has fewer than 2 classes, or
            ``background`` or a label is not one of its classes.
    """
    if probs.ndim != 3 or labels.shape != probs.shape[1:]:
        raise ValueError(f'foreground_confidence: probabilities (C, H, W) and labels (H, W) of the same H, W '
                         f'expected, got {tuple(probs.shape)} and {tuple(labels.shape)}')
    classes = probs.shape[0]
    if classes < 2 or not 0 <= background < classes:
        raise ValueError(f'foreground_confidence: background={background} must be one of {classes} classes '
                         '(at least 2)')
    mask = (labels != background) & (labels != ignore_index)
    true = labels[mask].long()
    if true.numel() and (true.min() < 0 or true.max() >= classes):
        raise ValueError(f'foreground_confidence: labels {true.min().item()}..{true.max().item()} outside the '
                         f'{classes} classes (ignore_index={ignore_index})')
    pixels = probs[:, mask]
    foreground = torch.cat([pixels[:background], pixels[background + 1:]])
    return dict(off_background=1.0 - pixels[background], top_foreground=foreground.max(dim=0).values,
                true_class=pixels.gather(0, true[None]).squeeze(0),
                background_argmax=(pixels.argmax(dim=0) == background).float())


def mean_confidence(per_image: List[Dict[str, Tensor]]) -> Dict[str, float]:
    """Means over all foreground pixels of several images (each pixel counts once).

    Args:
        per_image (list[dict]): ``foreground_confidence`` results.

    Returns:
        dict: The mean of each column, and ``pixels``, the number of foreground pixels.

    Raises:
        ValueError: No foreground pixel in any image.
    """
    joined = {name: torch.cat([image[name] for image in per_image]) if per_image else torch.empty(0)
              for name in COLUMNS}
    count = joined[COLUMNS[0]].numel()
    if not count:
        raise ValueError('mean_confidence: no foreground pixel in the images')
    return dict({name: float(values.mean()) for name, values in joined.items()}, pixels=count)
