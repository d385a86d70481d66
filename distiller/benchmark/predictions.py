"""The demo's predictions picture: validation images with the predictions of several trained mmseg/mmdet models side
by side, drawn by mmseg's/mmdet's own visualizers, on the images where the models differ most."""
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from ..engine.mm_pruning import build_mm_model
from ..utils import load_config


def _family(cfg) -> str:
    """``'mmseg'`` or ``'mmdet'`` from a model config's ``default_scope``."""
    scope = cfg.get('default_scope')
    if scope not in ('mmseg', 'mmdet'):
        raise ValueError(f'predictions picture: default_scope {scope!r} is neither mmseg nor mmdet')
    return scope


def _infer(family: str, model, image: np.ndarray):
    """One image (BGR) through the family's inference API."""
    if family == 'mmseg':
        from mmseg.apis import inference_model
        return inference_model(model, image)
    from mmdet.apis import inference_detector
    return inference_detector(model, image)


def _seg_score(pred, gt: np.ndarray) -> float:
    """Per-image mean IoU over the foreground classes (label > 0) in the ground truth or the prediction."""
    mask = pred.pred_sem_seg.data[0].cpu().numpy()
    classes = [c for c in np.union1d(np.unique(mask), np.unique(gt)) if c > 0]
    ious = [np.logical_and(mask == c, gt == c).sum() / np.logical_or(mask == c, gt == c).sum() for c in classes]
    return float(np.mean(ious)) if ious else 1.0


def _det_score(pred, boxes: np.ndarray, labels: np.ndarray, threshold: float = 0.3) -> float:
    """Per-image F1 of the detections above ``threshold`` against the ground truth at box IoU 0.5, class-aware."""
    from mmdet.structures.bbox import bbox_overlaps
    inst = pred.pred_instances[pred.pred_instances.scores >= threshold]
    if len(inst) == 0 or len(boxes) == 0:
        return float(len(inst) == len(boxes))
    iou = bbox_overlaps(inst.bboxes.cpu(), torch.as_tensor(boxes, dtype=torch.float32)).numpy()
    iou[inst.labels.cpu().numpy()[:, None] != labels[None, :]] = 0
    matched, used = 0, set()
    for row in np.argsort(-inst.scores.cpu().numpy()):
        col = int(np.argmax(iou[row]))
        if iou[row, col] >= 0.5 and col not in used:
            used.add(col)
            matched += 1
    return 2 * matched / (len(inst) + len(boxes))


class _Truth:
    """Ground truth of one validation image, as a score target and as a data sample to draw."""

    def __init__(self, family: str, info: Dict) -> None:
        import mmcv
        self.family = family
        if family == 'mmseg':
            from mmengine.structures import PixelData
            from mmseg.structures import SegDataSample
            self.map = mmcv.imread(info['seg_map_path'], flag='unchanged', backend='pillow').astype(np.int64)
            self.sample = SegDataSample(gt_sem_seg=PixelData(data=torch.from_numpy(self.map)[None]))
        else:
            from mmdet.structures import DetDataSample
            from mmengine.structures import InstanceData
            instances = [i for i in info['instances'] if not i.get('ignore_flag', 0)]
            self.boxes = np.array([i['bbox'] for i in instances], dtype=np.float32).reshape(-1, 4)
            self.labels = np.array([i['bbox_label'] for i in instances], dtype=np.int64)
            self.sample = DetDataSample(gt_instances=InstanceData(bboxes=torch.from_numpy(self.boxes),
                                                                  labels=torch.from_numpy(self.labels)))

    def score(self, pred) -> float:
        """How well ``pred`` matches this image (0-1)."""
        if self.family == 'mmseg':
            return _seg_score(pred, self.map)
        return _det_score(pred, self.boxes, self.labels)


def _visualizer(family: str, meta: Dict):
    """The family's local visualizer, with the dataset's classes and palette."""
    if family == 'mmseg':
        from mmseg.visualization import SegLocalVisualizer
        visualizer = SegLocalVisualizer(name='kd_demo_predictions', alpha=0.6)
    else:
        from mmdet.visualization import DetLocalVisualizer
        visualizer = DetLocalVisualizer(name='kd_demo_predictions', line_width=1)
    visualizer.dataset_meta = dict(classes=meta['classes'], palette=meta['palette'])
    return visualizer


