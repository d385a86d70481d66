"""What a feature-distillation loss looks at: teacher vs student feature maps of the distilled layers of a distiller
config (mmdet, mmseg or YOLO), shown as CWD sees them (each channel turned into a spatial distribution by a softmax
over H*W).

For each distilled feature map one PNG: a row per model (the teacher, then each student checkpoint, e.g. before and
after distillation). The first column is the image under the channel-averaged distribution; the next ones are the
teacher's most concentrated channels (lowest entropy), and, for a student of the same width, the same channels (of
another width, its own most concentrated ones). Each student row's title gives KL(teacher || student) of the
channel-averaged distributions, and, for equal widths, the mean per-channel KL that CWD minimises (tau^2 x KL).

The pairs are the config's ``distill_cfg`` (YOLO entries without module names expand to the head's input levels), a
tuple output gives one figure per element, and non-4-D features (a head's logits) are skipped. mmdet/mmseg: the
distiller is built from the config (the teacher takes ``teacher_pretrained`` when the file exists, else it keeps its
random initialisation, with a note) and each model preprocesses the image with its own data preprocessor; the
students are the config's student loaded from each ``--students`` checkpoint (student-only or full distiller
checkpoints). YOLO: ``model.teacher`` (``--teacher-yaml`` when its ``.pt`` is not on disk) and ``--students``
checkpoints or yamls (default: ``model.student``).

Usage:
    python tools/analysis/visualize_features.py CONFIG IMAGE [--students before.pt after.pt] [--out DIR]
"""
import argparse
import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config
from torch import Tensor, nn

from distiller.core import FeatureRecorder, HookSpec, parse_distill_cfg
from distiller.registry import DISTILLERS, register_all_modules
from distiller.yolo import expand_distill_cfg, is_yolo_config


@dataclass
class Models:
    """The models of a config and how to run them on the image.

    Attributes:
        teacher (nn.Module): The teacher, in eval mode.
        students (list[nn.Module]): One student per checkpoint, in eval mode.
        distill_cfg (list[dict]): The pairs (YOLO head levels expanded).
        forward (Callable): ``forward(model, image)`` runs one model on an HxWx3 RGB uint8 image.
    """

    teacher: nn.Module
    students: List[nn.Module]
    distill_cfg: List[dict]
    forward: Callable[[nn.Module, np.ndarray], Any]


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments (default: ``sys.argv``).

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(description='Teacher vs student feature maps of a distiller config')
    parser.add_argument('config', help='distiller config (mmdet, mmseg or YOLO)')
    parser.add_argument('image', help='image file')
    parser.add_argument('--students', '--checkpoint', nargs='+', dest='students',
                        help='student checkpoints (YOLO: also model yamls; default: the config\'s student)')
    parser.add_argument('--labels', nargs='+', help='row labels of the students')
    parser.add_argument('--imgsz', type=int, help='square image side (default: YOLO the config\'s train_args.imgsz, '
                                                  'else 640; mmdet/mmseg the image\'s own size)')
    parser.add_argument('--teacher-yaml', help='YOLO: model yaml to build the teacher from when its .pt is not on disk')
    parser.add_argument('--channels', type=int, default=6, help='channels shown per model')
    parser.add_argument('--tau', type=float, default=1.0, help='softmax temperature')
    parser.add_argument('--out', default='results/features', help='output directory')
    return parser.parse_args(argv)


def load_image(path: str, size: Optional[int]) -> np.ndarray:
    """An image as RGB uint8, stretched to a square of side ``size`` when one is given (as YOLO's validator
    letterboxes).

    Args:
        path (str): Image file.
        size (int, optional): Side.

    Returns:
        np.ndarray: HxWx3 RGB.
    """
    import cv2
    image = cv2.imread(str(path))
    if image is None:
        raise FileNotFoundError(f'image: cannot read {path}')
    if size:
        image = cv2.resize(image, (size, size))
    return np.ascontiguousarray(image[:, :, ::-1])


def yolo_models(cfg: Config, args: argparse.Namespace) -> Models:
    """The teacher and the students of a YOLO distiller config.

    Args:
        cfg (Config): The config.
        args (argparse.Namespace): ``students``, ``teacher_yaml``.

    Returns:
        Models: YOLO models run on the image scaled to [0, 1].
    """
    from distiller.yolo.pruning import load_yolo_model
    trust = bool(cfg.model.get('trust_checkpoint', False))
    teacher = str(cfg.model['teacher'])
    if Path(teacher).suffix.lower() == '.pt' and not Path(teacher).expanduser().is_file():
        if not args.teacher_yaml:
            raise SystemExit(f'model.teacher: checkpoint file not found: {teacher}; pass --teacher-yaml (e.g. '
                             'yolov8s.yaml) to build the teacher from its model yaml')
        print(f'model.teacher: {teacher} not found; building the teacher from {args.teacher_yaml}')
        teacher = args.teacher_yaml
    teacher_model = load_yolo_model(teacher, trust_checkpoint=trust).eval()
    students = [load_yolo_model(s, trust_checkpoint=trust).eval() for s in args.students or [cfg.model['student']]]
    distill_cfg, _ = expand_distill_cfg(list(cfg.model['distill_cfg']), students[0], teacher_model)

    def forward(model: nn.Module, image: np.ndarray) -> Any:
        return model(torch.from_numpy(image).permute(2, 0, 1).float().div(255).unsqueeze(0))

    return Models(teacher_model, students, distill_cfg, forward)


