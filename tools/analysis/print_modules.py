"""List the teacher's and the student's modules with their output shapes and propose ``distill_cfg`` pairs.

    python tools/analysis/print_modules.py CONFIG [--input-shape 1 3 128 128] [--depth N] [--filter REGEX]
        [--teacher-yaml yolov8s.yaml]

Both families of distiller configs are served. mmdet/mmseg: the two models are built from ``cfg.model.teacher_cfg`` /
``student_cfg`` by :func:`distiller.models.build_model` and run with ``mode='tensor'``. YOLO (``runner_type =
'YOLORunner'``): from ``model.teacher`` / ``model.student`` (a ``.pt`` checkpoint, loaded weights-only, or a model
yaml; a teacher ``.pt`` that is not on disk needs ``--teacher-yaml``); module names are ``model.<i>``. The
distiller itself is not built (a broken ``distill_cfg`` does not stop the tool), no weights are loaded or downloaded
(only shapes matter), and each model runs once in eval mode on a blank batch while a
:class:`~distiller.core.FeatureRecorder` records every module's output.

Pairing heuristic (kept simple on purpose):

1. A candidate pair is a module name present in both models whose output is a 4-D tensor or a tuple/list of 4-D
   tensors of the same length in both models.
2. Candidates are ranked: logits first (names ending in ``conv_seg``, ``_cls`` or ``conv_cls``), then the ``neck``
   (mm) or the layers the Detect head reads (YOLO), then the rest, shallower names (fewer dots) first and then in the
   student's module order; modules whose spatial sizes differ between the models or that are called several times
   (shared heads run once per FPN level) come last. ``--depth`` / ``--filter`` limit the printed list too. Only the
   first ``--top`` listed candidates called once go into the printed ``distill_cfg`` snippet.
3. The snippet uses ``ChannelWiseDivergence`` when both sides have the same channels (logits) and ``MimicLoss``
   otherwise (the default ``align='auto'`` adds a 1x1 conv connector for the channel mismatch); it is a starting
   point to edit, not a tuned recipe.
"""
import argparse
import pprint
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

import torch
from mmengine.config import Config
from torch import nn

from distiller.core import FeatureRecorder, HookSpec
from distiller.registry import DISTILLERS, register_all_modules

LOGIT_PATTERN = re.compile(r'(conv_seg|_cls|conv_cls)$')


@dataclass
class ModuleRecord:
    """What the dry forward saw of one module.

    Attributes:
        name (str): Dotted module name (``backbone.layer4``).
        type_name (str): Class name of the module.
        shapes (list): Output shape(s) of the first call: one tuple per tensor, ``None`` for a non-tensor output.
        is_sequence (bool): Whether the output was a tuple/list.
        calls (int): How many times the module was called.
    """

    name: str
    type_name: str
    shapes: List[Optional[Tuple[int, ...]]] = field(default_factory=list)
    is_sequence: bool = False
    calls: int = 0


@dataclass
class ModelPair:
    """The two built models of a config and how to run them.

    Attributes:
        teacher (nn.Module): The teacher, in eval mode.
        student (nn.Module): The student, in eval mode.
        forward (Callable): ``forward(model, inputs)`` runs one model on a blank batch.
        family (str): ``mmdet``, ``mmseg`` or ``ultralytics``, for the table titles.
        preferred (set): Module names ranked right after the logits (``neck``; YOLO's head input layers).
    """

    teacher: nn.Module
    student: nn.Module
    forward: Callable[[nn.Module, torch.Tensor], Any]
    family: str
    preferred: Set[str]


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (Sequence[str], optional): Arguments; ``sys.argv[1:]`` when None.

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='distiller config file (mmdet, mmseg or YOLO)')
    parser.add_argument('--input-shape', type=int, nargs=4, default=[1, 3, 128, 128], metavar=('N', 'C', 'H', 'W'),
                        help='shape of the blank dry-run input (default: 1 3 128 128)')
    parser.add_argument('--depth', type=int, default=None,
                        help='only list modules whose name has at most DEPTH parts (dots + 1)')
    parser.add_argument('--filter', default=None, help='only list modules whose name matches this regex')
    parser.add_argument('--top', type=int, default=3, help='number of proposed pairs put in the distill_cfg snippet')
    parser.add_argument('--teacher-yaml', default=None,
                        help='YOLO: model yaml to build the teacher from when its .pt checkpoint is not on disk')
    return parser.parse_args(argv)


