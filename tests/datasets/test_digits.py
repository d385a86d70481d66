"""The digits generator: deterministic, its formats agree, and mmdet, mmseg and Ultralytics load them."""
import hashlib
import os
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

os.environ.setdefault('YOLO_OFFLINE', 'true')

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.registry import DATASETS, METRICS, DefaultScope  # noqa: E402
from pycocotools.coco import COCO  # noqa: E402

from distiller.datasets import (DIGIT_CLASSES, FLIP_IDX, KEYPOINT_NAMES, SEG_CLASSES, YAML_NAMES,  # noqa: E402
                                CanvasSpec, DigitsSpec, generate_digits)
from distiller.registry import register_all_modules  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / 'configs'
TINY = DigitsSpec(num_train=6, num_val=3, seed=7)
COLUMNS = {'detect': 5, 'pose': 5 + 3 * len(KEYPOINT_NAMES)}


@pytest.fixture(scope='module')
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp('digits')
    generate_digits(str(out), TINY)
    return out


@pytest.fixture(scope='module', autouse=True)
def registered() -> None:
    register_all_modules(init_default_scope=False)


def digests(root: Path) -> Dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob('*')) if p.is_file() and p.suffix != '.cache'}


def coco(root: Path, split: str) -> COCO:
    return COCO(str(root / 'annotations' / f'instances_{split}.json'))


def read_rows(path: Path) -> List[List[float]]:
    return [[float(v) for v in line.split()] for line in path.read_text().splitlines()]


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tiny: Path, tmp_path: Path) -> None:
    generate_digits(str(tmp_path / 'again'), TINY)
    generate_digits(str(tmp_path / 'other'), DigitsSpec(num_train=6, num_val=3, seed=8))
    reference = digests(tiny)
    assert len(reference) == 1 + 2 * 9 + 2 + 3 * (2 * 9 + 1)  # meta, images + maps, COCO, YOLO images/labels/yaml
    assert digests(tmp_path / 'again') == reference
    other = digests(tmp_path / 'other')
    assert all(other[f'images/train/{i:06d}.png'] != reference[f'images/train/{i:06d}.png'] for i in range(6))


def test_same_spec_is_skipped_and_another_replaces_the_old_files(tmp_path: Path) -> None:
    assert generate_digits(str(tmp_path), DigitsSpec(num_train=3, num_val=1))[1]
    meta, written = generate_digits(str(tmp_path), DigitsSpec(num_train=3, num_val=1))
    assert not written and meta['counts']['train']['images'] == 3
    assert generate_digits(str(tmp_path), DigitsSpec(num_train=2, num_val=1))[1]
    assert sorted(p.name for p in (tmp_path / 'images' / 'train').iterdir()) == ['000000.png', '000001.png']
    assert len(list((tmp_path / 'yolo' / 'pose' / 'labels' / 'train').iterdir())) == 2


def test_refuses_to_overwrite_files_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / 'images').mkdir()
    with pytest.raises(FileExistsError, match='--force'):
        generate_digits(str(tmp_path), TINY)


def test_bad_sizes_fail_early_with_the_setting_named() -> None:
    with pytest.raises(ValueError, match='digit_size'):
        CanvasSpec(img_size=32, digit_size=(16, 48))
    with pytest.raises(ValueError, match='num_val'):
        DigitsSpec(num_val=0)


def test_cli_reports_and_is_idempotent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture) -> None:
    argv = ['generate_data.py', '--out', str(tmp_path), '--num-train', '2', '--num-val', '1', '--img-size', '96']
    monkeypatch.setattr(sys, 'argv', argv)
    runpy.run_path(str(REPO / 'tools' / 'generate_data.py'), run_name='__main__')
    assert 'train: 2 images' in capsys.readouterr().out
    runpy.run_path(str(REPO / 'tools' / 'generate_data.py'), run_name='__main__')
    assert 'nothing written' in capsys.readouterr().out
    assert cv2.imread(str(tmp_path / 'images' / 'val' / '000000.png')).shape == (96, 96, 3)


