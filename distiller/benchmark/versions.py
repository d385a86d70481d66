"""The software a benchmark ran on, recorded beside its results: results from different releases (Ultralytics
changed its built-in distillation within 8.4.x) are not comparable."""
import platform
from importlib import metadata
from typing import Dict

PACKAGES = ('torch', 'mmengine', 'mmcv', 'mmdet', 'mmsegmentation', 'ultralytics')


def stack_versions() -> Dict[str, str]:
    """Python, the machine and the version of every package of the stack (``'missing'`` when not installed).

    Returns:
        dict: Name -> version, plus ``python`` and ``machine``.
    """
    versions = dict(python=platform.python_version(), machine=f'{platform.machine()} {platform.processor()}'.strip())
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = 'missing'
    return versions


def versions_line(versions: Dict[str, str]) -> str:
    """One markdown line naming the stack.

    Args:
        versions (dict): :func:`stack_versions`.

    Returns:
        str: ``'stack: python 3.11.9, torch 2.4.1, ...'``.
    """
    return 'stack: ' + ', '.join(f'{name} {version}' for name, version in versions.items())
