"""One Ultralytics training run with a trainer class of ours: the shared body of the YOLO config entries."""
from pathlib import Path
from typing import Any, Callable, Dict, Optional

from .safe_checkpoint import ultralytics_checkpoint_loading, with_safe_loading


def train_with_trainer(source: str, train_args: Dict[str, Any], trainer_for: Callable[[type], type],
                       save_dir: Optional[str] = None, resume: Optional[str] = None,
                       callbacks: Optional[Dict[str, Callable]] = None, trust_checkpoint: bool = False):
    """Train ``YOLO(source)`` (or resume ``resume``) with the trainer class ``trainer_for`` derives from the task's.

    Every checkpoint of the run (``source``, ``resume``, the teacher, the final ``best.pt``) is loaded weights-only
    (:mod:`~distiller.yolo.safe_checkpoint`) unless ``trust_checkpoint``.

    Args:
        source (str): Model yaml or checkpoint.
        train_args (dict): Ultralytics train arguments.
        trainer_for (Callable): Task trainer class (``DetectionTrainer`` ...) -> the trainer class to use.
        save_dir (str, optional): Run directory (``weights/best.pt``, ``weights/last.pt``, ``results.csv``).
        resume (str, optional): ``last.pt`` of an interrupted run to continue.
        callbacks (dict, optional): Ultralytics event name -> callback, added to the run (timing, logging).
        trust_checkpoint (bool): Load checkpoints with Ultralytics' own loader, which runs any code a file carries.

    Returns:
        The Ultralytics metrics of the final validation of ``best.pt``.

    Raises:
        FileNotFoundError: ``resume`` names no file.
        UnsafeCheckpointError: ``source`` or ``resume`` holds objects weights-only loading refuses; nothing ran.
    """
    from ultralytics import YOLO
    args = dict(train_args)
    if save_dir is not None:
        args['save_dir'] = str(save_dir)
    if resume is not None:
        if not Path(resume).is_file():
            raise FileNotFoundError(f'resume: checkpoint not found: {resume}')
        args['resume'] = str(resume)
    with ultralytics_checkpoint_loading(trust_checkpoint):
        model = YOLO(str(resume or source))
        for event, callback in (callbacks or {}).items():
            model.add_callback(event, callback)
        trainer = with_safe_loading(trainer_for(model.task_map[model.task]['trainer']), trust_checkpoint)
        return model.train(trainer=trainer, **args)