def _draw(visualizer, image_rgb: np.ndarray, sample, gt: bool) -> np.ndarray:
    """One panel: the ground truth or the prediction drawn over the image."""
    visualizer.add_datasample('panel', image_rgb, sample, draw_gt=gt, draw_pred=not gt, show=False)
    return visualizer.get_image()


def prediction_grid(config: str, models: Dict[str, Sequence[str]], out: Path, rows: int = 4,
                    contrast: Sequence[str] = (), cfg_options: Optional[Dict] = None) -> List[str]:
    """Draw ``rows`` validation images, each with the ground truth and every model's prediction, into ``out``.

    The rows are the images where the two models named by ``contrast`` differ most in per-image score (foreground
    mean IoU for mmseg, F1 at box IoU 0.5 for mmdet), either way; without ``contrast``, the first images.

    Args:
        config (str): A config with the validation dataset (any of the models' configs).
        models (dict): Column title -> ``(model config, checkpoint)``; a distiller checkpoint gives its student.
        out (Path): The PNG to write.
        rows (int): How many images.
        contrast (Sequence[str]): Two column titles whose difference picks the images.
        cfg_options (dict, optional): Dotted overrides of ``config`` (the training runs' ``--cfg-options``, so the
            picture uses their validation data).

    Returns:
        list[str]: The paths of the images drawn, in validation order.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import mmcv
    from mmengine.registry import DATASETS, DefaultScope

    cfg = load_config(config)
    cfg.merge_from_dict(cfg_options or {})
    family = _family(cfg)
    with DefaultScope.overwrite_default_scope(family):  # the family's transforms, not a process-wide change
        dataset = DATASETS.build(cfg.val_dataloader.dataset)
        infos = [dataset.get_data_info(i) for i in range(len(dataset))]
        truths = [_Truth(family, info) for info in infos]
        images = [mmcv.imread(info['img_path']) for info in infos]
        predictions, scores = {}, {}
        for title, (model_config, checkpoint) in models.items():
            model = build_mm_model(model_config, checkpoint)
            model.cfg = load_config(model_config)
            with torch.no_grad():
                predictions[title] = [_infer(family, model, image) for image in images]
            scores[title] = [truth.score(pred) for truth, pred in zip(truths, predictions[title])]
    if contrast:
        gap = np.abs(np.subtract(scores[contrast[0]], scores[contrast[1]]))
        chosen = sorted(np.argsort(-gap, kind='stable')[:rows].tolist())
    else:
        chosen = list(range(min(rows, len(images))))

    visualizer = _visualizer(family, dataset.metainfo)
    columns = ['ground truth', *models]
    figure, axes = plt.subplots(len(chosen), len(columns), figsize=(2.4 * len(columns), 2.4 * len(chosen)),
                                squeeze=False)
    for row, index in enumerate(chosen):
        rgb = mmcv.bgr2rgb(images[index])
        panels = [_draw(visualizer, rgb, truths[index].sample, gt=True)]
        panels += [_draw(visualizer, rgb, predictions[title][index], gt=False) for title in models]
        for col, (title, panel) in enumerate(zip(columns, panels)):
            axis = axes[row][col]
            axis.imshow(panel)
            axis.set_xticks([])
            axis.set_yticks([])
            if row == 0:
                axis.set_title(title, fontsize=8)
            if col:
                axis.set_xlabel(f'{scores[title][index]:.2f}', fontsize=8)
    what = 'foreground mIoU' if family == 'mmseg' else 'F1 at IoU 0.5'
    pick = f'the {len(chosen)} images where {contrast[0]} and {contrast[1]} differ most' if contrast else 'first images'
    figure.suptitle(f'validation: {pick} (per-image {what} under each panel)', fontsize=9)
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(str(out), dpi=110)
    plt.close(figure)
    return [infos[index]['img_path'] for index in chosen]