def mm_models(cfg: Config, args: argparse.Namespace) -> Models:
    """The teacher and the students of an mmdet/mmseg distiller config, built by the distiller itself.

    Args:
        cfg (Config): The config.
        args (argparse.Namespace): ``students``.

    Returns:
        Models: Models run with their own data preprocessor on the image (BGR, as mmdet/mmseg load images).
    """
    from distiller.engine.checkpoint_loader import load_checkpoint_for_test
    model_cfg = copy.deepcopy(cfg.model)
    pretrained = model_cfg.get('teacher_pretrained')
    if pretrained and not Path(pretrained).expanduser().is_file():
        print(f'teacher_pretrained: {pretrained} not found; the teacher keeps its random initialisation')
        model_cfg['teacher_pretrained'] = None
    distiller = DISTILLERS.build(model_cfg)
    distiller.distill_losses.remove_hooks()
    students = []
    for checkpoint in args.students or [None]:
        student = copy.deepcopy(distiller.student).eval()
        if checkpoint:
            load_checkpoint_for_test(student, checkpoint)
        students.append(student)

    def forward(model: nn.Module, image: np.ndarray) -> Any:
        raw = torch.from_numpy(np.ascontiguousarray(image[:, :, ::-1])).permute(2, 0, 1)
        samples = distiller.dummy_data_samples((1, 3) + image.shape[:2])
        data = model.data_preprocessor(dict(inputs=[raw], data_samples=samples), False)
        return model(data['inputs'], data['data_samples'], mode='tensor')

    return Models(distiller.teacher, students, list(cfg.model['distill_cfg']), forward)


@torch.no_grad()
def record(model: nn.Module, specs: List[HookSpec], run: Callable[[], Any]) -> Dict[HookSpec, List[Any]]:
    """What ``specs`` see on one forward, recorded by a :class:`FeatureRecorder` (calibrated first, so a feature an
    in-place activation changes afterwards is recorded as a copy).

    Args:
        model (nn.Module): The model (eval mode).
        specs (list[HookSpec]): What to record.
        run (Callable): Runs the forward (no arguments).

    Returns:
        dict: Spec -> its features, tuple outputs expanded (one entry per element and call).
    """
    recorder = FeatureRecorder(model, specs)
    try:
        recorder.calibrate(run)
        with recorder.recording():
            run()
            return {spec: [item for value in recorder.get(spec)
                           for item in (value if isinstance(value, (tuple, list)) else [value])] for spec in specs}
    finally:
        recorder.remove()


def is_map(value: Any) -> bool:
    """Whether a recorded feature is a 1xCxHxW map."""
    return isinstance(value, Tensor) and value.dim() == 4


def channel_distributions(feat: torch.Tensor, tau: float) -> torch.Tensor:
    """CWD's view of a feature map: a softmax over H*W per channel.

    Args:
        feat (torch.Tensor): 1xCxHxW.
        tau (float): Temperature.

    Returns:
        torch.Tensor: CxHxW, each channel summing to 1.
    """
    _, c, h, w = feat.shape
    return F.softmax(feat.float().reshape(c, h * w) / tau, dim=1).reshape(c, h, w)


def concentrated_channels(dist: torch.Tensor, k: int) -> List[int]:
    """The ``k`` channels with the lowest spatial entropy (the most peaked distributions).

    Args:
        dist (torch.Tensor): CxHxW distributions.
        k (int): How many.

    Returns:
        list[int]: Channel indices.
    """
    flat = dist.flatten(1)
    entropy = -(flat * flat.clamp_min(1e-12).log()).sum(1)
    return entropy.argsort()[:k].tolist()


def kl(p: torch.Tensor, q: torch.Tensor) -> float:
    """KL(p || q) summed over the last two dims, averaged over the rest."""
    return float((p * (p.clamp_min(1e-12).log() - q.clamp_min(1e-12).log())).flatten(-2).sum(-1).mean())


