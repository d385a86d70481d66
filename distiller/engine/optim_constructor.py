"""An optimizer wrapper constructor that gives the optimizer the student's and the losses' parameters only."""
from mmengine.model import is_model_wrapper
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapper
from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS
from torch import nn


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class DistillerOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """Like mmengine's default constructor (``paramwise_cfg`` included), applied to the distiller's trainable part:
    ``student`` and ``distill_losses`` (connectors, loss-owned layers), plus ``teacher`` for online distillation.

    Parameter names keep their distiller prefix, so ``paramwise_cfg=dict(custom_keys={'student.backbone':
    dict(lr_mult=0.1)})`` works. The frozen teacher never reaches the optimizer.

    Args:
        optim_wrapper_cfg (dict): The ``optim_wrapper`` config.
        paramwise_cfg (dict, optional): As in mmengine.
    """

    def __call__(self, model: nn.Module) -> OptimWrapper:
        """Build the optimizer wrapper.

        Args:
            model (nn.Module): The distiller (possibly wrapped by DDP).

        Returns:
            OptimWrapper: The wrapper whose optimizer holds student + loss parameters.
        """
        distiller = model.module if is_model_wrapper(model) else model
        parts = nn.Module()
        parts.student = distiller.student
        parts.distill_losses = distiller.distill_losses
        if getattr(distiller, 'teacher_trainable', False):
            parts.teacher = distiller.teacher
        return super().__call__(parts)
