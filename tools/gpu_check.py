"""The GPU check: one prepared run for a lent CUDA machine (no network there), and its CPU dry run.

Three modes (``tools/gpu_check.sh`` is the entry point; it picks the interpreter):

``--prepare DIR`` (a CPU machine with network): downloads into DIR the wheels the GPU machine lacks, for its Python
(3.12 by default): mmengine, mmdet, mmsegmentation, ultralytics and their small dependencies, setuptools < 81 (mmcv's
``setup.py`` imports ``pkg_resources``), plus the mmcv sdist, and writes ``DIR/manifest.json``. ``--full`` adds the
common packages a bare machine would lack too (numpy, opencv, matplotlib, scipy, torchvision, ...).

``WHEELS_DIR`` (the CUDA machine): a virtual environment that reuses the machine's torch, the wheels installed from
the folder (``--no-index --no-deps``), mmcv compiled from its sdist (CPU ops only unless ``--cuda-ops``; timed), this
package (editable), the digits data, then the step-time rows of the YOLO and the CSPNeXt segmentation distillers
(fp32, AMP bf16, and fp32 with a ``teacher_dtype='bfloat16'`` teacher) and a short YOLO and a short mm distillation
run. Every step's outcome and wall time go to ``<out>/check.json`` and ``<out>/check.md`` (rewritten after each step,
so an interrupted run still leaves them), each step's output to ``<out>/logs/<step>.log``.

``--dry-run``: the same sequence on the CPU in the current environment, with tiny settings: the environment steps
(venv, wheels, mmcv build, package install) print their commands instead of running; every other command line runs.

Usage:
    bash tools/gpu_check.sh --prepare DIR [--full] [--python-version 3.12] [--dry-run]
    bash tools/gpu_check.sh WHEELS_DIR [--out results/gpu] [--work work_dirs/gpu_check] [--budget-s 480] [--cuda-ops]
    bash tools/gpu_check.sh --dry-run [--out results/gpu_dry_run] [--work DIR]
"""
import argparse
import csv
import hashlib
import json
import math
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Dict, List, Optional

REPO = Path(__file__).resolve().parents[1]
YOLO_CONFIG = 'configs/distillers/yolo/cwd_yolov8s_to_yolov8n_digits.py'
SEG_CONFIG = 'configs/distillers/digits/cwd_cspnext_s_to_tiny_fpn_digits.py'
YOLO_TEACHER_CKPT = 'pretrained_model/yolov8s_digits.pt'
SEG_TEACHER_CKPT = 'pretrained_model/cspnext_s_fpn_digits.pth'

# What --prepare downloads: the packages the GPU machine's image does not hold (its list: mmengine, mmdet,
# mmsegmentation, ultralytics and their small dependencies), pinned as tools/install.sh pins them. polars is the last
# release shipped as one wheel (35 MB; later ones add a 54 MB runtime wheel), which keeps the folder under the 64 MiB
# a lent machine's working tree may carry; Ultralytics' trainer needs it only to read results.csv.
CORE_REQUIREMENTS = [
    'mmengine==0.10.7', 'mmdet==3.3.0', 'mmsegmentation==1.2.2', 'ultralytics==8.4.190', 'ultralytics-thop>=2.2.3',
    'addict', 'yapf', 'platformdirs', 'termcolor', 'terminaltables', 'prettytable', 'wcwidth', 'ftfy', 'pycocotools',
    'shapely', 'polars==1.29.0', 'setuptools>=77.0.3,<81']
# --full adds these: present on the lent machine's image, but not on a bare CUDA machine with torch alone.
# Distribution -> import name; at install time one is skipped when its module is already importable.
BASE_PACKAGES = {
    'numpy': 'numpy', 'pillow': 'PIL', 'opencv-python-headless': 'cv2', 'matplotlib': 'matplotlib',
    'contourpy': 'contourpy', 'cycler': 'cycler', 'fonttools': 'fontTools', 'kiwisolver': 'kiwisolver',
    'pyparsing': 'pyparsing', 'python-dateutil': 'dateutil', 'six': 'six', 'scipy': 'scipy', 'pyyaml': 'yaml',
    'requests': 'requests', 'certifi': 'certifi', 'charset-normalizer': 'charset_normalizer', 'idna': 'idna',
    'urllib3': 'urllib3', 'rich': 'rich', 'markdown-it-py': 'markdown_it', 'mdurl': 'mdurl', 'pygments': 'pygments',
    'psutil': 'psutil', 'tqdm': 'tqdm', 'regex': 'regex', 'packaging': 'packaging', 'ninja': 'ninja',
    'wheel': 'wheel', 'nvidia-ml-py': 'pynvml', 'torchvision': 'torchvision', 'opencv-python': 'cv2'}
DEFAULT_TORCHVISION = 'torchvision==0.26.0'  # the release that pairs with the lent machine's torch 2.11
PLATFORMS = ['manylinux_2_28_x86_64', 'manylinux_2_27_x86_64', 'manylinux_2_24_x86_64', 'manylinux_2_17_x86_64',
             'manylinux2014_x86_64', 'manylinux1_x86_64']
CARRY_LIMIT = 60 * 2**20  # a lent machine takes a 64 MiB working tree; leave room for the repository itself