def yolo_teacher_source(cfg: Config, teacher_yaml: Optional[str]) -> str:
    """Where a YOLO teacher is built from: ``model.teacher`` when it is a yaml or an existing ``.pt``, else
    ``--teacher-yaml``.

    Args:
        cfg (Config): The YOLO distiller config.
        teacher_yaml (str, optional): The ``--teacher-yaml`` argument.

    Returns:
        str: A checkpoint or model yaml path.

    Raises:
        SystemExit: The teacher is a ``.pt`` that is not on disk and no ``--teacher-yaml`` was given.
    """
    teacher = str(cfg.model['teacher'])
    if Path(teacher).suffix.lower() != '.pt' or Path(teacher).expanduser().is_file():
        return teacher
    if teacher_yaml:
        print(f'model.teacher: {teacher} not found; building the teacher from {teacher_yaml}')
        return teacher_yaml
    raise SystemExit(f'model.teacher: checkpoint file not found: {teacher}; pass --teacher-yaml (e.g. '
                     'yolov8s.yaml) to build the teacher from its model yaml')


def build_models(cfg: Config, teacher_yaml: Optional[str] = None) -> ModelPair:
    """Build the teacher and the student of a distiller config with the package's own builders.

    Args:
        cfg (Config): The distiller config.
        teacher_yaml (str, optional): YOLO: model yaml for a teacher whose ``.pt`` is not on disk.

    Returns:
        ModelPair: Both models in eval mode and how to run them.
    """
    from distiller.yolo import head_input_layers, is_yolo_config
    if is_yolo_config(cfg):
        from distiller.yolo.pruning import load_yolo_model
        trust = bool(cfg.model.get('trust_checkpoint', False))
        teacher = load_yolo_model(yolo_teacher_source(cfg, teacher_yaml), trust_checkpoint=trust).eval()
        student = load_yolo_model(cfg.model['student'], trust_checkpoint=trust).eval()
        heads = {f'model.{i}' for i in head_input_layers(student, 'student')}
        return ModelPair(teacher, student, lambda model, inputs: model(inputs), 'ultralytics', heads)
    from distiller.models import build_model
    scope = getattr(DISTILLERS.get(cfg.model['type']), 'scope', '')
    if not scope:
        raise SystemExit(f'model.type: {cfg.model["type"]!r} is not a registered mmdet/mmseg distiller')
    teacher, student = (build_model(cfg.model[key], scope, key).eval() for key in ('teacher_cfg', 'student_cfg'))

    def forward(model: nn.Module, inputs: torch.Tensor) -> Any:
        return model(inputs, blank_samples(scope, inputs.shape), mode='tensor')

    return ModelPair(teacher, student, forward, scope, {'neck'})


def blank_samples(scope: str, shape: Sequence[int]) -> list:
    """Data samples of a blank batch, with the metainfo ``BaseDistiller.dummy_data_samples`` gives its dry run
    (two-stage detectors read it).

    Args:
        scope (str): ``mmdet`` (``DetDataSample``) or ``mmseg`` (``SegDataSample``).
        shape (Sequence[int]): N, C, H, W of the batch.

    Returns:
        list: One data sample per image.
    """
    if scope == 'mmdet':
        from mmdet.structures import DetDataSample as Sample
    else:
        from mmseg.structures import SegDataSample as Sample
    size = tuple(shape[-2:])
    meta = dict(img_shape=size, ori_shape=size, pad_shape=size, batch_input_shape=size, scale_factor=(1.0, 1.0))
    return [Sample(metainfo=meta) for _ in range(shape[0])]


