"""Parameter-free batch normalisation applied to a feature before the loss."""
from torch import Tensor, nn

from ...registry import CONNECTORS


@CONNECTORS.register_module()
class FeatureNorm(nn.Module):
    """BatchNorm without affine parameters, as the YOLOv8 CWD/MGD recipe puts on both the student and the teacher
    side so that features of different scale are compared on one footing.

    Args:
        channels (int): Channels of the feature.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.norm = nn.BatchNorm2d(channels, affine=False)

    def forward(self, x: Tensor) -> Tensor:
        """Normalise one feature map.

        Args:
            x (Tensor): N x C x H x W.

        Returns:
            Tensor: The normalised feature, same shape.
        """
        return self.norm(x)
