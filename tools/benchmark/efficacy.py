"""The distillation efficacy benchmark: what each method buys over the plain student, over several seeds.

Each suite config (``configs/benchmark/efficacy_*.py``) names its distiller configs, one per method; they share a
teacher and a student. For every suite it trains (each with the real tool: ``tools/train.py`` for mmseg/mmdet,
Ultralytics' trainer for YOLO):
1. the teacher, unless the checkpoint the configs name exists with its ``.json`` record (kept for later runs);
2. the plain student and every distilled student, once per seed, with the same schedule;
3. for YOLO suites with ``builtin = dict(dis=...)``, the student distilled by Ultralytics' built-in distillation.

A finished run leaves ``<out>/<suite>/<method>_seed<N>.json`` and is not run again (``--force`` reruns), so an
interrupted benchmark resumes where it stopped. Each run's metric is its last validation's (a validation that
returned nothing, as mmdet's CocoMetric does when no box is predicted, counts as 0). The tables (mean, per-seed
values, spread, delta over the plain student, paired deltas, whether the delta exceeds the seed spread, train time)
go to ``<out>.md`` and ``<out>.json``.

Usage:
    python tools/benchmark/efficacy.py SUITE [SUITE ...] [--seeds 0 1] [--methods CWD MGD] [--jobs 2]
        [--cfg-options k=v ...]

A suite with ``data = dict(root='data/digits_bench', num_val=500)`` generates its own copy of the digits data there
(the training images are the same; the validation split is as large as asked) and points every run at it.
``--jobs N`` trains the students of mm suites N at a time with one thread each (the teacher trains first, alone).
"""
import argparse
import json
import re
import shlex
import shutil
import sys
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from distiller.benchmark.efficacy_table import PLAIN, suite_markdown, summarize_suite
from distiller.benchmark.parallel_runs import Run, RunPool
from distiller.benchmark.runs import (copy_checkpoint, main_metric, mm_iterations, mm_run_result, mm_train_args,
                                      parse_options, run_script, teacher_run, train_mm)
from distiller.benchmark.versions import stack_versions, versions_line
from distiller.datasets import DigitsSpec
from distiller.utils import load_config
from distiller.yolo import is_yolo_config

TOOLS = Path(__file__).resolve().parents[1]
REPO = TOOLS.parent
TRAIN = TOOLS / 'train.py'
BUILTIN = 'Ultralytics built-in'
MM_METRICS = {'SegmentationDistiller': 'mIoU', 'DetectionDistiller': 'coco/bbox_mAP'}
DEFAULT_DATA = 'data/digits'


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments (default: ``sys.argv``).

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('suites', nargs='+', help='suite configs (configs/benchmark/efficacy_*.py)')
    parser.add_argument('--seeds', type=int, nargs='+', help="seeds (default: each suite's `seeds`)")
    parser.add_argument('--methods', nargs='+', help='run only these methods (labels of the suite; plain always runs)')
    parser.add_argument('--cfg-options', nargs='*', default=[],
                        help='key=value overrides of every run: --cfg-options of tools/train.py for mm suites, '
                        'config keys (e.g. train_args.epochs=5) for YOLO suites')
    parser.add_argument('--data-args', default='', help='extra arguments of tools/generate_data.py, one string')
    parser.add_argument('--jobs', type=int, default=1,
                        help='mm suites: student runs at once, one thread each (default: 1, with the default threads)')
    parser.add_argument('--teacher-dir', help="keep teachers here instead of where the configs name them")
    parser.add_argument('--work-dir', default='work_dirs/efficacy', help='run directories')
    parser.add_argument('--out', default='results/efficacy', help='output path without extension; per-run records '
                        'go to <out>/<suite>/')
    parser.add_argument('--force', action='store_true', help='rerun runs that have a record')
    return parser.parse_args(argv)


def slug(label: str) -> str:
    """A file-name form of a method label (``'CWD + KD'`` -> ``'cwd_kd'``)."""
    return re.sub(r'[^a-z0-9]+', '_', label.lower()).strip('_')


