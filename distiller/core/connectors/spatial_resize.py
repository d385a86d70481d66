"""Resizing a feature map to the spatial size of its counterpart."""
import torch.nn.functional as F
from torch import Tensor, nn

from ...registry import CONNECTORS


@CONNECTORS.register_module()
class SpatialResize(nn.Module):
    """Resize a feature map to the H x W of a reference feature (the other side's), at every step, so that
    multi-scale training with changing input sizes keeps working.

    Args:
        mode (str): Interpolation mode of :func:`torch.nn.functional.interpolate`.
    """

    def __init__(self, mode: str = 'bilinear') -> None:
        super().__init__()
        self.mode = mode

    def forward(self, x: Tensor, reference: Tensor) -> Tensor:
        """Resize ``x`` to ``reference``'s spatial size.

        Args:
            x (Tensor): N x C x h x w.
            reference (Tensor): N x C' x H x W.

        Returns:
            Tensor: N x C x H x W (``x`` itself when the sizes already agree).
        """
        if x.shape[-2:] == reference.shape[-2:]:
            return x
        align = False if self.mode in ('bilinear', 'bicubic', 'linear', 'trilinear') else None
        return F.interpolate(x, size=reference.shape[-2:], mode=self.mode, align_corners=align)