# The imports and versions of the stack, as tools/install.sh checks it; prints one JSON line.
STACK_CHECK = r'''
import json
import distiller  # first: sets Ultralytics' offline switches before it is imported
import torch, torchvision, mmcv, mmengine, mmdet, mmseg, ultralytics
from mmcv.ops import nms, RoIAlign, get_compiling_cuda_version  # noqa: F401  compiled ops must import
print(json.dumps(dict(torch=torch.__version__, torchvision=torchvision.__version__, mmcv=mmcv.__version__,
                      mmengine=mmengine.__version__, mmdet=mmdet.__version__, mmseg=mmseg.__version__,
                      ultralytics=ultralytics.__version__, mmcv_ops_cuda=get_compiling_cuda_version())))
'''
# The interpreter that runs everything: Python, torch, CUDA, compilers; prints one JSON line.
HOST_CHECK = r'''
import json, os, platform, shutil, subprocess, sys, sysconfig
import torch
info = dict(python=platform.python_version(), executable=sys.executable, torch=torch.__version__,
            torch_cuda=torch.version.cuda, cuda_available=torch.cuda.is_available(), cpu_count=os.cpu_count(),
            python_h=os.path.isfile(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))
if info['cuda_available']:
    props = torch.cuda.get_device_properties(0)
    info.update(gpu=props.name, gpu_memory_gib=round(props.total_memory / 2**30, 1),
                capability='%d.%d' % (props.major, props.minor), gpu_count=torch.cuda.device_count())
for tool in ('gcc', 'g++', 'nvcc', 'ninja'):
    path = shutil.which(tool)
    lines = subprocess.run([path, '--version'], capture_output=True, text=True).stdout.splitlines() if path else []
    info[tool] = next((l for l in lines if 'release' in l), lines[0] if lines else None)
for name in ('torchvision', 'numpy', 'cv2'):
    try:
        info[name] = __import__(name).__version__
    except Exception as error:  # noqa: BLE001  reported, not raised: the install step brings what is missing
        info[name] = f'missing ({type(error).__name__})'
print(json.dumps(info))
'''
FIND_MODULES = r'''
import importlib.util, json, sys
print(json.dumps({m: importlib.util.find_spec(m) is not None for m in sys.argv[1:]}))
'''
DISTRIBUTIONS = r'''
import importlib.metadata as md, json, re
found = {}
for d in md.distributions():  # in sys.path order: the first of a name is the one that imports
    if d.metadata['Name']:
        found.setdefault(re.sub(r'[-_.]+', '-', d.metadata['Name']).lower(), d.version)
print(json.dumps(found))
'''
MMCV_READY = r'''
import sys, mmcv
from mmcv.ops import nms  # noqa: F401
sys.exit(mmcv.__version__ != sys.argv[1])
'''
OK_STATUSES = ('ok', 'cached', 'dry-run')
DEAD_PROXY = 'http://127.0.0.1:9'


def log(message: str) -> None:
    """One progress line, as tools/install.sh prints them."""
    print(f'[gpu-check {time.strftime("%H:%M:%S")}] {message}', flush=True)


def install_sh_settings() -> Dict[str, str]:
    """The mmcv version and compile flags of tools/install.sh, so the two builds cannot drift apart.

    Returns:
        dict: ``version`` and ``cflags``.
    """
    text = (REPO / 'tools' / 'install.sh').read_text()
    version = re.search(r'^MMCV_VERSION=(\S+)', text, re.MULTILINE)
    cflags = re.search(r'^MMCV_CFLAGS="([^"]+)"', text, re.MULTILINE)
    if version is None or cflags is None:
        raise SystemExit('gpu_check: could not read MMCV_VERSION / MMCV_CFLAGS from tools/install.sh')
    return dict(version=version.group(1), cflags=cflags.group(1))


def cxx20_fix(setup_py: Path) -> int:
    """The C++20 fix of tools/install.sh (its ``sed``): mmcv's setup.py hard-codes ``-std=c++14/17``.

    Args:
        setup_py (Path): mmcv's ``setup.py``.

    Returns:
        int: How many flags were raised.
    """
    text, count = re.subn(r'-std=c\+\+(14|17)', '-std=c++20', setup_py.read_text())
    setup_py.write_text(text)
    return count


def wheel_name(path: Path) -> Dict[str, str]:
    """Normalised distribution name and version of a wheel file name.

    Args:
        path (Path): A ``.whl`` file.

    Returns:
        dict: ``name`` and ``version``.
    """
    name, version = path.name.split('-')[:2]
    return dict(name=re.sub(r'[-_.]+', '-', name).lower(), version=version)


def kill_session(sid: int) -> None:
    """Kill every process of the session a step started (ninja puts each compiler in a process group of its own, so
    killing the step's process group alone leaves them running).

    Args:
        sid (int): The session id: the pid of the step's process, started with ``start_new_session=True``.
    """
    for _ in range(5):
        members = []
        for entry in Path('/proc').iterdir():
            try:
                fields = (entry / 'stat').read_text().rsplit(')', 1)[1].split()
            except (OSError, IndexError):
                continue  # not a process, or gone
            if entry.name.isdigit() and int(fields[3]) == sid and fields[0] != 'Z':
                members.append(int(entry.name))
        if not members:
            return
        for pid in members:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.2)


def pretty(command: List[str]) -> str:
    """A command as one shell line."""
    return ' '.join(shlex.quote(str(part)) for part in command)


@dataclass
class Step:
    """One step of the check: what ran, how long, how it ended."""

    name: str
    title: str
    command: str = ''
    status: str = 'pending'
    wall_s: Optional[float] = None
    returncode: Optional[int] = None
    log: Optional[str] = None
    detail: str = ''


@dataclass
class Settings:
    """The sizes of one mode: the GPU run or the tiny CPU dry run."""

    data_args: List[str]
    bench_args: List[str]
    yolo_options: List[str]
    mm_options: List[str]
    mm_amp: bool
    caps: Dict[str, int] = field(default_factory=dict)
    threads: Optional[int] = None


GPU_SETTINGS = Settings(
    # 400 training images: 25 YOLO iterations per epoch at batch 16.
    data_args=['--num-train', '400', '--num-val', '100'],
    # make bench's YOLO row: 128 px, batch 16, 10 rounds after 2 warm-ups; the segmentation distiller likewise.
    bench_args=['--device', 'cuda', '--img-size', '128', '--batch-size', '16', '--repeats', '10', '--warmup', '2',
                '--memory-steps', '3'],
    # 8 epochs x 25 iterations = 200 YOLO iterations; Ultralytics uses AMP on CUDA by default.
    yolo_options=['train_args.epochs=8', 'train_args.imgsz=128', 'train_args.batch=16', 'train_args.workers=8',
                  'train_args.device=0'],
    # 200 iterations at the config's batch 16, validated at the end; AMP (tools/train.py --amp).
    mm_options=['train_cfg.max_iters=200', 'train_cfg.val_interval=200', 'default_hooks.checkpoint.interval=200',
                'train_dataloader.num_workers=4'],
    mm_amp=True,
    caps=dict(host=90, venv=60, wheels=150, mmcv=420, package=120, stack=120, data=90, bench=180, train=240))
