"""What a pruning run is asked to do, checked before any model is touched."""
from dataclasses import dataclass
from typing import List, Optional

CRITERIA = ('bn_scale', 'magnitude')


@dataclass
class PruneSettings:
    """Structured (channel) pruning settings.

    Args:
        ratio (float): Fraction of the channels of each prunable group to remove (global pruning: of all of them),
            strictly between 0 and 1.
        criterion (str): ``'bn_scale'`` ranks channels by the absolute BatchNorm scale (network slimming, use after
            sparse training); ``'magnitude'`` by the L2 norm of the weights coupled to the channel.
        global_pruning (bool): Rank all channels of the model together instead of pruning every layer by ``ratio``.
        keep (list[str], optional): Dotted names of modules whose output channels are never pruned (their inputs
            follow the layers before them). None keeps the model family's heads (see :func:`default_keep`).
        round_to (int, optional): Keep channel counts multiples of this.
        max_layer_ratio (float): Global pruning never removes more than this fraction of one layer's channels.
    """

    ratio: float = 0.3
    criterion: str = 'bn_scale'
    global_pruning: bool = False
    keep: Optional[List[str]] = None
    round_to: Optional[int] = None
    max_layer_ratio: float = 0.9

    def __post_init__(self) -> None:
        if isinstance(self.ratio, bool) or not isinstance(self.ratio, (int, float)) or not 0 < self.ratio < 1:
            raise ValueError(f'ratio: expected a fraction of channels strictly between 0 and 1, got {self.ratio!r}')
        if self.criterion not in CRITERIA:
            raise ValueError(f'criterion: unknown pruning criterion {self.criterion!r}; choose one of '
                             f'{", ".join(CRITERIA)}')
        if not 0 < self.max_layer_ratio < 1:
            raise ValueError(f'max_layer_ratio: expected a value strictly between 0 and 1, '
                             f'got {self.max_layer_ratio!r}')
        if self.round_to is not None and (not isinstance(self.round_to, int) or self.round_to < 1):
            raise ValueError(f'round_to: expected a positive integer, got {self.round_to!r}')

    def summary(self) -> dict:
        """Plain-data record of these settings, stored in the pruned checkpoint.

        Returns:
            dict: Ratio, criterion, global flag, kept modules and rounding.
        """
        return dict(ratio=float(self.ratio), criterion=self.criterion, global_pruning=bool(self.global_pruning),
                    keep=list(self.keep or []), round_to=self.round_to)
