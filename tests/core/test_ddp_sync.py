"""Two CPU processes (gloo): connectors and loss-owned layers built differently on each rank are made identical by
one broadcast, their gradients are averaged like DDP's, and they stay identical through optimizer steps; loss-scale
balancing reduces its measurements, so ranks that saw different task losses fix the same weights."""
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.kd_runner_helpers import REPO, subprocess_env

pytestmark = pytest.mark.slow


def _script(tmp_path: Path) -> Path:
    body = '''
import sys
import torch
import torch.distributed as dist
from torch import nn
import distiller.losses  # noqa: F401
from distiller.core import DistillLossSet
from distiller.core.ddp_sync import average_gradients, broadcast_module


class Pair(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.body = nn.Conv2d(3, width, 3, padding=1)

    def forward(self, x):
        return self.body(x)


dist.init_process_group('gloo')
rank = dist.get_rank()
torch.manual_seed(0)
student, teacher = Pair(4), Pair(8)
torch.manual_seed(100 + rank)  # as Ultralytics seeds each rank differently: the loss layers start different
losses = DistillLossSet([dict(student_module='body', teacher_module='body',
                              methods=[dict(type='MGDLoss', name='loss_mgd')])], student, teacher)
x = torch.randn(2, 3, 8, 8)
losses.calibrate(lambda: student(x), lambda: teacher(x))


def same_on_every_rank():
    flat = torch.cat([p.detach().flatten() for p in losses.parameters()])
    gathered = [torch.zeros_like(flat) for _ in range(dist.get_world_size())]
    dist.all_gather(gathered, flat)
    return all(torch.equal(gathered[0], g) for g in gathered)


def step(loss_set, seed, **kwargs):
    data = torch.randn(2, 3, 8, 8, generator=torch.Generator().manual_seed(seed))
    with loss_set.recording():
        with torch.no_grad():
            loss_set.teacher_recorder.run(teacher, data)
        student(data)
        return loss_set(**kwargs)


started_different = not same_on_every_rank()
broadcast_module(losses)
optimizer = torch.optim.SGD(losses.parameters(), lr=0.1)
reports = []
for step_index in range(3):
    loss = step(losses, 10 * step_index + rank)['loss_mgd']
    optimizer.zero_grad()
    loss.backward()
    local = [p.grad.detach().clone() for p in losses.parameters()]
    average_gradients(losses.parameters())
    mean = []
    for grad in local:
        total = grad.clone()
        dist.all_reduce(total)
        mean.append(total / dist.get_world_size())
    reports.append(all(torch.allclose(p.grad, m) for p, m in zip(losses.parameters(), mean)))
    optimizer.step()
balanced = DistillLossSet([dict(student_module='body', teacher_module='body',
                                methods=[dict(type='MimicLoss', name='loss_mimic',
                                             balance=dict(ratio=0.5, iters=2))])],
                          student, teacher)
balanced.calibrate(lambda: student(x), lambda: teacher(x))
broadcast_module(balanced)
for step_index in range(2):
    step(balanced, 100 * step_index + rank, task_loss=torch.tensor(1.0 + rank))
multipliers = balanced.methods['loss_mimic'].balancer.multipliers.clone()
gathered = [torch.zeros_like(multipliers) for _ in range(dist.get_world_size())]
dist.all_gather(gathered, multipliers)
report = (f'rank{rank} started_different={started_different} grads_are_the_mean={all(reports)} '
          f'identical_after_steps={same_on_every_rank()} '
          f'same_balance={all(torch.equal(gathered[0], g) for g in gathered)}')
with open(f'{sys.argv[1]}/rank{rank}.txt', 'w') as handle:  # one file per rank: their stdout interleaves
    handle.write(report)
dist.destroy_process_group()
'''
    path = tmp_path / 'ddp_sync_worker.py'
    path.write_text(body)
    return path


def test_loss_layers_outside_ddp_stay_identical_across_two_gloo_ranks(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2', f'--master_port={port}',
           str(_script(tmp_path)), str(tmp_path)]
    proc = subprocess.run(cmd, cwd=str(REPO), env=subprocess_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    lines = [(tmp_path / f'rank{r}.txt').read_text() for r in (0, 1)]
    assert lines == [f'rank{r} started_different=True grads_are_the_mean=True identical_after_steps=True '
                     'same_balance=True' for r in (0, 1)], proc.stdout
