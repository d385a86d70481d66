"""Sparse training for network slimming: an optimizer wrapper that pushes BatchNorm scales towards zero."""
from contextlib import contextmanager
from typing import Iterator, List, Optional

from mmengine.optim import OptimWrapper
from mmengine.registry import OPTIM_WRAPPERS
from torch import nn

from ..pruning.sparsity import add_bn_sparsity_grad, bn_weights


class BNSparsityMixin:
    """Adds ``sparsity * sign(gamma)`` to the gradient of every trained BatchNorm scale before each step.

    The scales are those of the model the wrapper's ``optim_context`` sees (the Runner's model, a distiller's
    student included) that the optimizer trains, so a frozen teacher is left alone.
    """

    sparsity: float = 0.0
    _bn_weights: Optional[List[nn.Parameter]] = None

    @contextmanager
    def optim_context(self, model: nn.Module) -> Iterator[None]:
        """The parent's context; the first call also records the model's trained BatchNorm scales.

        Args:
            model (nn.Module): The model being trained.
        """
        if self._bn_weights is None:
            params = [p for group in self.optimizer.param_groups for p in group['params']]
            self._bn_weights = bn_weights(model, among=params)
        with super().optim_context(model):
            yield

    def step(self, **kwargs) -> None:
        """Add the sparsity subgradient (times the current loss scale under AMP), then step as the parent does.

        Args:
            **kwargs: Passed to the parent's ``step``.
        """
        if self.sparsity and self._bn_weights:
            scaler = getattr(self, 'loss_scaler', None)
            scale = float(scaler.get_scale()) if scaler is not None else 1.0
            add_bn_sparsity_grad(self._bn_weights, self.sparsity * scale)
        super().step(**kwargs)


@OPTIM_WRAPPERS.register_module()
class BNSparsityOptimWrapper(BNSparsityMixin, OptimWrapper):
    """mmengine's ``OptimWrapper`` with the L1 sparsity term of network slimming on BatchNorm scales.

    ``optim_wrapper = dict(type='BNSparsityOptimWrapper', sparsity=1e-4, optimizer=dict(type='SGD', lr=0.01))``;
    after training, ``tools/prune.py --criterion bn_scale`` removes the channels whose scales went to zero.

    Args:
        optimizer: The optimizer.
        sparsity (float): Weight of ``sum(|gamma|)``; 1e-4 to 1e-3 is the usual range.
        **kwargs: The other ``OptimWrapper`` arguments (``accumulative_counts``, ``clip_grad``).
    """

    def __init__(self, optimizer, sparsity: float = 1e-4, **kwargs) -> None:
        super().__init__(optimizer, **kwargs)
        if sparsity < 0:
            raise ValueError(f'sparsity: expected a non-negative weight, got {sparsity!r}')
        self.sparsity = float(sparsity)