DRY_SETTINGS = Settings(
    data_args=['--num-train', '8', '--num-val', '4', '--img-size', '64'],
    # No peak-memory processes (three interpreter starts per call; tests/benchmark/test_step_suites.py covers them).
    bench_args=['--device', 'cpu', '--img-size', '64', '--batch-size', '2', '--repeats', '1', '--warmup', '0',
                '--no-memory', '--threads', '1'],
    yolo_options=['train_args.epochs=1', 'train_args.imgsz=64', 'train_args.batch=4', 'train_args.workers=0',
                  'train_args.device=cpu'],
    # AmpOptimWrapper refuses the CPU: the dry run trains the mm distiller in fp32.
    mm_options=['train_cfg.max_iters=2', 'train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=2',
                'default_hooks.logger.interval=1', 'train_dataloader.num_workers=0', 'train_dataloader.batch_size=2'],
    mm_amp=False,
    caps=dict(host=300, venv=60, wheels=300, mmcv=300, package=300, stack=300, data=300, bench=600, train=600),
    threads=1)


class Check:
    """Runs the steps in order, within a time budget, and keeps ``check.json``/``check.md`` up to date.

    Args:
        args (argparse.Namespace): Parsed arguments.
    """

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.dry = args.dry_run
        self.settings = DRY_SETTINGS if self.dry else GPU_SETTINGS
        if args.allow_cpu:  # the real install on a CPU machine, then the dry run's tiny CPU steps
            self.settings = replace(DRY_SETTINGS, caps={**DRY_SETTINGS.caps, 'mmcv': args.budget_s})
        self.out = Path(args.out).resolve()
        self.logs = self.out / 'logs'
        self.start = time.time()
        self.deadline = self.start + args.budget_s
        self.steps: List[Step] = []
        self.result: dict = dict(mode='dry-run' if self.dry else 'gpu', budget_s=args.budget_s,
                                 started=time.strftime('%Y-%m-%d %H:%M:%S'), wheels=args.wheels, ok=False)
        self.env = dict(os.environ)
        if self.settings.threads:  # the tiny CPU settings: one thread, and no GPU even where there is one
            for var in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
                self.env[var] = str(self.settings.threads)
            self.env['CUDA_VISIBLE_DEVICES'] = ''
        self.env['PYTHONUNBUFFERED'] = '1'
        if not self.dry:
            # The GPU machine has no network. An Ultralytics download (the AMP check fetches yolo26n.pt on CUDA) then
            # fails at once through a dead local proxy, instead of waiting out curl's connect timeouts and retries.
            self.env.update({name: DEAD_PROXY for name in ('http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY')})
        self.host_python = sys.executable
        self.python = sys.executable  # the interpreter of every later step: the venv's once it exists
        self.site: Optional[Path] = None  # --target fallback: the folder on PYTHONPATH instead of a venv

    # ----------------------------------------------------------------------------------------------------- running
    def run(self, name: str, title: str, command: List[str], cap: int, env: Optional[dict] = None,
            on_line: Optional[Callable[[str], None]] = None, skip_in_dry_run: bool = False) -> Step:
        """Run one command as a step: output to ``logs/<name>.log``, killed at its cap or the budget's end.

        Args:
            name (str): Step name (log file, JSON key).
            title (str): What the step does, for the table.
            command (list[str]): The command.
            cap (int): Seconds it may take at most.
            env (dict, optional): Its environment (default: the check's).
            on_line (callable, optional): Called with each output line (progress).
            skip_in_dry_run (bool): Print the command instead of running it in a dry run.

        Returns:
            Step: The recorded step.
        """
        step = self.begin(name, title, pretty(command))
        if self.dry and skip_in_dry_run:
            return self.finish(step, 'dry-run', detail='would run: ' + step.command)
        return self.execute(step, command, cap, env, on_line)

    def begin(self, name: str, title: str, command: str = '') -> Step:
        """Record a step as started."""
        step = Step(name=name, title=title, command=command)
        self.steps.append(step)
        log(f'{name}: {title}')
        return step

    def execute(self, step: Step, command: List[str], cap: int, env: Optional[dict] = None,
                on_line: Optional[Callable[[str], None]] = None) -> Step:
        """Run ``command`` for ``step`` (see :meth:`run`)."""
        timeout = min(cap, self.deadline - time.time())
        if timeout < 10:
            return self.finish(step, 'skipped', detail=f'the {self.args.budget_s} s budget is spent')
        self.logs.mkdir(parents=True, exist_ok=True)
        log_path = self.logs / f'{step.name}.log'
        step.log = str(log_path.relative_to(self.out))
        begin = time.time()
        with open(log_path, 'w') as log_file:
            log_file.write(f'$ {step.command}\n')
            log_file.flush()
            # A session of its own: a timeout kills the whole tree (step_time's memory processes, data workers).
            proc = subprocess.Popen([str(c) for c in command], cwd=str(REPO), env=env or self.env,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors='replace',
                                    start_new_session=True)

            def pump() -> None:
                for line in proc.stdout:
                    log_file.write(line)
                    if on_line is not None:
                        on_line(line)

            reader = threading.Thread(target=pump, daemon=True)
            reader.start()
            try:
                proc.wait(timeout=timeout)
                timed_out = False
            except subprocess.TimeoutExpired:
                kill_session(proc.pid)
                proc.wait()
                timed_out = True
            except BaseException:  # SIGTERM/SIGINT of this script: its own session would outlive it
                kill_session(proc.pid)
                step.status, step.wall_s = 'interrupted', round(time.time() - begin, 1)
                raise
            reader.join(timeout=30)
        step.wall_s = round(time.time() - begin, 1)
        step.returncode = proc.returncode
        if timed_out:
            return self.finish(step, 'timeout', detail=f'killed after {timeout:.0f} s')
        if proc.returncode != 0:
            print(''.join(log_path.read_text().splitlines(keepends=True)[-30:]), flush=True)
            return self.finish(step, 'failed', detail=f'exit {proc.returncode}, see {step.log}')
        return self.finish(step, 'ok')

    def finish(self, step: Step, status: str, detail: str = '') -> Step:
        """Record how a step ended and rewrite the reports."""
        step.status = status
        if detail:
            step.detail = detail
        if step.wall_s is None and status not in ('dry-run', 'skipped'):
            step.wall_s = 0.0
        timing = f' in {step.wall_s:.1f} s' if step.wall_s else ''
        log(f'{step.name}: {status}{timing}' + (f' ({step.detail})' if step.detail and status != 'dry-run' else ''))
        if status == 'dry-run':
            print(f'    {step.detail}', flush=True)
        self.write()
        return step

    def output_json(self, step: Step) -> dict:
        """The last JSON line a step printed."""
        for line in reversed((self.out / step.log).read_text().splitlines()):
            if line.startswith('{'):
                return json.loads(line)
        return {}

    # ------------------------------------------------------------------------------------------------- the steps
    def host(self) -> bool:
        """The interpreter that holds torch: versions, CUDA, compilers."""
        step = self.run('host', 'the machine: Python, torch, CUDA, compilers',
                        [self.host_python, '-c', HOST_CHECK], self.settings.caps['host'])
        if step.status != 'ok':
            return False
        self.result['host'] = info = self.output_json(step)
        step.detail = (f"Python {info['python']}, torch {info['torch']}, "
                       + (f"{info['gpu']} ({info['gpu_memory_gib']} GiB)" if info['cuda_available'] else 'no CUDA')
                       + f", {info['cpu_count']} CPUs")
        if not self.dry and not info['cuda_available'] and not self.args.allow_cpu:
            self.finish(step, 'failed', detail='torch sees no CUDA device: run this on the GPU machine, or use '
                                               '--dry-run on a CPU machine')
            return False
        self.write()
        return True

    def venv(self) -> bool:
        """A venv that sees the machine's torch; the ``--target`` layout where no venv can be made."""
        venv = self.work / 'venv'
        python = venv / 'bin' / 'python'
        create = [self.host_python, '-m', 'venv', '--system-site-packages', '--without-pip', str(venv)]
        step = self.begin('venv', 'virtual environment reusing the machine\'s torch', pretty(create))
        if self.dry:
            self.finish(step, 'dry-run', detail=f'would run: {step.command}, then add the host\'s site-packages '
                                                'to it (a .pth file)')
            return True
        begin = time.time()
        try:
            if not python.exists():
                subprocess.run(create, check=True, capture_output=True, text=True)
            # --system-site-packages gives the *base* interpreter's site-packages: where the machine's python3 is a
            # venv itself (the lent machine's is /opt/torch/.venv), torch would be missing. A .pth file appends the
            # host interpreter's own site folders, after the venv's, so the venv's packages win.
            sites = subprocess.run([self.host_python, '-c', 'import site, json; print(json.dumps('
                                    'site.getsitepackages() + [site.getusersitepackages()]))'],
                                   check=True, capture_output=True, text=True).stdout
            purelib = subprocess.run([str(python), '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
                                     check=True, capture_output=True, text=True).stdout.strip()
            Path(purelib, '_gpu_check_host_site.pth').write_text(''.join(
                f'import site; site.addsitedir({p!r})\n' for p in json.loads(sites) if Path(p).is_dir()))
            subprocess.run([str(python), '-c', 'import torch, pip'], check=True, capture_output=True, text=True)
            self.python = str(python)
            step.wall_s = round(time.time() - begin, 1)
            self.finish(step, 'ok', detail=str(venv))
            return True
        except (subprocess.CalledProcessError, OSError) as error:
            stderr = getattr(error, 'stderr', '') or str(error)
            self.site = self.work / 'site'
            self.site.mkdir(parents=True, exist_ok=True)
            self.env['PYTHONPATH'] = os.pathsep.join([str(self.site), str(REPO)]
                                                     + ([self.env['PYTHONPATH']] if self.env.get('PYTHONPATH') else []))
            step.wall_s = round(time.time() - begin, 1)
            self.finish(step, 'ok', detail=f'no venv ({" ".join(stderr.strip().splitlines()[-1:])}); packages go '
                                           f'to {self.site} on PYTHONPATH')
            return True

    def pip_install(self, items: List[str], *extra: str) -> List[str]:
        """The pip command that installs ``items`` offline into the venv (or the ``--target`` folder)."""
        command = [self.python, '-m', 'pip', 'install', '--disable-pip-version-check', '--no-index', '--no-deps',
                   '--no-compile', *extra]
        if self.site is not None:
            command += ['--upgrade', '--target', str(self.site)]
        return command + items

    def wheels(self) -> bool:
        """Install the folder's wheels that the environment lacks (or holds at another version)."""
        folder = Path(self.args.wheels).resolve() if self.args.wheels else None
        files = sorted(folder.glob('*.whl')) if folder else []
        if not self.dry and not files:
            self.finish(self.begin('wheels', 'wheels from the prepared folder'), 'failed',
                        detail=f'{folder} holds no wheel: make it with --prepare')
            return False
        if self.dry:
            step = self.begin('wheels', 'wheels from the prepared folder (offline, no dependency resolution)',
                              pretty(self.pip_install(['WHEELS_DIR/<wheel>.whl', '...'])))
            self.finish(step, 'dry-run', detail=f'would run: {step.command} for each wheel the environment lacks '
                                                'or holds at another version')
            return True
        installed = json.loads(subprocess.run([self.python, '-c', DISTRIBUTIONS], env=self.env, check=True,
                                              capture_output=True, text=True).stdout)
        present = json.loads(subprocess.run([self.python, '-c', FIND_MODULES, *sorted(set(BASE_PACKAGES.values()))],
                                            env=self.env, check=True, capture_output=True, text=True).stdout)
        chosen, kept = [], []
        for path in files:
            wheel = wheel_name(path)
            base_module = BASE_PACKAGES.get(wheel['name'])
            if installed.get(wheel['name']) == wheel['version'] or (base_module and present.get(base_module)):
                kept.append(wheel['name'])
            else:
                chosen.append(str(path))
        missing = [m for m in ('torchvision', 'numpy', 'cv2', 'yaml', 'PIL', 'matplotlib', 'scipy') if not present[m]
                   and not any(BASE_PACKAGES.get(wheel_name(Path(f))['name']) == m for f in chosen)]
        if missing:
            self.finish(self.begin('wheels', 'wheels from the prepared folder'), 'failed',
                        detail=f'the machine lacks {", ".join(missing)} and {folder} brings no wheel for it: prepare '
                               'the folder with --full')
            return False
        if not chosen:
            self.finish(self.begin('wheels', 'wheels from the prepared folder'), 'cached',
                        detail='every wheel is installed already')
            return True
        step = self.run('wheels', f'{len(chosen)} wheels from the prepared folder (offline, no dependency '
                                  'resolution)', self.pip_install(chosen), self.settings.caps['wheels'])
        step.detail = (f'installed {", ".join(wheel_name(Path(c))["name"] for c in chosen)}'
                       + (f'; already there: {", ".join(kept)}' if kept else ''))
        self.write()
        return step.status == 'ok'

    def mmcv(self) -> bool:
        """mmcv from its sdist, built as tools/install.sh builds it (C++20, ``-g0``); CPU ops unless --cuda-ops."""
        settings = install_sh_settings()
        version, cflags = settings['version'], settings['cflags']
        cuda = self.args.cuda_ops
        jobs = self.env.get('MAX_JOBS') or str(min(len(os.sched_getaffinity(0)), 32))
        # torch builds with ninja (parallel, MAX_JOBS) only when a `ninja` binary is on PATH: the venv's, the host
        # interpreter's folder (pip's ninja package puts it there) or the ninja package's own.
        path = [str(Path(self.python).parent), str(Path(self.host_python).parent)]
        ninja_bin = subprocess.run([self.python, '-c', 'import ninja; print(ninja.BIN_DIR)'], env=self.env,
                                   capture_output=True, text=True).stdout.strip()
        path += [ninja_bin] if ninja_bin else []
        build_env = dict(self.env, MMCV_WITH_OPS='1', FORCE_CUDA='1' if cuda else '0', CFLAGS=cflags, MAX_JOBS=jobs,
                         PATH=os.pathsep.join(path + [self.env.get('PATH', '')]))
        if cuda:
            build_env.setdefault('TORCH_CUDA_ARCH_LIST', '9.0')  # Hopper (H100/H200)
        else:
            # mmcv's setup.py builds the CUDA ops whenever torch sees a GPU, whatever FORCE_CUDA says: hide it.
            build_env['CUDA_VISIBLE_DEVICES'] = ''
        sdist = f'mmcv-{version}.tar.gz'
        build = self.work / 'mmcv_build'
        build_command = [self.python, '-m', 'pip', 'wheel', '-v', '--disable-pip-version-check', '--no-build-isolation',
                         '--no-deps', '--no-index', '-w', str(build / 'dist'), str(build / f'mmcv-{version}')]
        shown = ' '.join(f'{k}={shlex.quote(build_env[k])}' for k in (
            'MMCV_WITH_OPS', 'FORCE_CUDA', 'CUDA_VISIBLE_DEVICES', 'TORCH_CUDA_ARCH_LIST', 'MAX_JOBS')
            if k in build_env)
        display = (f'tar -xzf WHEELS_DIR/{sdist} -C {build}; sed -i -E "s/-std=c\\+\\+(14|17)/-std=c++20/g" '
                   f'{build}/mmcv-{version}/setup.py; {shown} CFLAGS="{cflags}" {pretty(build_command)}')
        title = f'mmcv {version} compiled from its sdist ({"CUDA" if cuda else "CPU"} ops)'
        if self.dry:
            self.finish(self.begin('mmcv', title, display), 'dry-run', detail='would run: ' + display)
            return True
        if subprocess.run([self.python, '-c', MMCV_READY, version], env=self.env, capture_output=True).returncode == 0:
            self.finish(self.begin('mmcv', title, display), 'cached', detail='mmcv with compiled ops is installed')
            return True
        torch_version = self.result['host']['torch'].split('+')[0]
        pytag = 'cp' + ''.join(self.result['host']['python'].split('.')[:2])
        flags_tag = hashlib.sha256(cflags.encode()).hexdigest()[:8]
        cache = self.work / 'mmcv_wheel' / (f'mmcv-{version}-torch{torch_version}-{pytag}-{"cuda" if cuda else "cpu"}'
                                            f'-flags{flags_tag}')
        cached = sorted(cache.glob('mmcv-*.whl'))
        if cached:
            step = self.run('mmcv', title + ', built before on this machine', self.pip_install([str(cached[0])]),
                            self.settings.caps['mmcv'])
            if step.status != 'ok':
                return False
            step.status, step.detail = 'cached', f'installed {cached[0]} (no build)'
            self.write()
            return True
        source = Path(self.args.wheels).resolve() / sdist
        if not source.is_file():
            self.finish(self.begin('mmcv', title, display), 'failed',
                        detail=f'{source} is missing: make the folder with --prepare')
            return False
        shutil.rmtree(build, ignore_errors=True)
        build.mkdir(parents=True)
        with tarfile.open(source) as archive:
            archive.extractall(build)
        raised = cxx20_fix(build / f'mmcv-{version}' / 'setup.py')
        compiled = []

        def progress(line: str) -> None:
            match = re.match(r'\s*\[(\d+)/(\d+)\]', line)
            if match:
                k, n = int(match.group(1)), int(match.group(2))
                compiled.append(n)
                if k == n or k % 10 == 0:
                    log(f'mmcv: compiled {k}/{n}')

        step = self.run('mmcv', title, build_command, self.settings.caps['mmcv'], env=build_env, on_line=progress)
        step.command = display
        self.result['mmcv_build_s'] = step.wall_s
        self.result['mmcv_build'] = dict(seconds=step.wall_s, ops='cuda' if cuda else 'cpu',
                                         jobs=int(build_env['MAX_JOBS']), cxx20_flags_raised=raised,
                                         compiled_files=max(compiled, default=None), cflags=cflags)
        if step.status != 'ok':
            self.write()
            return False
        built = sorted((build / 'dist').glob('mmcv-*.whl'))
        cache.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built[0], cache / built[0].name)
        installed = subprocess.run(self.pip_install([str(built[0])]), env=self.env, capture_output=True, text=True)
        with open(self.out / step.log, 'a') as log_file:
            log_file.write(installed.stdout + installed.stderr)
        if installed.returncode != 0:
            self.finish(step, 'failed', detail=f'installing {built[0].name} failed, see {step.log}')
            return False
        step.detail = (f'{max(compiled)} files compiled with ninja, MAX_JOBS={jobs}, in {step.wall_s:.0f} s'
                       if compiled else f'compiled without ninja (one file at a time) in {step.wall_s:.0f} s')
        self.write()
        return True

    def package(self) -> bool:
        """This package, editable (the venv), or the repository on PYTHONPATH (the ``--target`` fallback)."""
        command = [self.python, '-m', 'pip', 'install', '--disable-pip-version-check', '--no-index', '--no-deps',
                   '--no-build-isolation', '-e', str(REPO)]
        if self.site is not None:
            self.finish(self.begin('package', 'this package'), 'ok', detail=f'{REPO} on PYTHONPATH')
            return True
        step = self.run('package', 'this package, editable', command, self.settings.caps['package'],
                        skip_in_dry_run=True)
        return step.status in OK_STATUSES

    def stack(self) -> bool:
        """Import the whole stack and its compiled mmcv ops."""
        step = self.run('stack', 'imports of the stack (mmcv ops included) and their versions',
                        [self.python, '-c', STACK_CHECK], self.settings.caps['stack'])
        if step.status == 'ok':
            self.result['stack'] = versions = self.output_json(step)
            step.detail = ', '.join(f'{k} {v}' for k, v in versions.items())
            self.write()
        return step.status == 'ok'

    def data(self) -> bool:
        """The digits data, in the work folder."""
        command = [self.python, 'tools/generate_data.py', '--out', str(self.work / 'digits'),
                   *self.settings.data_args]
        step = self.run('data', 'digits data', command, self.settings.caps['data'])
        if step.status == 'ok':
            counts = json.loads((self.work / 'digits' / 'meta.json').read_text())['counts']
            step.detail = ', '.join(f"{n['images']} {split} images" for split, n in counts.items())
            self.write()
        return step.status == 'ok'

    def bench(self, name: str, config: str, teacher_dtype: bool) -> Step:
        """One ``tools/benchmark/step_time.py`` call: fp32 + AMP bf16, or fp32 with a bfloat16 teacher."""
        command = [self.python, 'tools/benchmark/step_time.py', config, *self.settings.bench_args]
        command += ['--amp', '--teacher-dtype', 'bfloat16'] if teacher_dtype else ['--amp', 'bf16']
        if config == YOLO_CONFIG and not (REPO / YOLO_TEACHER_CKPT).is_file():
            command += ['--yolo-teacher', 'yolov8s.yaml']
        command += ['--out', str(self.out / 'step_time')]
        what = 'fp32 student, bfloat16 teacher' if teacher_dtype else 'fp32 and AMP bf16'
        return self.run(name, f'step time of {Path(config).stem}: {what}', command, self.settings.caps['bench'])

    def train_yolo(self) -> Step:
        """A short YOLO distillation run with tools/train.py."""
        teacher = YOLO_TEACHER_CKPT if (REPO / YOLO_TEACHER_CKPT).is_file() else 'yolov8s.yaml'
        work = self.work / 'train_yolo'
        shutil.rmtree(work, ignore_errors=True)
        command = [self.python, 'tools/train.py', YOLO_CONFIG, '--work-dir', str(work), '--cfg-options',
                   f'train_args.data={self.work}/digits/yolo/detect/digits.yaml', *self.settings.yolo_options,
                   f'model.teacher={teacher}']
        step = self.run('train_yolo', f'short YOLO distillation run (teacher {teacher})', command,
                        self.settings.caps['train'])
        if step.status == 'ok':
            try:
                self.result['train_yolo'] = summary = self.yolo_summary(work, step)
                epochs = summary['epochs']
                step.detail = (f"{summary['iterations']} iterations ({epochs} epoch{'s' * (epochs != 1)}), mAP50-95 "
                               f"{summary['mAP50-95']:.3f}, last cwd_loss {summary['cwd_loss']:.4f}")
            except (OSError, LookupError, ValueError) as error:
                step.detail = f'trained, but {work}/results.csv could not be read: {error!r}'
            self.write()
        return step

    def yolo_summary(self, work: Path, step: Step) -> dict:
        """Epochs, iterations and the last metrics of a YOLO run."""
        rows = list(csv.DictReader((work / 'results.csv').read_text().splitlines()))
        last = {k.strip(): v for k, v in rows[-1].items()}
        options = dict(o.split('=', 1) for o in self.settings.yolo_options)
        train_images = json.loads((self.work / 'digits' / 'meta.json').read_text())['counts']['train']['images']
        batch = int(options['train_args.batch'])
        epochs = len(rows)
        return {'epochs': epochs, 'iterations': epochs * math.ceil(train_images / batch), 'batch': batch,
                'mAP50': float(last['metrics/mAP50(B)']), 'mAP50-95': float(last['metrics/mAP50-95(B)']),
                'cwd_loss': float(last['train/cwd_loss']), 'wall_s': step.wall_s}

    def train_mm(self) -> Step:
        """A short mm (CSPNeXt segmentation) distillation run with tools/train.py."""
        teacher = SEG_TEACHER_CKPT if (REPO / SEG_TEACHER_CKPT).is_file() else 'None'
        work = self.work / 'train_mm'
        shutil.rmtree(work, ignore_errors=True)
        loaders = ('train_dataloader', 'val_dataloader', 'test_dataloader')
        command = [self.python, 'tools/train.py', SEG_CONFIG, '--work-dir', str(work)]
        command += ['--amp'] if self.settings.mm_amp else []
        command += ['--cfg-options', *[f'{loader}.dataset.data_root={self.work}/digits/' for loader in loaders],
                    *self.settings.mm_options, f'model.teacher_pretrained={teacher}']
        amp = ', AMP' if self.settings.mm_amp else ''
        step = self.run('train_mm', f'short mm distillation run (CSPNeXt segmentation{amp})', command,
                        self.settings.caps['train'])
        if step.status == 'ok':
            try:
                self.result['train_mm'] = summary = self.mm_summary(work, step)
                step.detail = (f"{summary['iterations']} iterations, mIoU {summary['mIoU']:.2f}, last loss_cwd "
                               f"{summary['loss_cwd']:.4f}")
            except (OSError, LookupError, ValueError) as error:
                step.detail = f'trained, but its scalars.json could not be read: {error!r}'
            self.write()
        return step

    @staticmethod
    def mm_summary(work: Path, step: Step) -> dict:
        """Iterations, the last losses and the validation mIoU of an mm run."""
        scalars = sorted(work.glob('*/vis_data/scalars.json'))[-1]
        records = [json.loads(line) for line in scalars.read_text().splitlines() if line.strip()]
        train = [r for r in records if 'loss' in r]
        val = [r for r in records if 'mIoU' in r]
        last = (work / 'last_checkpoint').read_text().strip()  # .../iter_<N>.pth: the iterations that ran
        return {'iterations': int(re.search(r'iter_(\d+)\.pth$', last).group(1)), 'loss': train[-1]['loss'],
                'loss_cwd': next(v for k, v in train[-1].items() if k.endswith('loss_cwd')),
                'mIoU': val[-1]['mIoU'], 'wall_s': step.wall_s}

    # ------------------------------------------------------------------------------------------------- reports
    def step_time_rows(self) -> List[dict]:
        """The step-time JSONs of this run, reduced to the figures of the table."""
        rows = []
        for path in sorted((self.out / 'step_time').glob('*.json')):
            data = json.loads(path.read_text())
            ratios = data.get('time_ratios', {})
            median = {k: v['median'] for k, v in data.get('summary', {}).items()}
            memory = data.get('memory') or {}
            rows.append({
                'config': data['name'], 'device': data['device'], 'precision': data['precision'],
                'img_size': data['img_size'], 'batch_size': data['batch_size'],
                'ms': {k: round(v * 1000, 3) for k, v in median.items()},
                'ours_over_floor': ratios.get('ours / (student + teacher_to_hook)', {}).get('median'),
                'ours_over_naive': ratios.get('ours / naive', {}).get('median'),
                'peak_mib': {k: round(v / 2**20, 1) for k, v in memory.items()},
                'memory_ratio': (data.get('memory_ratio') or {}).get('ours'), 'file': path.name})
        return rows

    def write(self) -> None:
        """Rewrite ``check.json`` and ``check.md`` from what has run so far."""
        self.out.mkdir(parents=True, exist_ok=True)
        self.result['steps'] = [asdict(s) for s in self.steps]
        self.result['wall_s'] = round(time.time() - self.start, 1)
        self.result['step_time'] = self.step_time_rows()
        (self.out / 'check.json').write_text(json.dumps(self.result, indent=2) + '\n')
        (self.out / 'check.md').write_text(markdown(self.result))

    # ------------------------------------------------------------------------------------------------- main
    def main(self) -> int:
        """Run every step; later steps stop at the first environment step that fails.

        Returns:
            int: 0 when every step ended ok (or cached, or was printed in a dry run), else 1.
        """
        shutil.rmtree(self.out / 'step_time', ignore_errors=True)
        for stale in ('check.json', 'check.md', 'step_time.md'):
            (self.out / stale).unlink(missing_ok=True)
        shutil.rmtree(self.logs, ignore_errors=True)
        temp = None
        if self.args.work:
            self.work = Path(self.args.work).resolve()
        elif self.dry:
            temp = tempfile.TemporaryDirectory(prefix='gpu_check_')
            self.work = Path(temp.name)
        else:
            self.work = REPO / 'work_dirs' / 'gpu_check'
        self.work.mkdir(parents=True, exist_ok=True)
        self.result['work'] = str(self.work)
        log(f'{"dry run on the CPU" if self.dry else "GPU check"}: results in {self.out}, work files in {self.work}, '
            f'budget {self.args.budget_s} s')
        try:
            ready = (self.host() and self.venv() and self.wheels() and self.mmcv() and self.package() and self.stack()
                     and self.data())
            if ready:
                self.bench('bench_yolo', YOLO_CONFIG, teacher_dtype=False)
                self.bench('bench_seg', SEG_CONFIG, teacher_dtype=False)
                self.train_yolo()
                self.train_mm()
                self.bench('bench_yolo_teacher_bf16', YOLO_CONFIG, teacher_dtype=True)
                self.bench('bench_seg_teacher_bf16', SEG_CONFIG, teacher_dtype=True)
            self.result['ok'] = ready and all(s.status in OK_STATUSES for s in self.steps)
        except Exception as error:  # noqa: BLE001  an error of this script: recorded, so the JSON says what happened
            self.steps.append(Step(name='gpu_check', title='this script', status='failed',
                                   detail=f'{type(error).__name__}: {error}'))
            self.result['error'] = traceback.format_exc()
            print(self.result['error'], flush=True)
        finally:
            self.write()
            if temp is not None:
                temp.cleanup()
        log(f'{"all steps ok" if self.result["ok"] else "FAILED (see the table)"} in {time.time() - self.start:.0f} s: '
            f'{self.out / "check.json"}, {self.out / "check.md"}')
        print((self.out / 'check.md').read_text(), flush=True)
        return 0 if self.result['ok'] else 1


