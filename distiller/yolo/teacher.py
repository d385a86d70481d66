"""Building the teacher of a YOLO distillation run from a trained checkpoint or a model yaml."""
from pathlib import Path

from torch import nn

from .safe_checkpoint import ultralytics_checkpoint_loading


def load_teacher(source: str, trainer, trust_checkpoint: bool = False) -> nn.Module:
    """Build the teacher: a trained Ultralytics checkpoint (``.pt``, loaded weights-only), or a model yaml (random
    weights; for tests and online distillation) sized for the trainer's dataset.

    Args:
        source (str): Path of a ``.pt`` checkpoint, or a model yaml (``yolov8s.yaml``, a local file).
        trainer: The Ultralytics trainer (its ``get_model`` builds a yaml with the dataset's class count).
        trust_checkpoint (bool): Load the ``.pt`` with Ultralytics' own loader, which runs any code the file
            carries (see :func:`~distiller.yolo.safe_checkpoint.ultralytics_checkpoint_loading`).

    Returns:
        nn.Module: The teacher in float32 on the CPU, with the trainer's ``args`` attached.

    Raises:
        FileNotFoundError: A ``.pt`` path that does not exist.
        UnsafeCheckpointError: The checkpoint holds objects weights-only loading refuses; nothing from it ran.
        ValueError: A source that is neither ``.pt`` nor ``.yaml``/``.yml``, or a teacher of another task or class
            count than the student's data.
    """
    suffix = Path(str(source)).suffix.lower()
    if suffix == '.pt':
        path = Path(source).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f'teacher: checkpoint file not found: {source} (looked for {path.resolve()})')
        from ultralytics.nn.tasks import load_checkpoint
        with ultralytics_checkpoint_loading(trust_checkpoint):
            teacher, _ = load_checkpoint(str(path))
    elif suffix in ('.yaml', '.yml'):
        teacher = trainer.get_model(cfg=str(source), weights=None, verbose=False)
    else:
        raise ValueError(f'teacher: expected a .pt checkpoint or a model .yaml, got {source!r}')
    check_teacher_matches_data(teacher, source, trainer)
    teacher = teacher.float()
    teacher.args = trainer.args
    return teacher


def check_teacher_matches_data(teacher: nn.Module, source: str, trainer) -> None:
    """Refuse a teacher of another task (a detect teacher for a segment student) or another class count than the
    dataset the student trains on: its head outputs could not be compared with the student's.

    Args:
        teacher (nn.Module): The loaded Ultralytics model.
        source (str): Where it came from (for the message).
        trainer: The Ultralytics trainer (``args.task``, ``args.data``, ``data['nc']``).

    Raises:
        ValueError: One line naming the teacher's and the student's task or class count.
    """
    from ultralytics.nn.tasks import guess_model_task
    # The task of the architecture (its head), not the ``task`` its saved train arguments may claim.
    yaml = getattr(teacher, 'yaml', None)
    teacher_task = guess_model_task(yaml if isinstance(yaml, dict) else teacher)
    student_task = trainer.args.task
    if teacher_task != student_task:
        raise ValueError(f'teacher: {source} is a {teacher_task} model but the student is a {student_task} model '
                         f'(data {trainer.args.data}); use a {student_task} teacher')
    teacher_classes = getattr(teacher.model[-1], 'nc', None)
    classes = trainer.data['nc']
    if teacher_classes is not None and teacher_classes != classes:
        raise ValueError(f'teacher: {source} predicts {teacher_classes} classes but the student\'s data '
                         f'{trainer.args.data} has {classes}; use a teacher trained on the same classes')
