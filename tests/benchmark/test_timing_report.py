"""Interleaved timing, the per-round ratios against their targets and the peak-memory probe."""
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from distiller.benchmark import StepReport, interleaved_times, summarize
from distiller.benchmark.memory import MALLOC_ENV
from distiller.benchmark.report import markdown_table

REPO = Path(__file__).resolve().parents[2]


def test_modes_are_interleaved_round_by_round_and_warmup_is_dropped() -> None:
    calls = []
    ticks = itertools.count()

    def clock(step):
        step()
        return float(next(ticks))

    modes = {name: (lambda name=name: calls.append(name)) for name in ('a', 'b', 'c')}
    times = interleaved_times(modes, clock, repeats=2, warmup=1)
    assert calls == ['a', 'b', 'c'] * 3
    assert times == {'a': [3.0, 6.0], 'b': [4.0, 7.0], 'c': [5.0, 8.0]}
    assert summarize([3.0, 1.0, 2.0]) == dict(min=1.0, median=2.0, max=3.0)


def report(**memory) -> StepReport:
    times = dict(student=[1.0, 2.0, 1.0], teacher_to_hook=[0.5, 0.5, 1.0], teacher_full=[1.0, 1.0, 2.0],
                 naive=[2.0, 4.0, 2.0], ours=[1.5, 3.0, 2.4])
    return StepReport(name='cfg', config='cfg.py', device='cpu', precision='fp32', img_size=[64, 64], batch_size=2,
                      times=times, teacher_bytes=100, memory=memory)


def test_ratios_are_taken_within_each_round() -> None:
    ratios = report().time_ratios()
    floor = ratios['ours / (student + teacher_to_hook)']
    # Rounds: 1.5 / 1.5, 3.0 / 2.5, 2.4 / 2.0.
    assert (floor['min'], floor['median'], floor['max']) == pytest.approx((1.0, 1.2, 1.2))
    assert floor['target'] == 1.05 and floor['met'] is False
    naive = ratios['ours / naive']
    assert (naive['min'], naive['median'], naive['max']) == pytest.approx((0.75, 0.75, 1.2))
    assert naive['met'] is True
    assert ratios['teacher_to_hook / teacher_full']['target'] is None


def test_memory_ratio_counts_the_teacher_weights() -> None:
    assert report().memory_ratio() is None
    ratio = report(student=900, naive=1200, ours=1100).memory_ratio()
    assert ratio == pytest.approx(dict(ours=1.1, naive=1.2, target=1.15, met=True))
    table = markdown_table([report(student=900, naive=1200, ours=1100)])
    assert '| cfg | cpu, fp32 | 1000 | 500 / 1000 | 2000 | 2400 | 1.200 (1.000-1.200) **missed** ' in table
    assert '| 0.750 (0.750-1.200) met | 1.10 met (naive 1.20) |' in table


def test_cpu_peak_memory_sees_a_large_allocation_and_resets() -> None:
    """Run where the tool runs its memory processes: a fresh process with the fixed malloc mmap threshold."""
    script = """
import json, torch
from distiller.benchmark import PeakMemory
memory = PeakMemory('cpu')
memory.reset()
block = torch.ones(64 * 2**20 // 4)  # 64 MiB, written so that it is resident
held = memory.peak_bytes()
del block
memory.reset()
print(json.dumps([held, memory.peak_bytes()]))
"""
    proc = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True, timeout=120,
                          cwd=str(REPO), env=dict(os.environ, PYTHONPATH=str(REPO), **MALLOC_ENV))
    assert proc.returncode == 0, proc.stderr
    held, after = json.loads(proc.stdout.strip().splitlines()[-1])
    assert held >= 60 * 2**20
    assert after < held - 50 * 2**20