def fmt(value, digits: int = 3) -> str:
    """A number for the table, or a dash."""
    return '-' if value is None else f'{value:.{digits}f}'


def markdown(result: dict) -> str:
    """``check.md``: the steps, the step-time rows and the short runs.

    Args:
        result (dict): The content of ``check.json``.

    Returns:
        str: Markdown.
    """
    host = result.get('host', {})
    device = host.get('gpu') or ('CPU' if host else '?')
    lines = [f"# GPU check ({result['mode']})", '',
             f"{result['started']}, {device}, Python {host.get('python', '?')}, torch {host.get('torch', '?')}, "
             f"{host.get('cpu_count', '?')} CPUs; {result['wall_s']:.0f} s in all (budget {result['budget_s']} s); "
             f"{'all steps ok' if result['ok'] else 'not all steps ok'}.", '',
             '| step | what | status | time (s) | detail |', '|---|---|---|---|---|']
    for step in result['steps']:
        detail = step['detail'].replace('|', '\\|')
        if step['status'] == 'dry-run':
            detail = 'printed, not run (dry run)'
        lines.append(f"| {step['name']} | {step['title']} | {step['status']} | "
                     f"{fmt(step['wall_s'], 1)} | {detail} |")
    if result.get('mmcv_build_s') is not None:
        build = result['mmcv_build']
        lines += ['', f"mmcv build: {build['seconds']:.0f} s, {build['ops']} ops, {build['compiled_files']} files, "
                      f"MAX_JOBS={build['jobs']}."]
    rows = result.get('step_time') or []
    if rows:
        lines += ['', '## Step time', '',
                  'Medians; floor = student step + teacher to its last hooked layer; peak memory = '
                  '`max_memory_allocated` on CUDA (resident size on the CPU), one process per mode.', '',
                  '| config | precision | img, batch | student ms | naive ms | ours ms | ours / floor | ours / naive '
                  '| peak MiB student / naive / ours |', '|---|---|---|---|---|---|---|---|---|']
        for row in rows:
            ms, peak = row['ms'], row['peak_mib']
            peaks = ' / '.join(fmt(peak.get(m), 0) for m in ('student', 'naive', 'ours')) if peak else '-'
            lines.append(f"| {row['config']} | {row['precision']} | {row['img_size'][0]}, {row['batch_size']} | "
                         f"{fmt(ms.get('student'), 1)} | {fmt(ms.get('naive'), 1)} | {fmt(ms.get('ours'), 1)} | "
                         f"{fmt(row['ours_over_floor'])} | {fmt(row['ours_over_naive'])} | {peaks} |")
    runs = [(name, result[key]) for name, key in (('YOLO', 'train_yolo'), ('mm', 'train_mm')) if key in result]
    if runs:
        lines += ['', '## Short distillation runs', '', '| run | iterations | metric | wall (s) |', '|---|---|---|---|']
        for name, run in runs:
            metric = (f"mAP50-95 {run['mAP50-95']:.3f}" if 'mAP50-95' in run else f"mIoU {run['mIoU']:.2f}")
            lines.append(f"| {name} | {run['iterations']} | {metric} | {fmt(run['wall_s'], 1)} |")
    return '\n'.join(lines) + '\n'


