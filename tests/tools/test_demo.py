"""``tools/demo.py``: teacher, plain and distilled student trained by the real tools, compared in one table."""
import json
from pathlib import Path

from tests.helpers.kd_runner_helpers import REPO, run_tool, tail
from tests.helpers.tools_loader import load_tool


def test_demo_trains_three_models_and_writes_table_json_and_curves(tmp_path: Path) -> None:
    data = tmp_path / 'digits'
    teacher = tmp_path / 'teacher.pth'
    out = tmp_path / 'results' / 'demo'
    loaders = ('train_dataloader', 'val_dataloader', 'test_dataloader')
    options = [f'{loader}.dataset.data_root={data}/' for loader in loaders]
    options += ['train_cfg.max_iters=2', 'train_cfg.val_interval=2', 'train_dataloader.batch_size=2',
                'default_hooks.checkpoint.interval=2']
    proc = run_tool([str(REPO / 'tools' / 'demo.py'), '--work-dir', str(tmp_path / 'work'), '--out', str(out),
                     '--teacher-checkpoint', str(teacher),
                     '--data-args', f'--out {data} --num-train 4 --num-val 2 --img-size 64',
                     '--cfg-options', *options], timeout=600)
    assert proc.returncode == 0, tail(proc)
    rows = json.loads(out.with_suffix('.json').read_text())
    assert list(rows) == ['teacher', 'student', 'distilled student']
    for row in rows.values():
        assert row['curve'][-1][0] == 2 and 'mIoU' in row['curve'][-1][1]
        assert row['params'] > 0 and row['gflops'] > 0 and row['train_s'] > 0
    assert rows['teacher']['params'] > rows['student']['params'] == rows['distilled student']['params']
    table = out.with_suffix('.md').read_text()
    assert table.splitlines()[0] == '| model | params (M) | GFLOPs | mIoU | train time (s) |'
    assert len(table.splitlines()) == 5
    assert Path(str(out) + '_curves.png').stat().st_size > 0
    assert teacher.is_file() and json.loads(teacher.with_suffix('.json').read_text())['curve']
    assert 'distillation' in proc.stdout and 'over the plain student' in proc.stdout


def test_demo_reuses_a_teacher_it_trained_before(tmp_path: Path, capsys) -> None:
    demo = load_tool('demo')
    target = tmp_path / 'teacher.pth'
    target.write_bytes(b'weights')
    target.with_suffix('.json').write_text(json.dumps(dict(train_s=12.0, curve=[[2, {'mIoU': 5.0}]])))
    record = demo.teacher_run(target, lambda: None, lambda result, path: None)
    assert record == dict(train_s=12.0, curve=[[2, {'mIoU': 5.0}]], checkpoint=str(target), reused=True)
    assert 'reusing the teacher' in capsys.readouterr().out


def test_yolo_demo_trains_teacher_plain_and_distilled_students(tmp_path: Path) -> None:
    data = tmp_path / 'digits'
    teacher = tmp_path / 'teacher.pt'
    out = tmp_path / 'results' / 'demo'
    config = REPO / 'configs' / 'distillers' / 'yolo' / 'demo_cwd_yolov8s_seg_to_yolov8n_seg_digits.py'
    options = [f'train_args.data={data}/yolo/segment/digits-seg.yaml', 'train_args.epochs=1', 'train_args.imgsz=64',
               'train_args.batch=4', 'train_args.workers=0', 'train_args.close_mosaic=0', 'teacher_train.epochs=1']
    proc = run_tool([str(REPO / 'tools' / 'demo.py'), str(config), '--work-dir', str(tmp_path / 'work'),
                     '--out', str(out), '--teacher-checkpoint', str(teacher),
                     '--data-args', f'--out {data} --num-train 8 --num-val 4 --img-size 64',
                     '--cfg-options', *options], timeout=600)
    assert proc.returncode == 0, tail(proc)
    rows = json.loads(out.with_suffix('.json').read_text())
    assert list(rows) == ['teacher', 'student', 'distilled student']
    for row in rows.values():
        assert 'metrics/mAP50-95(M)' in row['curve'][-1][1] and row['params'] > 0 and row['gflops'] > 0
    assert rows['teacher']['params'] > rows['student']['params'] == rows['distilled student']['params']
    header = '| model | params (M) | GFLOPs | metrics/mAP50-95(M) | train time (s) |'
    assert header in out.with_suffix('.md').read_text()
    assert teacher.is_file() and teacher.with_suffix('.json').is_file()
    assert Path(str(out) + '_curves.png').stat().st_size > 0