def record_outputs(model: nn.Module, run: Callable[[], Any]) -> Dict[str, ModuleRecord]:
    """Run one forward with a :class:`FeatureRecorder` on every named submodule and keep the output shapes.

    Args:
        model (nn.Module): The model (eval mode).
        run (Callable): Runs the forward (no arguments).

    Returns:
        dict[str, ModuleRecord]: Records by module name, in registration order (modules never called have
        ``calls == 0``).
    """
    records = {name: ModuleRecord(name, type(module).__name__) for name, module in model.named_modules() if name}
    specs = [HookSpec(name) for name in records]
    recorder = FeatureRecorder(model, specs)
    recorder.clone_keys = {spec.key for spec in specs}  # copies: an in-place activation after a module is harmless
    try:
        with torch.no_grad(), recorder.recording():
            run()
            for spec in specs:
                try:
                    calls = recorder.get(spec)
                except RuntimeError:  # never called
                    continue
                record = records[spec.module]
                record.calls = len(calls)
                record.is_sequence = isinstance(calls[0], (tuple, list))
                outputs = calls[0] if record.is_sequence else [calls[0]]
                record.shapes = [tuple(o.shape) if isinstance(o, torch.Tensor) else None for o in outputs]
    finally:
        recorder.remove()
    return records


def format_shapes(record: ModuleRecord) -> str:
    """Human-readable output shape(s) of a record.

    Args:
        record (ModuleRecord): The record.

    Returns:
        str: e.g. ``1x512x8x8`` or ``tuple x5: 1x256x8x8, ...``; ``-`` when not called.
    """
    if not record.calls:
        return '-'
    parts = ['x'.join(map(str, s)) if s is not None else 'non-tensor' for s in record.shapes]
    return f'tuple x{len(parts)}: ' + ', '.join(parts) if record.is_sequence else parts[0]


def select(records: Dict[str, ModuleRecord], depth: Optional[int], pattern: Optional[str]) -> List[ModuleRecord]:
    """Records kept by ``--depth`` and ``--filter``.

    Args:
        records (dict): Records by name.
        depth (int, optional): Maximum number of name parts.
        pattern (str, optional): Regex searched in the name.

    Returns:
        list[ModuleRecord]: The kept records, in order.
    """
    regex = re.compile(pattern) if pattern else None
    return [r for r in records.values()
            if (depth is None or r.name.count('.') + 1 <= depth) and (regex is None or regex.search(r.name))]


def print_table(title: str, rows: List[ModuleRecord]) -> None:
    """Print one model's table: name, type, output shape(s), calls.

    Args:
        title (str): Table title.
        rows (list[ModuleRecord]): The records to print.
    """
    lines = [('name', 'type', 'output shape(s)', 'calls')]
    lines += [(r.name, r.type_name, format_shapes(r), str(r.calls)) for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(3)]
    print(f'\n== {title} ({len(rows)} modules) ==')
    for line in lines:
        print('  '.join(c.ljust(w) for c, w in zip(line[:3], widths)) + '  ' + line[3])


def _feature_shapes(record: Optional[ModuleRecord]) -> Optional[List[Tuple[int, ...]]]:
    """The 4-D output shapes of a record, or None when it is missing, not called or any output is not 4-D."""
    if record is None or not record.calls or not record.shapes:
        return None
    if any(s is None or len(s) != 4 for s in record.shapes):
        return None
    return list(record.shapes)