# ----------------------------------------------------------------------------------------------------------- prepare
def prepare(args: argparse.Namespace) -> int:
    """Download the wheels and the mmcv sdist the GPU machine needs into ``args.prepare``.

    Args:
        args (argparse.Namespace): Parsed arguments.

    Returns:
        int: Exit status.
    """
    folder = Path(args.prepare).resolve()
    target = ['--only-binary=:all:', '--python-version', args.python_version, '--implementation', 'cp']
    for platform_tag in PLATFORMS:
        target += ['--platform', platform_tag]
    pip = [sys.executable, '-m', 'pip', 'download', '--disable-pip-version-check', '--no-deps', '-d', str(folder)]
    requirements = list(CORE_REQUIREMENTS)
    if args.full:
        requirements += [d for d in BASE_PACKAGES if d not in ('opencv-python', 'torchvision')] + [args.torchvision]
    version = install_sh_settings()['version']
    sdist = f'mmcv-{version}.tar.gz'
    cache = Path(os.environ.get('KD_CACHE_DIR') or Path(os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache')
                 / 'kd-distiller') / 'src' / sdist
    commands = [pip + target + requirements]
    if not cache.is_file():
        # As tools/install.sh fetches it: pip reads an sdist's metadata by running its setup.py, which imports torch.
        commands.append(pip + ['--no-binary', ':all:', '--no-build-isolation', f'mmcv=={version}'])
    for command in commands:
        log(('would run: ' if args.dry_run else 'running: ') + pretty(command))
    if cache.is_file() and args.dry_run:
        log(f'would copy {cache} (the sdist tools/install.sh cached) into {folder}')
    if args.dry_run:
        return 0
    folder.mkdir(parents=True, exist_ok=True)
    for command in commands:
        subprocess.run(command, check=True)
    if cache.is_file():
        shutil.copy2(cache, folder / sdist)
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name != 'manifest.json')
    total = sum(p.stat().st_size for p in files)
    manifest = dict(python_version=args.python_version, full=args.full, requirements=requirements, mmcv_sdist=sdist,
                    created=time.strftime('%Y-%m-%d %H:%M:%S'), total_bytes=total,
                    files={p.name: dict(bytes=p.stat().st_size, sha256=hashlib.sha256(p.read_bytes()).hexdigest())
                           for p in files})
    (folder / 'manifest.json').write_text(json.dumps(manifest, indent=2) + '\n')
    log(f'{len(files)} files, {total / 2**20:.1f} MiB in {folder}')
    if total > CARRY_LIMIT and not args.full:
        log(f'warning: over {CARRY_LIMIT / 2**20:.0f} MiB: a lent machine\'s working tree (repository + carried '
            'paths) may hold 64 MiB; remove older versions of a package from the folder')
    return 0


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments (default: ``sys.argv``).

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog='\n'.join(__doc__.split('\n')[2:]))
    parser.add_argument('wheels', nargs='?', help='the folder --prepare filled (the GPU run)')
    parser.add_argument('--prepare', metavar='DIR', help='download the wheels and the mmcv sdist into DIR')
    parser.add_argument('--full', action='store_true', help='--prepare: also the common packages (numpy, opencv, '
                        'matplotlib, scipy, torchvision, ...) a bare CUDA machine lacks')
    parser.add_argument('--python-version', default='3.12', help="--prepare: the GPU machine's Python (%(default)s)")
    parser.add_argument('--torchvision', default=DEFAULT_TORCHVISION,
                        help="--prepare --full: the torchvision matching the machine's torch (%(default)s)")
    parser.add_argument('--dry-run', action='store_true', help='the CPU rehearsal (or, with --prepare, print the '
                        'pip commands only)')
    parser.add_argument('--out', help='results folder (default: results/gpu, dry run: results/gpu_dry_run)')
    parser.add_argument('--work', help='venv, data, mmcv build and runs (default: work_dirs/gpu_check; dry run: a '
                        'temporary folder, removed afterwards)')
    parser.add_argument('--budget-s', type=int, help='steps still pending when this many seconds have passed are '
                        'skipped, a running one is stopped (default: 480, dry run: 900)')
    parser.add_argument('--cuda-ops', action='store_true', help="also compile mmcv's CUDA ops (much longer)")
    parser.add_argument('--allow-cpu', action='store_true', help='for testing this script on a CPU machine: the real '
                        'install (venv, wheels, mmcv build, package), then the dry run\'s tiny CPU steps')
    args = parser.parse_args(argv)
    if args.prepare:
        return args
    if not args.dry_run and not args.wheels:
        parser.error('give the wheels folder (made by --prepare), or --dry-run')
    args.out = args.out or ('results/gpu_dry_run' if args.dry_run else 'results/gpu')
    args.budget_s = args.budget_s or (900 if args.dry_run else 480)
    return args


def terminate(signum: int, frame) -> None:
    """SIGTERM: leave as on Ctrl-C, so the running step is killed and the reports are written."""
    raise KeyboardInterrupt(f'signal {signum}')


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point.

    Args:
        argv (list[str], optional): Arguments (default: ``sys.argv``).

    Returns:
        int: Exit status.
    """
    args = parse_args(argv)
    if args.prepare:
        return prepare(args)
    signal.signal(signal.SIGTERM, terminate)
    return Check(args).main()


if __name__ == '__main__':
    sys.exit(main())
