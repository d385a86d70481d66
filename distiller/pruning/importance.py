"""The channel-ranking criteria, as Torch-Pruning importance estimators."""
import torch_pruning as tp


def build_importance(criterion: str) -> tp.importance.Importance:
    """The Torch-Pruning importance for a criterion name.

    Args:
        criterion (str): ``'bn_scale'`` (|gamma| of the BatchNorm after each conv, network slimming) or
            ``'magnitude'`` (L2 norm of all weights coupled to a channel, summed over the dependency group).

    Returns:
        tp.importance.Importance: The estimator MetaPruner ranks channel groups with.

    Raises:
        ValueError: Unknown criterion.
    """
    if criterion == 'bn_scale':
        return tp.importance.BNScaleImportance()
    if criterion == 'magnitude':
        return tp.importance.MagnitudeImportance(p=2)
    raise ValueError(f'criterion: unknown pruning criterion {criterion!r}; choose one of bn_scale, magnitude')
