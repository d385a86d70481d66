"""One Ultralytics training run with a trainer class of ours: the shared body of the YOLO config entries."""
from pathlib import Path
from typing import Any, Callable, Dict, Optional


def train_with_trainer(source: str, train_args: Dict[str, Any], trainer_for: Callable[[type], type],
                       save_dir: Optional[str] = None, resume: Optional[str] = None,
                       callbacks: Optional[Dict[str, Callable]] = None):
    """Train ``YOLO(source)`` (or resume ``resume``) with the trainer class ``trainer_for`` derives from the task's.

    Args:
        source (str): Model yaml or checkpoint.
        train_args (dict): Ultralytics train arguments.
        trainer_for (Callable): Task trainer class (``DetectionTrainer`` ...) -> the trainer class to use.
        save_dir (str, optional): Run directory (``weights/best.pt``, ``weights/last.pt``, ``results.csv``).
        resume (str, optional): ``last.pt`` of an interrupted run to continue.
        callbacks (dict, optional): Ultralytics event name -> callback, added to the run (timing, logging).

    Returns:
        The Ultralytics metrics of the final validation of ``best.pt``.

    Raises:
        FileNotFoundError: ``resume`` names no file.
    """
    from ultralytics import YOLO
    args = dict(train_args)
    if save_dir is not None:
        args['save_dir'] = str(save_dir)
    if resume is not None:
        if not Path(resume).is_file():
            raise FileNotFoundError(f'resume: checkpoint not found: {resume}')
        args['resume'] = str(resume)
    model = YOLO(str(resume or source))
    for event, callback in (callbacks or {}).items():
        model.add_callback(event, callback)
    return model.train(trainer=trainer_for(model.task_map[model.task]['trainer']), **args)
