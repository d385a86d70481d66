"""Loading configs: the tools' runner config, and model configs given as a local path or ``package::path``."""
import os.path as osp
from typing import Optional

from mmengine.config import Config
from mmengine.utils import get_installed_path, is_installed


def resolve_config_path(path: str) -> str:
    """Turn a config reference into a file path.

    Args:
        path (str): A local file, or a package config such as ``mmdet::retinanet/retinanet_r50_fpn_1x_coco.py``
            (looked up in the installed package's ``.mim/configs``, as mmengine's ``_base_`` does).

    Returns:
        str: The path of an existing config file.

    Raises:
        FileNotFoundError: The file (or the package) does not exist; the message names what was looked for.
    """
    if '::' in path:
        package, relative = path.split('::', 1)
        if not is_installed(package):
            raise FileNotFoundError(f'config {path!r}: package {package!r} is not installed')
        resolved = osp.join(get_installed_path(package), '.mim', 'configs', relative)
    else:
        resolved = osp.expanduser(path)
    if not osp.isfile(resolved):
        raise FileNotFoundError(f'config {path!r} not found (looked for {resolved})')
    return resolved


def load_config(path: str) -> Config:
    """Load a config from a local path or a ``package::path`` reference.

    Args:
        path (str): See :func:`resolve_config_path`.

    Returns:
        Config: The loaded config.
    """
    return Config.fromfile(resolve_config_path(path))


def load_runner_config(config_path: str, cfg_options: Optional[dict] = None, work_dir: Optional[str] = None,
                       launcher: str = 'none') -> Config:
    """Load a config file and apply the command-line overrides shared by the train and test tools.

    Args:
        config_path (str): Path of the config file.
        cfg_options (dict, optional): ``--cfg-options`` key/value pairs merged into the config.
        work_dir (str, optional): ``--work-dir``; the config's own ``work_dir`` or ``./work_dirs/<config name>``
            is used when not given.
        launcher (str): ``--launcher`` (``none`` for a single process).

    Returns:
        Config: The config to build the Runner from.
    """
    cfg = load_config(config_path)
    cfg.launcher = launcher
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(config_path))[0])
    return cfg
