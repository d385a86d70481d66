"""Ultralytics is configured to stay offline when the package is imported."""
import os
import subprocess
import sys


def test_package_import_sets_offline_switches() -> None:
    code = ('import os; os.environ.pop("YOLO_OFFLINE", None); os.environ.pop("YOLO_AUTOINSTALL", None); '
            'import distiller, ultralytics.utils as u; '
            'print(os.environ["YOLO_OFFLINE"], os.environ["YOLO_AUTOINSTALL"], u.ONLINE)')
    env = {k: v for k, v in os.environ.items() if not k.startswith('YOLO_')}
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ['true', 'false', 'False']


def test_user_choice_is_kept(monkeypatch) -> None:
    from distiller.compat import configure_ultralytics_offline
    monkeypatch.setenv('YOLO_OFFLINE', 'false')
    configure_ultralytics_offline()
    assert os.environ['YOLO_OFFLINE'] == 'false'
