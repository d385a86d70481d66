"""A student feature run through a sequence of the teacher's own modules (CrossKD's cross-head prediction, SimKD's
reused classifier)."""
from typing import Sequence

from torch import Tensor, nn

from .errors import DistillConfigError
from .module_lookup import get_module


class TeacherPath(nn.Module):
    """Runs a feature through frozen teacher modules, in order: the gradient reaches the feature, never the modules.

    The modules belong to the teacher. They are held in a tuple, outside this module's tree, so they appear neither in
    its parameters (the optimizer never sees them) nor in its state dict (the teacher's weights are saved once). They
    run in whatever mode the teacher is in (eval: running BatchNorm statistics, no dropout), in the teacher's dtype.

    Args:
        teacher (nn.Module): The teacher model.
        names (Sequence[str]): Dotted names of the teacher modules, in the order the feature goes through them.
        config_key (str): Where the path is named in the config, for messages.
    """

    def __init__(self, teacher: nn.Module, names: Sequence[str], config_key: str) -> None:
        super().__init__()
        self.names = tuple(names)
        self._path = tuple(get_module(teacher, name, config_key) for name in self.names)

    @property
    def in_channels(self) -> int:
        """The channels the first module takes: the ``in_channels`` (or dimension 1 of the weight) of the first layer
        in it that states one, so a block that wraps its convolution (Ultralytics' ``Conv``) works too.

        Raises:
            DistillConfigError: No layer of the first module states its input channels.
        """
        for layer in self._path[0].modules():
            channels = getattr(layer, 'in_channels', None)
            weight = getattr(layer, 'weight', None)
            if channels is None and isinstance(weight, Tensor) and weight.dim() > 1:
                channels = weight.shape[1]
            if channels is not None:
                return int(channels)
        raise DistillConfigError(f'teacher_path: cannot tell the input channels of {self.names[0]!r} '
                                 f'({type(self._path[0]).__name__}); start the path at a convolution or linear layer')

    def forward(self, feature: Tensor) -> Tensor:
        """Run ``feature`` through the teacher modules.

        Args:
            feature (Tensor): A student feature at the first module's input width.

        Returns:
            Tensor: The last module's output, in the feature's dtype.
        """
        dtype = feature.dtype
        for module in self._path:
            weight = next(module.parameters(), None)
            if weight is not None and weight.dtype != feature.dtype:  # a half-precision teacher
                feature = feature.to(weight.dtype)
            feature = module(feature)
        return feature.to(dtype)
