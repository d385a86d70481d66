"""Small helpers shared by the tools and the distillers."""
from .config import load_config, load_runner_config, resolve_config_path

__all__ = ['load_config', 'load_runner_config', 'resolve_config_path']