class Suite:
    """One family's rows: a teacher, a student and the methods between them.

    Args:
        path (str): The suite config.
        args (argparse.Namespace): Parsed arguments.
    """

    def __init__(self, path: str, args: argparse.Namespace) -> None:
        spec = load_config(path)
        self.name = Path(path).stem
        self.title = spec.get('title', self.name)
        if args.cfg_options:
            # The suite's title names its schedule; say when the command line changed it.
            self.title += f" with {' '.join(args.cfg_options)}"
        self.seeds = list(args.seeds or spec.get('seeds', [0, 1]))
        methods = dict(spec.methods)
        if args.methods:
            unknown = sorted(set(args.methods) - set(methods) - {BUILTIN})
            if unknown:
                raise ValueError(f'{path}: no method {unknown}; the suite has {sorted(methods)}')
            methods = {label: cfg for label, cfg in methods.items() if label in args.methods}
        self.methods = methods
        self.builtin = spec.get('builtin') if not args.methods or BUILTIN in args.methods else None
        self.teacher_train = dict(spec.get('teacher_train', {}))
        self.data = suite_data(path, spec.get('data'))
        self.options = list(spec.get('options', [])) + list(args.cfg_options)
        self.reference = self.config(next(iter(spec.methods.values())))
        self.yolo = is_yolo_config(self.reference)
        if self.data:
            self.options = data_options(self.reference, self.data['root'], self.yolo) + self.options
            if self.yolo:
                self.reference.merge_from_dict(parse_options(self.options))
        self.metric = None if self.yolo else MM_METRICS[self.reference.model.type]
        key = 'teacher' if self.yolo else 'teacher_pretrained'
        teacher = Path(self.reference.model[key])
        self.teacher = (Path(args.teacher_dir) / teacher.name) if args.teacher_dir else REPO / teacher
        self.work = Path(args.work_dir) / self.name
        self.records = Path(args.out) / self.name
        self.force = args.force
        self.fresh = set()  # (label, seed) of the runs trained by this invocation, kept even with --force

    def config(self, path: str):
        """A method's distiller config, with the YOLO overrides merged (mm overrides go to ``tools/train.py``)."""
        cfg = load_config(path)
        if is_yolo_config(cfg):
            cfg.merge_from_dict(parse_options(self.options))
        return cfg

    def generate_data(self, data_args: str) -> None:
        """Generate the suite's data (its own ``data`` root and validation size, else the default digits data)."""
        own = ['--out', self.data['root'], '--num-val', str(self.data['num_val'])] if self.data else []
        run_script([str(TOOLS / 'generate_data.py'), *shlex.split(data_args), *own], REPO, tag='efficacy')

    def record_path(self, label: str, seed: int) -> Path:
        """Where the record of one run goes."""
        return self.records / f'{slug(label)}_seed{seed}.json'

    def kept(self, label: str, seed: int) -> Optional[Dict]:
        """The run's record, if it is one of the suite's data that is not to be redone (``--force`` redoes those of
        earlier invocations); else None."""
        path = self.record_path(label, seed)
        if not path.is_file() or (self.force and (label, seed) not in self.fresh):
            return None
        record = json.loads(path.read_text())
        return record if record.get('data') == (self.data or None) else None

    def save(self, label: str, seed: int, result: Dict) -> Dict:
        """Write and return the record of a finished run."""
        metric = self.metric or main_metric(result['curve'])
        record = dict(method=label, seed=seed, metric=metric, value=result['curve'][-1][1].get(metric, 0.0),
                      train_s=result['train_s'], curve=result['curve'], **({'data': self.data} if self.data else {}))
        path = self.record_path(label, seed)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record, indent=1))
        self.fresh.add((label, seed))
        return record

    def cached(self, label: str, seed: int, train) -> Dict:
        """Run ``train()`` unless this run has a record; return the record."""
        record = self.kept(label, seed)
        if record is not None:
            print(f'[efficacy] {self.name}: {label}, seed {seed}: kept from {self.record_path(label, seed)}',
                  flush=True)
            return record
        return self.save(label, seed, train())

    def mm_run(self, label: str, seed: int) -> Tuple[str, Path, List[str]]:
        """The config, work dir and ``--cfg-options`` of one mm run (the plain student or a method's)."""
        work = self.work / f'{slug(label)}_seed{seed}'
        if label == PLAIN:
            return self.reference.model.student_cfg, work, self.options
        return self.methods[label], work, self.options + [f'model.teacher_pretrained={self.teacher}']

    def train_side_by_side(self, jobs: int) -> None:
        """Train every mm student run without a record, ``jobs`` at a time with one thread each, and save each
        record as its run ends (a stopped pool keeps the finished ones)."""
        runs = []
        for label in [PLAIN, *self.methods]:
            for seed in self.seeds:
                if self.kept(label, seed) is not None:
                    continue
                config, work, options = self.mm_run(label, seed)
                shutil.rmtree(work, ignore_errors=True)
                runs.append(Run(f'{label}, seed {seed}', mm_train_args(TRAIN, config, work, seed, options),
                                work / 'train.log', mm_iterations(config, self.options),
                                'plain' if label == PLAIN else 'distilled',
                                read=lambda seconds, label=label, seed=seed, work=work: self.save(
                                    label, seed, dict(mm_run_result(work), train_s=seconds))))
        if runs:
            RunPool(REPO, jobs, threads=1, tag=f'efficacy {self.name}').run(runs)

    def run(self, jobs: int = 1) -> Dict:
        """Train what has no record yet and summarize.

        Args:
            jobs (int): mm suites: student runs at once (one thread each when more than 1).

        Returns:
            dict: ``title``, ``metric``, ``teacher`` (its record), ``rows`` and ``runs``.
        """
        teacher = teacher_run(self.teacher, self.train_teacher, copy_checkpoint, tag='efficacy', data=self.data or None)
        if jobs > 1 and not self.yolo:
            self.train_side_by_side(jobs)
        # Method by method, each over all seeds: a benchmark stopped half-way leaves whole rows behind.
        runs = [self.cached(PLAIN, seed, lambda: self.train_plain(seed)) for seed in self.seeds]
        for label, path in self.methods.items():
            runs += [self.cached(label, seed, lambda: self.train_distilled(label, path, seed)) for seed in self.seeds]
        if self.builtin:
            runs += [self.cached(BUILTIN, seed, lambda: self.train_builtin(seed)) for seed in self.seeds]
        metric = runs[0]['metric']
        rows = summarize_suite(runs, teacher['curve'][-1][1].get(metric, 0.0))
        return dict(title=self.title, metric=metric, teacher=teacher, rows=rows, runs=runs)

    def train_args(self, seed: int) -> Dict:
        """The YOLO train arguments of this suite at ``seed``."""
        return dict(self.reference.train_args, seed=seed)

    def train_teacher(self) -> Dict:
        """Train the teacher with the first seed (mm: its ``teacher_cfg``; YOLO: ``teacher_train``)."""
        if not self.yolo:
            return train_mm(TRAIN, self.reference.model.teacher_cfg, self.work / 'teacher', self.seeds[0],
                            self.options, tag='efficacy')
        from distiller.yolo.training_runs import train_yolo
        if 'model' not in self.teacher_train:
            raise ValueError(f'{self.name}: the teacher {self.teacher} does not exist and the suite has no '
                             "teacher_train = dict(model='<yaml>', epochs=N) to train it")
        epochs = self.teacher_train.get('epochs', self.reference.train_args.epochs)
        args = dict(self.train_args(self.seeds[0]), epochs=epochs)
        return train_yolo(self.teacher_train['model'], args, self.work / 'teacher')

    def train_plain(self, seed: int) -> Dict:
        """Train the plain student."""
        if not self.yolo:
            return train_mm(TRAIN, *self.mm_run(PLAIN, seed)[:2], seed, self.options, tag='efficacy')
        from distiller.yolo.training_runs import train_yolo
        return train_yolo(self.reference.model.student, self.train_args(seed),
                          self.work / f'{slug(PLAIN)}_seed{seed}')

    def train_distilled(self, label: str, path: str, seed: int) -> Dict:
        """Train the student distilled by one method's config."""
        if not self.yolo:
            config, work, options = self.mm_run(label, seed)
            return train_mm(TRAIN, config, work, seed, options, tag='efficacy')
        work = self.work / f'{slug(label)}_seed{seed}'
        from distiller.registry import YOLO_RUNS
        from distiller.yolo.training_runs import train_yolo
        cfg = self.config(path)
        distiller = YOLO_RUNS.build(dict(cfg.model, teacher=str(self.teacher)))
        return train_yolo(cfg.model.student, dict(cfg.train_args, seed=seed), work, distiller)

    def train_builtin(self, seed: int) -> Dict:
        """Train the student with Ultralytics' built-in distillation (``distill_model``, ``dis``)."""
        from distiller.yolo.training_runs import train_yolo
        args = dict(self.train_args(seed), distill_model=str(self.teacher), dis=float(self.builtin['dis']))
        return train_yolo(self.reference.model.student, args, self.work / f'builtin_seed{seed}')


