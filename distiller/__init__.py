"""Config-driven knowledge distillation for mmdet, mmseg and Ultralytics YOLO models."""
from .compat import configure_ultralytics_offline, install_safe_checkpoint_loading

__version__ = '0.1.0'

configure_ultralytics_offline()
install_safe_checkpoint_loading()
