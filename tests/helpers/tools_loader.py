"""Importing a script of ``tools/`` as a module, so tests call its ``main(argv)`` in-process (no interpreter start)."""
import importlib.util
from pathlib import Path
from types import ModuleType

TOOLS = Path(__file__).resolve().parents[2] / 'tools'


def load_tool(name: str) -> ModuleType:
    """The module of ``tools/<name>.py`` (``name`` may contain a folder: ``analysis/compare``).

    Args:
        name (str): Path under ``tools/`` without the ``.py``.

    Returns:
        ModuleType: The loaded module.
    """
    path = TOOLS / f'{name}.py'
    spec = importlib.util.spec_from_file_location(f'tools_{name.replace("/", "_")}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