@pytest.mark.parametrize('split', ['train', 'val'])
def test_coco_boxes_are_tight_boxes_of_the_masks(tiny: Path, split: str) -> None:
    api = coco(tiny, split)
    assert [c['name'] for c in api.loadCats(api.getCatIds())] == list(DIGIT_CLASSES)
    assert len(api.getImgIds()) == getattr(TINY, f'num_{split}') and len(api.getAnnIds()) > 0
    for ann in api.loadAnns(api.getAnnIds()):
        mask = api.annToMask(ann).astype(bool)
        ys, xs = np.nonzero(mask)
        assert ann['bbox'] == [xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1]
        assert ann['area'] == mask.sum() >= 20 and ann['iscrowd'] == 0 and 1 <= ann['category_id'] <= 10


@pytest.mark.parametrize('split', ['train', 'val'])
def test_semantic_maps_agree_with_instance_masks(tiny: Path, split: str) -> None:
    api = coco(tiny, split)
    for image in api.loadImgs(api.getImgIds()):
        expected = np.zeros((image['height'], image['width']), dtype=np.uint8)
        for ann in api.loadAnns(api.getAnnIds(imgIds=image['id'])):
            mask = api.annToMask(ann).astype(bool)
            assert not expected[mask].any(), 'instance masks overlap'
            expected[mask] = ann['category_id']
        stem = Path(image['file_name']).stem
        semantic = cv2.imread(str(tiny / 'ann_dir' / split / f'{stem}.png'), cv2.IMREAD_UNCHANGED)
        np.testing.assert_array_equal(semantic, expected)
        assert (tiny / 'images' / split / image['file_name']).is_file()


@pytest.mark.parametrize('task', ['detect', 'segment', 'pose'])
def test_yolo_labels_are_normalised_and_match_coco(tiny: Path, task: str) -> None:
    for split in ('train', 'val'):
        api = coco(tiny, split)
        for image in api.loadImgs(api.getImgIds()):
            stem = Path(image['file_name']).stem
            rows = read_rows(tiny / 'yolo' / task / 'labels' / split / f'{stem}.txt')
            anns = api.loadAnns(api.getAnnIds(imgIds=image['id']))
            assert [int(r[0]) for r in rows] == [a['category_id'] - 1 for a in anns]
            for row, ann in zip(rows, anns):
                values = np.array(row[1:])
                coords = np.delete(values, np.s_[6::3]) if task == 'pose' else values  # drop keypoint visibility
                assert ((coords >= 0) & (coords <= 1)).all()
                if task == 'segment':
                    assert len(values) >= 6 and len(values) % 2 == 0
                    continue
                assert len(row) == COLUMNS[task]
                x, y, w, h = ann['bbox']
                size = image['width']
                np.testing.assert_allclose(values[:4], [(x + w / 2) / size, (y + h / 2) / size, w / size, h / size],
                                           atol=1e-6)
                if task == 'pose':
                    keypoints = values[4:].reshape(-1, 3)
                    assert (keypoints[:, 2] == 2).all()
                    np.testing.assert_allclose(keypoints[4, :2], values[:2], atol=1e-6)
            image_copy = tiny / 'yolo' / task / 'images' / split / image['file_name']
            assert image_copy.read_bytes() == (tiny / 'images' / split / image['file_name']).read_bytes()


@pytest.mark.parametrize('task', ['detect', 'segment', 'pose'])
def test_ultralytics_checks_and_loads_the_yolo_dataset(tiny: Path, task: str) -> None:
    from ultralytics.cfg import get_cfg
    from ultralytics.data.dataset import YOLODataset
    from ultralytics.data.utils import check_det_dataset

    data = check_det_dataset(str(tiny / 'yolo' / task / YAML_NAMES[task]))
    assert data['nc'] == 10 and list(data['names'].values()) == list(DIGIT_CLASSES)
    if task == 'pose':
        assert data['kpt_shape'] == [len(KEYPOINT_NAMES), 3] and data['flip_idx'] == list(FLIP_IDX)
    dataset = YOLODataset(img_path=data['val'], imgsz=128, augment=False, hyp=get_cfg(), data=data, task=task)
    assert len(dataset.labels) == TINY.num_val
    assert sum(len(label['cls']) for label in dataset.labels) == len(coco(tiny, 'val').getAnnIds())


