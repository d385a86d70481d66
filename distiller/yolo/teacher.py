"""Building the teacher of a YOLO distillation run from a trained checkpoint or a model yaml."""
from pathlib import Path

from torch import nn


def load_teacher(source: str, trainer) -> nn.Module:
    """Build the teacher: a trained Ultralytics checkpoint (``.pt``), or a model yaml (random weights; for tests and
    online distillation) sized for the trainer's dataset.

    Args:
        source (str): Path of a ``.pt`` checkpoint, or a model yaml (``yolov8s.yaml``, a local file).
        trainer: The Ultralytics trainer (its ``get_model`` builds a yaml with the dataset's class count).

    Returns:
        nn.Module: The teacher in float32 on the CPU, with the trainer's ``args`` attached.

    Raises:
        FileNotFoundError: A ``.pt`` path that does not exist.
        ValueError: A source that is neither ``.pt`` nor ``.yaml``/``.yml``.
    """
    suffix = Path(str(source)).suffix.lower()
    if suffix == '.pt':
        path = Path(source).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f'teacher: checkpoint file not found: {source} (looked for {path.resolve()})')
        from ultralytics.nn.tasks import load_checkpoint
        teacher, _ = load_checkpoint(str(path))
    elif suffix in ('.yaml', '.yml'):
        teacher = trainer.get_model(cfg=str(source), weights=None, verbose=False)
    else:
        raise ValueError(f'teacher: expected a .pt checkpoint or a model .yaml, got {source!r}')
    teacher = teacher.float()
    teacher.args = trainer.args
    return teacher
