"""List the teacher's and the student's modules with their output shapes and propose ``distill_cfg`` pairs.

    python tools/analysis/print_modules.py CONFIG [--input-shape 1 3 128 128] [--depth N] [--filter REGEX]

The two models are built straight from ``cfg.model.teacher_cfg`` / ``student_cfg`` (not through the distiller, so a
broken ``distill_cfg`` does not stop the tool), randomly initialised (only shapes matter; nothing is downloaded),
and run once on a blank batch in eval mode (``mode='tensor'``). Forward hooks record every module's output.

Pairing heuristic (kept simple on purpose):

1. A candidate pair is a module name present in both models whose output is a 4-D tensor or a tuple/list of 4-D
   tensors of the same length in both models.
2. Candidates are ranked: logits first (names ending in ``conv_seg``, ``_cls`` or ``conv_cls``), then ``neck``
   outputs, then the rest, shallower names (fewer dots) first and then in the student's module order; modules whose
   spatial sizes differ between the models or that are called several times (shared heads run once per FPN level)
   come last. ``--depth`` / ``--filter`` limit the printed list too. Only the
   first ``--top`` listed candidates called once go into the printed ``distill_cfg`` snippet.
3. The snippet uses ``ChannelWiseDivergence`` when both sides have the same channels (logits) and ``MimicLoss``
   otherwise (the default ``align='auto'`` adds a 1x1 conv connector for the channel mismatch); it is a starting
   point to edit, not a tuned recipe.
"""
import argparse
import copy
import pprint
import re
import sys
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.registry import DefaultScope
from torch import nn

LOGIT_PATTERN = re.compile(r'(conv_seg|_cls|conv_cls)$')
URL_PREFIXES = ('http://', 'https://', 'torchvision://', 'open-mmlab://', 'modelzoo://', 'mmcls://', 'mmpretrain://')


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


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (Sequence[str], optional): Arguments; ``sys.argv[1:]`` when None.

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='distiller config file')
    parser.add_argument('--input-shape', type=int, nargs=4, default=[1, 3, 128, 128], metavar=('N', 'C', 'H', 'W'),
                        help='shape of the blank dry-run input (default: 1 3 128 128)')
    parser.add_argument('--depth', type=int, default=None,
                        help='only list modules whose name has at most DEPTH parts (dots + 1)')
    parser.add_argument('--filter', default=None, help='only list modules whose name matches this regex')
    parser.add_argument('--top', type=int, default=3, help='number of proposed pairs put in the distill_cfg snippet')
    return parser.parse_args(argv)


def strip_downloads(cfg: Any) -> Any:
    """Drop ``init_cfg`` / ``pretrained`` entries that would download weights, recursively.

    Args:
        cfg (Any): A model config (dicts and lists nested); not modified.

    Returns:
        Any: A copy without ``pretrained`` strings and without ``init_cfg`` entries naming a checkpoint.
    """
    if isinstance(cfg, dict):
        out = {}
        for key, value in cfg.items():
            if key == 'pretrained' and isinstance(value, str):
                continue
            if key == 'init_cfg' and _names_checkpoint(value):
                continue
            out[key] = strip_downloads(value)
        return _same_dict_type(cfg, out)
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(strip_downloads(v) for v in cfg)
    return cfg


def _same_dict_type(original: dict, items: dict) -> dict:
    """Rebuild ``items`` as the dict type of ``original`` (mmengine ``ConfigDict`` or plain dict)."""
    try:
        return type(original)(items)
    except TypeError:
        return dict(items)


def _names_checkpoint(init_cfg: Any) -> bool:
    """Whether an ``init_cfg`` (a dict or a list of them) loads a checkpoint or a URL."""
    entries = init_cfg if isinstance(init_cfg, (list, tuple)) else [init_cfg]
    for entry in entries:
        if isinstance(entry, dict):
            checkpoint = entry.get('checkpoint')
            if entry.get('type') == 'Pretrained':
                return True
            if isinstance(checkpoint, str) and checkpoint.startswith(URL_PREFIXES):
                return True
    return False


