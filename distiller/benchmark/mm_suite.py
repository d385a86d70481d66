"""The steps of an mmengine distiller config (mmdet, mmseg), each as the Runner runs it, for side-by-side timing."""
import copy
from typing import Callable, Dict, Optional, Tuple

import torch
from mmengine.config import Config, ConfigDict
from mmengine.optim import AmpOptimWrapper, OptimWrapper

from ..registry import DISTILLERS
from ..utils import load_config
from .amp import AMP_DTYPES, amp_autocast
from .memory import weight_bytes
from .synthetic import det_batch, seg_batch


class MMStepSuite:
    """Builds a config's distiller at a benchmark image size and exposes one training step per mode.

    Modes (each one step, as :func:`interleaved_times` calls them):

    - ``student``: the student's own ``train_step`` (preprocess, loss, backward, SGD step): plain training.
    - ``teacher_to_hook``: the teacher's forward, no grad, stopped after its last hooked module.
    - ``teacher_full`` / ``teacher_loss``: the teacher's whole forward (head included), and in loss mode.
    - ``naive``: a distillation step that runs the teacher in loss mode, whole (MMRazor's default).
    - ``ours``: the distiller's ``train_step``, as the Runner calls it.

    The teacher gets random weights (``teacher_pretrained`` is dropped: the cost of a step does not depend on the
    weights) and no ``init_weights`` runs, so nothing is downloaded. The data preprocessors' fixed crop ``size`` is
    set to the benchmark size.

    Args:
        cfg (Config): A distiller config (``model.type`` a ``SegmentationDistiller`` / ``DetectionDistiller``).
        img_size (tuple[int, int]): Height and width of the batch images.
        batch_size (int): Images per step.
        device (str): ``cpu`` or ``cuda``.
        amp (str, optional): ``fp16`` or ``bf16``: autocast as ``AmpOptimWrapper`` does (CUDA only).
        teacher_dtype (str, optional): The distiller's ``teacher_dtype`` option.
    """

    def __init__(self, cfg: Config, img_size: Tuple[int, int], batch_size: int, device: str,
                 amp: Optional[str] = None, teacher_dtype: Optional[str] = None) -> None:
        from ..registry import register_all_modules
        register_all_modules(init_default_scope=False)
        model_cfg = copy.deepcopy(cfg.model)
        for key in ('teacher_cfg', 'student_cfg'):
            model_cfg[key] = _sized_model_cfg(model_cfg[key], img_size)
        model_cfg.update(teacher_pretrained=None, calibrate_shape=(2, 3, *img_size))
        if teacher_dtype is not None:
            model_cfg['teacher_dtype'] = teacher_dtype
        torch.manual_seed(0)
        self.distiller = DISTILLERS.build(model_cfg).to(device)
        self.distiller.train()
        self.device = device
        self.amp = amp
        self.teacher_bytes = weight_bytes(self.distiller.teacher)
        self.batch = self._batch(batch_size, img_size)
        self.wrapper = self._wrapper(list(self.distiller.student.parameters())
                                     + list(self.distiller.distill_losses.parameters()))
        self.student_wrapper = self._wrapper(list(self.distiller.student.parameters()))

    def _wrapper(self, params: list) -> OptimWrapper:
        """SGD in an (Amp)OptimWrapper, as the Runner builds it."""
        optimizer = torch.optim.SGD(params, lr=1e-4, momentum=0.9)
        if self.amp is None:
            return OptimWrapper(optimizer)
        return AmpOptimWrapper(optimizer=optimizer, dtype=AMP_DTYPES[self.amp])

    def _batch(self, batch_size: int, img_size: Tuple[int, int]) -> dict:
        """A random batch of the student's task."""
        student = self.distiller.student
        if hasattr(student, 'decode_head'):
            return seg_batch(batch_size, img_size, student.decode_head.num_classes)
        return det_batch(batch_size, img_size, student.bbox_head.num_classes)

    def _autocast(self):
        """Autocast for the modes that run outside an optim wrapper."""
        return amp_autocast(self.amp)

    def modes(self) -> Dict[str, Callable[[], None]]:
        """Mode name -> one step.

        Returns:
            dict: The steps, in the order they are timed.
        """
        distiller = self.distiller
        teacher = distiller.teacher
        data = (distiller.teacher.data_preprocessor if distiller.teacher_own_preprocessing
                else distiller.student.data_preprocessor)(copy.copy(self.batch), True)
        inputs, samples = distiller.teacher_inputs(data['inputs']), data['data_samples']
        recorder = distiller.distill_losses.teacher_recorder

        def teacher_to_hook() -> None:
            with torch.no_grad(), self._autocast(), recorder.recording(stop_early=True):
                recorder.run(teacher, inputs, samples, mode='tensor')

        def teacher_full() -> None:
            with torch.no_grad(), self._autocast():
                teacher(inputs, samples, mode='tensor')

        def teacher_loss() -> None:
            with torch.no_grad(), self._autocast():
                teacher.loss(inputs, samples)

        return dict(student=lambda: distiller.student.train_step(self.batch, self.student_wrapper),
                    teacher_to_hook=teacher_to_hook, teacher_full=teacher_full, teacher_loss=teacher_loss,
                    naive=self._naive_step, ours=lambda: distiller.train_step(self.batch, self.wrapper))

    def _naive_step(self) -> None:
        """One distillation step with the teacher run whole in loss mode (what MMRazor does by default)."""
        distiller = self.distiller
        with self.wrapper.optim_context(distiller):
            batch = distiller.data_preprocessor(self.batch, True)
            student_data = distiller.student.data_preprocessor(batch, True)
            teacher_data = distiller.teacher.data_preprocessor(batch, True) \
                if distiller.teacher_own_preprocessing else student_data
            losses_set = distiller.distill_losses
            with losses_set.recording(teacher_stop_early=False):
                with torch.no_grad():
                    distiller.teacher.loss(distiller.teacher_inputs(teacher_data['inputs']),
                                           teacher_data['data_samples'])
                losses = dict(distiller.student.loss(student_data['inputs'], student_data['data_samples']))
                extra = distiller.distill_inputs(student_data['data_samples'], student_data['inputs'])
                losses.update(losses_set(**{k: extra[k] for k in losses_set.requires if k in extra}))
        parsed, _ = distiller.parse_losses(losses)
        self.wrapper.update_params(parsed)

    def drop_teacher(self) -> None:
        """Free the teacher, for measuring the memory of plain student training in the same setting."""
        self.distiller.distill_losses.teacher_recorder.remove()
        self.distiller.teacher = None
        if self.device.startswith('cuda'):
            torch.cuda.empty_cache()


def _sized_model_cfg(ref, img_size: Tuple[int, int]) -> ConfigDict:
    """The model dict of a config reference, with a fixed data-preprocessor crop ``size`` set to ``img_size``."""
    model = copy.deepcopy(load_config(ref).model if isinstance(ref, str) else ref)
    pre = model.get('data_preprocessor')
    if isinstance(pre, dict) and pre.get('size') is not None:
        pre['size'] = tuple(img_size)
    return model
