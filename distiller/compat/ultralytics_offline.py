"""Keep Ultralytics off the network: no online check, no pip auto-install, no hub events."""
import os
import sys
import warnings


def configure_ultralytics_offline() -> None:
    """Set Ultralytics' offline switches, keeping any value the user exported.

    ``YOLO_OFFLINE=true`` stops the connectivity check and hub events, ``YOLO_AUTOINSTALL=false`` stops
    ``check_requirements`` from running pip. Both are read when ``ultralytics`` is imported, so call this first.
    """
    os.environ.setdefault('YOLO_OFFLINE', 'true')
    os.environ.setdefault('YOLO_AUTOINSTALL', 'false')
    if 'ultralytics' in sys.modules:
        warnings.warn('ultralytics was imported before configure_ultralytics_offline(); its online checks may '
                      'already have run', stacklevel=2)