@pytest.mark.parametrize('scope', ['mmseg', 'distiller'])
def test_mmseg_dataset_from_the_config_yields_samples(tiny: Path, scope: str) -> None:
    cfg = Config.fromfile(str(CONFIGS / '_base_' / 'datasets' / 'digits_seg.py'))
    cfg.train_dataloader.dataset.data_root = str(tiny)
    with DefaultScope.overwrite_default_scope(scope):
        dataset = DATASETS.build(cfg.train_dataloader.dataset)
    assert len(dataset) == TINY.num_train and dataset.metainfo['classes'] == SEG_CLASSES
    sample = dataset[0]
    seg = sample['data_samples'].gt_sem_seg.data
    assert sample['inputs'].shape[0] == 3 and sample['inputs'].shape[1:] == seg.shape[1:]
    assert max(seg.shape) <= 128
    assert set(seg.unique().tolist()) <= set(range(len(SEG_CLASSES))) | {255}


@pytest.mark.parametrize('scope', ['mmdet', 'distiller'])
def test_mmdet_dataset_and_metric_from_the_config_accept_the_masks(tiny: Path, scope: str) -> None:
    cfg = Config.fromfile(str(CONFIGS / '_base_' / 'datasets' / 'digits_ins.py'))
    cfg.val_dataloader.dataset.data_root = str(tiny)
    cfg.val_evaluator.ann_file = str(tiny / 'annotations' / 'instances_val.json')
    with DefaultScope.overwrite_default_scope(scope):
        dataset = DATASETS.build(cfg.val_dataloader.dataset)
        metric = METRICS.build(cfg.val_evaluator)
    assert len(dataset) == TINY.num_val and dataset.metainfo['classes'] == DIGIT_CLASSES
    metric.dataset_meta = dataset.metainfo
    for index in range(len(dataset)):
        sample = dataset[index]['data_samples']
        gt = sample.gt_instances
        assert len(gt.masks) == len(gt.bboxes) > 0
        prediction = dict(bboxes=gt.bboxes, labels=gt.labels, scores=torch.ones(len(gt.labels)),
                          masks=gt.masks.to_tensor(torch.bool, 'cpu'))
        metric.process({}, [dict(sample.to_dict(), pred_instances=prediction)])
    results = metric.evaluate(len(dataset))
    assert results['coco/bbox_mAP'] == pytest.approx(1.0) and results['coco/segm_mAP'] == pytest.approx(1.0)


def test_configs_match_the_generator_and_use_random_init() -> None:
    seg = Config.fromfile(str(CONFIGS / 'students' / 'pspnet_r18_digits.py'))
    det = Config.fromfile(str(CONFIGS / 'students' / 'retinanet_r18_fpn_digits.py'))
    assert seg.default_scope == 'mmseg' and det.default_scope == 'mmdet'
    assert seg.train_dataloader.dataset.metainfo.classes == SEG_CLASSES
    assert seg.model.decode_head.num_classes == seg.model.auxiliary_head.num_classes == len(SEG_CLASSES)
    assert det.train_dataloader.dataset.metainfo.classes == DIGIT_CLASSES
    assert det.model.bbox_head.num_classes == len(DIGIT_CLASSES)
    for cfg in (seg, det):
        assert 'Pretrained' not in cfg.pretty_text and cfg.model.get('pretrained') is None


@pytest.mark.slow
def test_pspnet_student_trains_two_iterations(tiny: Path, tmp_path: Path) -> None:
    work_dir = tmp_path / 'work'
    options = [f'{loader}.dataset.data_root={tiny}' for loader in ('train_dataloader', 'val_dataloader',
                                                                   'test_dataloader')]
    options += ['train_cfg.max_iters=2', 'train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=2',
                'default_hooks.logger.interval=1', 'train_dataloader.batch_size=2']
    command = [sys.executable, str(REPO / 'tools' / 'train.py'), str(CONFIGS / 'students' / 'pspnet_r18_digits.py'),
               '--work-dir', str(work_dir), '--cfg-options', *options]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert (work_dir / 'iter_2.pth').is_file()
    logs = list(work_dir.glob('*/*.log'))
    assert logs and 'mIoU' in logs[0].read_text()