def plot_level(path: Path, image: np.ndarray, rows: List[tuple], channels: int, tau: float,
               title: str) -> Dict[str, dict]:
    """Draw one feature map's figure.

    Args:
        path (Path): PNG to write.
        image (np.ndarray): The HxWx3 RGB uint8 input.
        rows (list[tuple]): (label, CxHxW distributions), the teacher first.
        channels (int): Channels per row.
        tau (float): Temperature (for the CWD figure).
        title (str): Figure title.

    Returns:
        dict: Per student label, the KL figures shown in the titles.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    teacher = rows[0][1]
    picked = concentrated_channels(teacher, channels)
    fig, axes = plt.subplots(len(rows), channels + 1, figsize=(2.0 * (channels + 1), 2.2 * len(rows)),
                             squeeze=False)
    figures = {}
    for r, (label, dist) in enumerate(rows):
        mean = dist.mean(0)
        row_title = label
        if r:
            figures[label] = {'kl_channel_mean': kl(teacher.mean(0), mean)}
            if dist.shape == teacher.shape:
                figures[label]['cwd_per_channel'] = tau ** 2 * kl(teacher, dist)
            row_title += '\n' + ', '.join(f'{k} {v:.3g}' for k, v in figures[label].items())
        axes[r][0].imshow(image)
        overlay = F.interpolate(mean[None, None], size=image.shape[:2], mode='bilinear', align_corners=False)[0, 0]
        axes[r][0].imshow(overlay.numpy(), alpha=0.6, cmap='jet')
        axes[r][0].set_title(row_title, fontsize=7)
        shown = picked if dist.shape[0] == teacher.shape[0] else concentrated_channels(dist, channels)
        for c, index in enumerate(shown, start=1):
            axes[r][c].imshow(dist[index].numpy(), cmap='viridis')
            axes[r][c].set_title(f'ch {index}', fontsize=7)
        for ax in axes[r]:
            ax.axis('off')
    fig.suptitle(title, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return figures


def feature_name(spec: HookSpec, element: int, count: int) -> str:
    """A feature's name in titles and file names: the module, its input/index, and the element of several.

    Args:
        spec (HookSpec): What was recorded.
        element (int): Position among the spec's features.
        count (int): How many features the spec gave.

    Returns:
        str: e.g. ``model.15``, ``neck.2``, ``backbone.layer4.input``.
    """
    parts = [spec.module] + ([] if spec.output_hook else ['input'])
    parts += [str(spec.index)] if spec.index is not None else []
    return '.'.join(parts + ([str(element)] if count > 1 else []))


def main(argv=None) -> Dict[str, dict]:
    """Record both sides, write one PNG per distilled feature map and a JSON of the KL figures.

    Args:
        argv (list[str], optional): Command-line arguments.

    Returns:
        dict: PNG path -> KL figures per student.
    """
    args = parse_args(argv)
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(args.config)
    yolo = is_yolo_config(cfg)
    models = (yolo_models if yolo else mm_models)(cfg, args)
    labels = args.labels or [Path(s).stem for s in args.students or [cfg.model.get('student', 'student')]]
    size = args.imgsz or (int(cfg.get('train_args', {}).get('imgsz', 640)) if yolo else None)
    image = load_image(args.image, size)
    pairs = list({(p.student.module, p.student.output_hook, p.student.index,
                   p.teacher.module, p.teacher.output_hook, p.teacher.index): p
                  for p in parse_distill_cfg(models.distill_cfg)}.values())
    teacher_feats = record(models.teacher, [p.teacher for p in pairs], lambda: models.forward(models.teacher, image))
    student_feats = [record(model, [p.student for p in pairs], lambda: models.forward(model, image))
                     for model in models.students]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    for pair in pairs:
        teacher_items = teacher_feats[pair.teacher]
        for i, (feat, *students) in enumerate(zip(teacher_items, *[feats[pair.student] for feats in student_feats])):
            if not is_map(feat) or not all(is_map(s) for s in students):
                continue  # not a 4-d feature map (e.g. a head's logits)
            t_name = feature_name(pair.teacher, i, len(teacher_items))
            s_name = feature_name(pair.student, i, len(teacher_items))
            rows = [('teacher', channel_distributions(feat, args.tau))]
            rows += [(label, channel_distributions(s, args.tau)) for label, s in zip(labels, students)]
            path = out / f'{t_name.replace(".", "_")}.png'
            title = f'teacher {t_name} vs student {s_name}: per-channel softmax over H*W (tau={args.tau:g})'
            results[str(path)] = plot_level(path, image, rows, args.channels, args.tau, title)
            print(f'{path}: {json.dumps(results[str(path)])}')
    (out / 'features.json').write_text(json.dumps(results, indent=2))
    return results


if __name__ == '__main__':
    main()
