"""What a feature-distillation loss looks at: teacher vs student feature maps of the distilled layers of a YOLO
distiller config, shown as CWD sees them (each channel turned into a spatial distribution by a softmax over H*W).

For each distilled level one PNG: a row per model (the teacher, then each student checkpoint, e.g. before and after
distillation). The first column is the image under the channel-averaged distribution; the next ones are the
teacher's most concentrated channels (lowest entropy), and, for a student of the same width, the same channels (of
another width, its own most concentrated ones). Each student row's title gives KL(teacher || student) of the
channel-averaged distributions, and, for equal widths, the mean per-channel KL that CWD minimises (tau^2 x KL).

Usage:
    python tools/analysis/visualize_features.py CONFIG IMAGE [--students before.pt after.pt] [--out DIR]
"""
import argparse
import json
from pathlib import Path
from typing import Dict, List

import torch
import torch.nn.functional as F
from mmengine.config import Config
from torch import nn

from distiller.yolo.pruning import load_yolo_model
from distiller.yolo import expand_distill_cfg


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments (default: ``sys.argv``).

    Returns:
        argparse.Namespace: The parsed arguments.
    """
    parser = argparse.ArgumentParser(description='Teacher vs student feature maps of a YOLO distiller config')
    parser.add_argument('config', help='YOLO distiller config (model.type=YOLODistiller)')
    parser.add_argument('image', help='image file')
    parser.add_argument('--students', nargs='+', help='student checkpoints (default: the config\'s student)')
    parser.add_argument('--labels', nargs='+', help='row labels of the students')
    parser.add_argument('--imgsz', type=int, help='image side (default: the config\'s train_args.imgsz, else 640)')
    parser.add_argument('--channels', type=int, default=6, help='channels shown per model')
    parser.add_argument('--tau', type=float, default=1.0, help='softmax temperature')
    parser.add_argument('--out', default='results/features', help='output directory')
    return parser.parse_args(argv)


def load_image(path: str, size: int) -> torch.Tensor:
    """An image as a 1x3xSxS float batch in [0, 1] (RGB, stretched to a square as YOLO's validator letterboxes).

    Args:
        path (str): Image file.
        size (int): Side.

    Returns:
        torch.Tensor: The batch.
    """
    import cv2
    image = cv2.imread(str(path))
    if image is None:
        raise FileNotFoundError(f'image: cannot read {path}')
    image = cv2.resize(image, (size, size))[:, :, ::-1].copy()
    return torch.from_numpy(image).permute(2, 0, 1).float().div(255).unsqueeze(0)


@torch.no_grad()
def record(model: nn.Module, names: List[str], batch: torch.Tensor) -> Dict[str, torch.Tensor]:
    """Outputs of the named modules on one forward pass.

    Args:
        model (nn.Module): The YOLO model (eval mode).
        names (list[str]): Module names (``model.15``).
        batch (torch.Tensor): The input.

    Returns:
        dict: Name -> 1xCxHxW feature map.
    """
    feats: Dict[str, torch.Tensor] = {}

    def hook(name: str):
        def keep(_module, _inputs, output) -> None:
            if isinstance(output, torch.Tensor) and output.dim() == 4:
                feats[name] = output.detach().float()
        return keep

    handles = [model.get_submodule(name).register_forward_hook(hook(name)) for name in names]
    try:
        model(batch)
    finally:
        for handle in handles:
            handle.remove()
    return feats


def channel_distributions(feat: torch.Tensor, tau: float) -> torch.Tensor:
    """CWD's view of a feature map: a softmax over H*W per channel.

    Args:
        feat (torch.Tensor): 1xCxHxW.
        tau (float): Temperature.

    Returns:
        torch.Tensor: CxHxW, each channel summing to 1.
    """
    _, c, h, w = feat.shape
    return F.softmax(feat.reshape(c, h * w) / tau, dim=1).reshape(c, h, w)


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


def plot_level(path: Path, image: torch.Tensor, rows: List[tuple], channels: int, tau: float,
               title: str) -> Dict[str, dict]:
    """Draw one level's figure.

    Args:
        path (Path): PNG to write.
        image (torch.Tensor): The 1x3xSxS input.
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
    rgb = image[0].permute(1, 2, 0).numpy()
    figures = {}
    for r, (label, dist) in enumerate(rows):
        mean = dist.mean(0)
        row_title = label
        if r:
            figures[label] = {'kl_channel_mean': kl(teacher.mean(0), mean)}
            if dist.shape == teacher.shape:
                figures[label]['cwd_per_channel'] = tau ** 2 * kl(teacher, dist)
            row_title += '\n' + ', '.join(f'{k} {v:.3g}' for k, v in figures[label].items())
        axes[r][0].imshow(rgb)
        overlay = F.interpolate(mean[None, None], size=rgb.shape[:2], mode='bilinear', align_corners=False)[0, 0]
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


def main(argv=None) -> Dict[str, dict]:
    """Record both sides, write one PNG per level and a JSON of the KL figures.

    Args:
        argv (list[str], optional): Command-line arguments.

    Returns:
        dict: PNG path -> KL figures per student.
    """
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if str(cfg.model.get('type', '')).split('.')[-1] != 'YOLODistiller':
        raise SystemExit(f'{args.config}: expected a YOLO distiller config (model.type=YOLODistiller)')
    students = args.students or [cfg.model['student']]
    labels = args.labels or [Path(s).stem for s in students]
    size = args.imgsz or int(cfg.get('train_args', {}).get('imgsz', 640))
    teacher = load_yolo_model(cfg.model['teacher']).eval()
    models = [load_yolo_model(s).eval() for s in students]
    distill_cfg, _ = expand_distill_cfg(list(cfg.model['distill_cfg']), models[0], teacher)
    pairs = list(dict.fromkeys((e['student_module'], e['teacher_module']) for e in distill_cfg
                               if not {'index', 'student_index', 'teacher_index'} & set(e)))
    batch = load_image(args.image, size)
    teacher_feats = record(teacher, [t for _, t in pairs], batch)
    student_feats = [record(model, [s for s, _ in pairs], batch) for model in models]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    for s_name, t_name in pairs:
        if t_name not in teacher_feats or any(s_name not in feats for feats in student_feats):
            continue  # not a 4-d feature map (e.g. a head's output dict)
        rows = [('teacher', channel_distributions(teacher_feats[t_name], args.tau))]
        rows += [(label, channel_distributions(feats[s_name], args.tau)) for label, feats in zip(labels, student_feats)]
        path = out / f'{t_name.replace(".", "_")}.png'
        title = f'teacher {t_name} vs student {s_name}: per-channel softmax over H*W (tau={args.tau:g})'
        results[str(path)] = plot_level(path, batch, rows, args.channels, args.tau, title)
        print(f'{path}: {json.dumps(results[str(path)])}')
    (out / 'features.json').write_text(json.dumps(results, indent=2))
    return results


if __name__ == '__main__':
    main()