def model_dict(ref: Any, key: str) -> dict:
    """Turn a ``teacher_cfg`` / ``student_cfg`` value into a model dict.

    Args:
        ref (str | dict): A config path (local or ``package::path``) or a model dict.
        key (str): The config key, for the error message.

    Returns:
        dict: The model config, without download-triggering entries.
    """
    from distiller.utils import load_config
    cfg = load_config(ref).model if isinstance(ref, str) else ref
    if not isinstance(cfg, dict) or 'type' not in cfg:
        raise TypeError(f'{key}: expected a config path or a model dict with "type", got {ref!r}')
    return strip_downloads(copy.deepcopy(cfg))


def distiller_class(type_name: str) -> type:
    """The distiller class named by ``cfg.model.type`` (its ``scope`` says which package builds the models).

    Args:
        type_name (str): e.g. ``SegmentationDistiller``.

    Returns:
        type: The registered distiller class.
    """
    from distiller.registry import DISTILLERS
    cls = DISTILLERS.get(type_name)
    if cls is None or not getattr(cls, 'scope', ''):
        raise ValueError(f'model.type {type_name!r} is not a registered distiller with a model scope')
    return cls


def build_model(cfg: dict, scope: str) -> nn.Module:
    """Build one model with its package's registry and convert SyncBN for a single CPU process.

    Args:
        cfg (dict): The model config.
        scope (str): ``mmseg`` or ``mmdet``.

    Returns:
        nn.Module: The model in eval mode.
    """
    from distiller.compat import revert_sync_bn_if_single_process
    if scope == 'mmdet':
        from mmdet.registry import MODELS
    else:
        from mmseg.registry import MODELS
    with DefaultScope.overwrite_default_scope(scope):
        model = MODELS.build(cfg)
    return revert_sync_bn_if_single_process(model).eval()


def dummy_data_samples(cls: type, shape: Sequence[int]) -> list:
    """Blank data samples for a dry forward, made by the distiller's own ``dummy_data_samples``.

    A shim object carrying only ``data_sample_type`` stands in for the distiller instance, so no distiller (and no
    ``distill_cfg``) is built.

    Args:
        cls (type): The distiller class.
        shape (Sequence[int]): N, C, H, W of the input.

    Returns:
        list: One data sample per image.
    """
    shim = type('_SampleShim', (), {'data_sample_type': cls.data_sample_type})()
    return cls.dummy_data_samples(shim, tuple(shape))


def _tensor_shape(value: Any) -> Optional[Tuple[int, ...]]:
    """Shape of a tensor, else None."""
    return tuple(value.shape) if isinstance(value, torch.Tensor) else None


def record_outputs(model: nn.Module, inputs: torch.Tensor, samples: list) -> 'OrderedDict[str, ModuleRecord]':
    """Run one forward with hooks on every named submodule and record the output shapes.

    Args:
        model (nn.Module): The model (eval mode).
        inputs (torch.Tensor): The input batch.
        samples (list): Data samples passed to the forward.

    Returns:
        OrderedDict[str, ModuleRecord]: Records by module name, in registration order (modules never called have
        ``calls == 0``).
    """
    records: 'OrderedDict[str, ModuleRecord]' = OrderedDict()
    handles = []
    for name, module in model.named_modules():
        if not name:
            continue
        record = records[name] = ModuleRecord(name, type(module).__name__)
        handles.append(module.register_forward_hook(_make_hook(record)))
    try:
        with torch.no_grad():
            model(inputs, samples, mode='tensor')
    finally:
        for handle in handles:
            handle.remove()
    return records


def _make_hook(record: ModuleRecord):
    """A forward hook filling ``record`` on the first call and counting the calls."""

    def hook(module: nn.Module, args: Any, output: Any) -> None:
        record.calls += 1
        if record.calls > 1:
            return
        if isinstance(output, (tuple, list)):
            record.is_sequence = True
            record.shapes = [_tensor_shape(item) for item in output]
        else:
            record.shapes = [_tensor_shape(output)]

    return hook