def data_options(reference, root: str, yolo: bool) -> List[str]:
    """Overrides that point a suite's runs at its own copy of the digits data.

    Args:
        reference: The suite's first distiller config (its data keys are the ones replaced).
        root (str): The data root (``tools/generate_data.py --out``).
        yolo (bool): A YOLO suite (``train_args.data``) rather than an mm one (dataloaders and evaluators).

    Returns:
        list[str]: ``key=value`` overrides.
    """
    old, new = DEFAULT_DATA.rstrip('/') + '/', root.rstrip('/') + '/'

    def moved(key: str, path: str) -> str:
        if not path.startswith(old):
            raise ValueError(f'data: {key}={path!r} does not start with {old!r}, so it cannot be moved to {new!r}')
        return f'{key}={new}{path[len(old):]}'

    if yolo:
        return [moved('train_args.data', reference.train_args.data)]
    options = [f'{split}_dataloader.dataset.data_root={new}' for split in ('train', 'val', 'test')]
    for split in ('val', 'test'):
        ann_file = reference.get(f'{split}_evaluator', {}).get('ann_file')
        if ann_file:
            options.append(moved(f'{split}_evaluator.ann_file', ann_file))
    return options


def suite_data(path: str, data: Optional[Dict]) -> Dict:
    """A suite's ``data`` with its defaults, or ``{}`` when it has none.

    Args:
        path (str): The suite config, for the message.
        data (dict, optional): Its ``data``: ``root`` (required) and ``num_val`` (default: the generator's).

    Returns:
        dict: ``root`` and ``num_val``, or empty.

    Raises:
        ValueError: ``data`` without ``root``, or with other keys.
    """
    if not data:
        return {}
    unknown = sorted(set(data) - {'root', 'num_val'})
    if 'root' not in data or unknown:
        raise ValueError(f"{path}: data takes root (required) and num_val, e.g. dict(root='data/digits_bench', "
                         f'num_val=500); got {sorted(data)}')
    return dict(root=str(data['root']), num_val=int(data.get('num_val', DigitsSpec().num_val)))


