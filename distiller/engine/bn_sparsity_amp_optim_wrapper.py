"""Sparse training under automatic mixed precision."""
from mmengine.optim import AmpOptimWrapper
from mmengine.registry import OPTIM_WRAPPERS

from .bn_sparsity_optim_wrapper import BNSparsityMixin


@OPTIM_WRAPPERS.register_module()
class BNSparsityAmpOptimWrapper(BNSparsityMixin, AmpOptimWrapper):
    """mmengine's ``AmpOptimWrapper`` with the BatchNorm-scale sparsity term; the term is multiplied by the loss
    scale, since the gradients it is added to are still scaled.

    Args:
        optimizer: The optimizer.
        sparsity (float): Weight of ``sum(|gamma|)``.
        **kwargs: The other ``AmpOptimWrapper`` arguments (``loss_scale``, ``dtype``, ...).
    """

    def __init__(self, optimizer, sparsity: float = 1e-4, **kwargs) -> None:
        super().__init__(optimizer, **kwargs)
        if sparsity < 0:
            raise ValueError(f'sparsity: expected a non-negative weight, got {sparsity!r}')
        self.sparsity = float(sparsity)
