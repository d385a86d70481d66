"""1x1 convolution from the student's channel count to the teacher's."""
from torch import Tensor, nn

from ...registry import CONNECTORS


@CONNECTORS.register_module()
class ChannelAlign(nn.Module):
    """Map student features to the teacher's channel count with a 1x1 convolution (optionally followed by BN).

    Args:
        student_channels (int): Channels of the student feature.
        teacher_channels (int): Channels of the teacher feature.
        norm (bool): Add a BatchNorm after the convolution.
    """

    def __init__(self, student_channels: int, teacher_channels: int, norm: bool = False) -> None:
        super().__init__()
        self.conv = nn.Conv2d(student_channels, teacher_channels, kernel_size=1, bias=not norm)
        self.norm = nn.BatchNorm2d(teacher_channels) if norm else nn.Identity()

    def forward(self, x: Tensor) -> Tensor:
        """Align one feature map.

        Args:
            x (Tensor): Student feature, N x student_channels x H x W.

        Returns:
            Tensor: N x teacher_channels x H x W.
        """
        return self.norm(self.conv(x))