def write(results: List[Dict], command: str, out: Path) -> str:
    """Write ``<out>.md`` and ``<out>.json``.

    Args:
        results (list[dict]): :meth:`Suite.run` per suite.
        command (str): The command line, quoted in both files.
        out (Path): Output path without extension.

    Returns:
        str: The markdown.
    """
    sections = [suite_markdown(r['title'], r['metric'], r['rows']) for r in results]
    versions = stack_versions()
    text = f'`{command}`\n\n{versions_line(versions)}\n\n' + '\n'.join(sections)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix('.md').write_text(text)
    out.with_suffix('.json').write_text(json.dumps(dict(command=command, versions=versions, suites=results),
                                                   indent=1))
    return text


def main(argv: Optional[List[str]] = None) -> str:
    """Run the benchmark.

    Args:
        argv (list[str], optional): Arguments (default: ``sys.argv``).

    Returns:
        str: The markdown tables.
    """
    args = parse_args(argv)
    suites = [Suite(path, args) for path in args.suites]
    results = []
    for suite in suites:
        suite.generate_data(args.data_args)
        results.append(suite.run(args.jobs))
        write(results, 'python tools/benchmark/efficacy.py ' + shlex.join(argv if argv is not None else sys.argv[1:]),
              Path(args.out))
    text = (Path(args.out).with_suffix('.md')).read_text()
    print(f'\n{text}\n[efficacy] wrote {args.out}.md and {args.out}.json', flush=True)
    return text


if __name__ == '__main__':
    main()