def format_shapes(record: ModuleRecord) -> str:
    """Human-readable output shape(s) of a record.

    Args:
        record (ModuleRecord): The record.

    Returns:
        str: e.g. ``(1, 512, 8, 8)`` or ``tuple x5: (1, 256, 8, 8), ...``; ``-`` when not called.
    """
    if not record.calls:
        return '-'
    parts = ['x'.join(map(str, s)) if s is not None else 'non-tensor' for s in record.shapes]
    if record.is_sequence:
        return f'tuple x{len(parts)}: ' + ', '.join(parts)
    return parts[0]


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
    headers = ('name', 'type', 'output shape(s)', 'calls')
    lines = [(r.name, r.type_name, format_shapes(r), str(r.calls)) for r in rows]
    widths = [max([len(h)] + [len(line[i]) for line in lines]) for i, h in enumerate(headers[:3])]
    print(f'\n== {title} ({len(rows)} modules) ==')
    print('  '.join(h.ljust(w) for h, w in zip(headers[:3], widths)) + '  ' + headers[3])
    for line in lines:
        print('  '.join(c.ljust(w) for c, w in zip(line[:3], widths)) + '  ' + line[3])


def _feature_shapes(record: ModuleRecord) -> Optional[List[Tuple[int, ...]]]:
    """The 4-D output shapes of a record, or None when any output is not a 4-D tensor."""
    if not record.calls or not record.shapes:
        return None
    if any(s is None or len(s) != 4 for s in record.shapes):
        return None
    return list(record.shapes)


def propose_pairs(student: Dict[str, ModuleRecord], teacher: Dict[str, ModuleRecord]) -> List[dict]:
    """Same-name modules with 4-D outputs in both models, ranked as the module docstring says.

    Args:
        student (dict): The student's records by name.
        teacher (dict): The teacher's records by name.

    Returns:
        list[dict]: One dict per pair: ``name``, ``count`` (None for a single tensor), ``student_ch``,
        ``teacher_ch`` (lists, one per output), ``same_size``, ``is_logit``, ``calls``.
    """
    pairs = []
    for order, (name, s_rec) in enumerate(student.items()):
        t_rec = teacher.get(name)
        s_shapes = _feature_shapes(s_rec)
        t_shapes = _feature_shapes(t_rec) if t_rec is not None else None
        if s_shapes is None or t_shapes is None or len(s_shapes) != len(t_shapes) \
                or s_rec.is_sequence != t_rec.is_sequence:
            continue
        pairs.append(dict(name=name, order=order, calls=max(s_rec.calls, t_rec.calls),
                          count=len(s_shapes) if s_rec.is_sequence else None,
                          student_ch=[s[1] for s in s_shapes], teacher_ch=[t[1] for t in t_shapes],
                          same_size=all(s[2:] == t[2:] for s, t in zip(s_shapes, t_shapes)),
                          is_logit=bool(LOGIT_PATTERN.search(name))))
    return sorted(pairs, key=_rank)


def _rank(pair: dict) -> tuple:
    """Sort key: same spatial size and one call first, then logits, ``neck``, shallow names, module order."""
    demoted = not pair['same_size'] or pair['calls'] > 1
    return (demoted, not pair['is_logit'], pair['name'] != 'neck', pair['name'].count('.'), pair['order'])


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
    from mmengine.config import Config

    from distiller.registry import register_all_modules
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(args.config)
    cls = distiller_class(cfg.model.type)
    inputs = torch.zeros(args.input_shape)
    samples = dummy_data_samples(cls, args.input_shape)
    records = {}
    for role in ('teacher', 'student'):
        model = build_model(model_dict(cfg.model[f'{role}_cfg'], f'{role}_cfg'), cls.scope)
        records[role] = record_outputs(model, inputs, samples)
        print_table(f'{role} ({type(model).__name__}, scope {cls.scope})',
                    select(records[role], args.depth, args.filter))
        del model
    kept = {r.name for r in select(records['student'], args.depth, args.filter)}
    pairs = [p for p in propose_pairs(records['student'], records['teacher']) if p['name'] in kept]
    print(f'\n== proposed pairs ({len(pairs)}; best first) ==')
    for pair in pairs:
        print(format_pair(pair))
    print(f'\n== distill_cfg snippet (top {args.top}; align="auto" adds connectors where channels differ) ==')
    chosen = [p for p in pairs if p['calls'] <= 1][:args.top]
    print('distill_cfg = ' + pprint.pformat(distill_cfg_snippet(chosen), sort_dicts=False, width=110))
    return 0


if __name__ == '__main__':
    sys.exit(main())
