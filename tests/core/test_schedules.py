"""Weight schedules against their closed forms."""
import math

import pytest

from distiller.core import ConstantWeight, CosineDecay, LinearWarmup, TrainProgress
from distiller.registry import WEIGHT_SCHEDULES


def test_constant_until_stop_epoch() -> None:
    sched = ConstantWeight(stop_epoch=3)
    assert [sched(TrainProgress(iter=100 * e, epoch=e)) for e in range(5)] == [1, 1, 1, 0, 0]


def test_linear_warmup_by_iteration() -> None:
    sched = LinearWarmup(warmup=4, start_factor=0.2)
    got = [sched(TrainProgress(iter=i)) for i in range(7)]
    assert got == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0, 1.0, 1.0])


def test_cosine_decay_matches_yolov8_mgd_formula() -> None:
    n = 10
    sched = CosineDecay(start=1.0, end=0.1, num_steps=n)
    for i in range(n + 3):
        j = min(i, n)
        expected = (1 - math.cos(j * math.pi / n)) / 2 * (0.1 - 1.0) + 1.0
        assert sched(TrainProgress(iter=i)) == pytest.approx(expected)
    assert sched(TrainProgress(iter=0)) == pytest.approx(1.0) and sched(TrainProgress(iter=n)) == pytest.approx(0.1)


def test_cosine_decay_over_the_run_in_epochs() -> None:
    sched = WEIGHT_SCHEDULES.build(dict(type='CosineDecay', start=2.0, end=0.0, by_epoch=True, stop_epoch=4))
    progress = [TrainProgress(iter=0, epoch=e, max_epochs=4) for e in range(5)]
    assert [sched(p) for p in progress] == pytest.approx([2.0, 1.7071068, 1.0, 0.2928932, 0.0])
    assert sched(TrainProgress(epoch=1, max_epochs=4)) == pytest.approx(1 + math.cos(math.pi / 4))


def test_cosine_decay_without_run_length_is_explained() -> None:
    with pytest.raises(ValueError, match='CosineDecay: set num_steps, or run it where the total number of iterations'):
        CosineDecay()(TrainProgress(iter=3))


def test_bad_warmup_is_explained() -> None:
    with pytest.raises(ValueError, match='LinearWarmup: warmup must be a positive number of steps, got 0'):
        LinearWarmup(warmup=0)


def test_cosine_decay_per_epoch_restarts_every_epoch_as_the_yolov8_mgd_recipe():
    """The recipe's weight: ((1 - cos(i * pi / n)) / 2) * (0.1 - 1) + 1, i the batch index inside the epoch."""
    schedule = CosineDecay(start=1.0, end=0.1, per_epoch=True)
    n = 7
    for it in range(3 * n):
        i = it % n
        recipe = ((1 - math.cos(i * math.pi / n)) / 2) * (0.1 - 1) + 1
        progress = TrainProgress(iter=it, epoch=it // n, iters_per_epoch=n, max_iters=3 * n, max_epochs=3)
        assert schedule(progress) == pytest.approx(recipe, abs=1e-12)
    assert schedule(TrainProgress(iter=n, iters_per_epoch=n)) == 1.0  # back to the start at each epoch


def test_cosine_decay_per_epoch_needs_a_period():
    with pytest.raises(ValueError, match='set num_steps, or run it where the iterations per epoch are known'):
        CosineDecay(per_epoch=True)(TrainProgress(iter=3))
    with pytest.raises(ValueError, match='per_epoch restarts within each epoch'):
        CosineDecay(per_epoch=True, by_epoch=True)
    assert CosineDecay(per_epoch=True, num_steps=4)(TrainProgress(iter=6)) == pytest.approx(
        ((1 - math.cos(2 * math.pi / 4)) / 2) * (0.1 - 1) + 1)