def propose_pairs(student: Dict[str, ModuleRecord], teacher: Dict[str, ModuleRecord],
                  preferred: Set[str] = frozenset({'neck'})) -> List[dict]:
    """Same-name modules with 4-D outputs in both models, ranked as the module docstring says.

    Args:
        student (dict): The student's records by name.
        teacher (dict): The teacher's records by name.
        preferred (set): Names ranked right after the logits.

    Returns:
        list[dict]: One dict per pair: ``name``, ``count`` (None for a single tensor), ``student_ch``,
        ``teacher_ch`` (lists, one per output), ``same_size``, ``is_logit``, ``calls``.
    """
    pairs = []
    for order, (name, s_rec) in enumerate(student.items()):
        t_rec = teacher.get(name)
        s_shapes, t_shapes = _feature_shapes(s_rec), _feature_shapes(t_rec)
        if s_shapes is None or t_shapes is None or len(s_shapes) != len(t_shapes) \
                or s_rec.is_sequence != t_rec.is_sequence:
            continue
        pairs.append(dict(name=name, order=order, calls=max(s_rec.calls, t_rec.calls),
                          count=len(s_shapes) if s_rec.is_sequence else None,
                          student_ch=[s[1] for s in s_shapes], teacher_ch=[t[1] for t in t_shapes],
                          same_size=all(s[2:] == t[2:] for s, t in zip(s_shapes, t_shapes)),
                          is_logit=bool(LOGIT_PATTERN.search(name)), preferred=name in preferred))
    return sorted(pairs, key=lambda p: (not p['same_size'] or p['calls'] > 1, not p['is_logit'], not p['preferred'],
                                        p['name'].count('.'), p['order']))


def _channels(values: List[int]) -> str:
    """``128`` when all equal, else ``64/128/...``."""
    return str(values[0]) if len(set(values)) == 1 else '/'.join(map(str, values))


def format_pair(pair: dict) -> str:
    """One line of the proposed pairs.

    Args:
        pair (dict): A pair from :func:`propose_pairs`.

    Returns:
        str: e.g. ``neck  (tuple x5)  student 128 ch <- teacher 256 ch``.
    """
    kind = f'(tuple x{pair["count"]})' if pair['count'] else '(tensor)'
    note = '' if pair['same_size'] else '  [spatial sizes differ]'
    if pair['calls'] > 1:
        note += f'  [called {pair["calls"]} times: first call only]'
    return (f'{pair["name"]}  {kind}  student {_channels(pair["student_ch"])} ch <- '
            f'teacher {_channels(pair["teacher_ch"])} ch{note}')


def distill_cfg_snippet(pairs: List[dict]) -> List[dict]:
    """A ``distill_cfg`` list for the given pairs.

    Args:
        pairs (list[dict]): Pairs from :func:`propose_pairs`.

    Returns:
        list[dict]: ``student_module`` / ``teacher_module`` / ``methods`` entries.
    """
    entries = []
    for pair in pairs:
        short = re.sub(r'\W+', '_', pair['name'])
        if pair['student_ch'] == pair['teacher_ch']:
            method = dict(type='ChannelWiseDivergence', name=f'loss_cwd_{short}', tau=1.0, weight=1.0)
        else:
            method = dict(type='MimicLoss', name=f'loss_mimic_{short}', weight=1.0)
        entries.append(dict(student_module=pair['name'], teacher_module=pair['name'], methods=[method]))
    return entries


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Build both models, print the tables, the proposed pairs and a ``distill_cfg`` snippet.

    Args:
        argv (Sequence[str], optional): Command-line arguments.

    Returns:
        int: The exit code.
    """
    args = parse_args(argv)
    register_all_modules(init_default_scope=False)
    models = build_models(Config.fromfile(args.config), args.teacher_yaml)
    inputs = torch.zeros(args.input_shape)
    records = {}
    for role in ('teacher', 'student'):
        model = getattr(models, role)
        records[role] = record_outputs(model, lambda: models.forward(model, inputs))
        print_table(f'{role} ({type(model).__name__}, scope {models.family})',
                    select(records[role], args.depth, args.filter))
    kept = {r.name for r in select(records['student'], args.depth, args.filter)}
    pairs = [p for p in propose_pairs(records['student'], records['teacher'], models.preferred) if p['name'] in kept]
    print(f'\n== proposed pairs ({len(pairs)}; best first) ==')
    for pair in pairs:
        print(format_pair(pair))
    print(f'\n== distill_cfg snippet (top {args.top}; align="auto" adds connectors where channels differ) ==')
    chosen = [p for p in pairs if p['calls'] <= 1][:args.top]
    print('distill_cfg = ' + pprint.pformat(distill_cfg_snippet(chosen), sort_dicts=False, width=110))
    return 0


if __name__ == '__main__':
    sys.exit(main())
