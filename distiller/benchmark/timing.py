"""Timing training steps side by side: one clock per device, modes interleaved round by round."""
import statistics
import time
from typing import Callable, Dict, List, Sequence

import torch


class StepClock:
    """Times one call: ``perf_counter`` on the CPU, CUDA events (after a synchronize) on a GPU.

    Args:
        device (str): ``'cpu'`` or a CUDA device string.
    """

    def __init__(self, device: str) -> None:
        self.cuda = str(device).startswith('cuda')

    def __call__(self, step: Callable[[], None]) -> float:
        """Run ``step`` once.

        Args:
            step (Callable): The work to time.

        Returns:
            float: Seconds it took (on a GPU, until its queued kernels finished).
        """
        if self.cuda:
            torch.cuda.synchronize()
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            step()
            end.record()
            end.synchronize()
            return start.elapsed_time(end) / 1000.0
        begin = time.perf_counter()
        step()
        return time.perf_counter() - begin


def interleaved_times(modes: Dict[str, Callable[[], None]], clock: StepClock, repeats: int,
                      warmup: int) -> Dict[str, List[float]]:
    """Time every mode once per round, in the same order each round, so drifts of a shared machine (other jobs,
    clock scaling, a warming cache) hit all modes alike.

    Args:
        modes (dict): Mode name -> one step of that mode.
        clock (StepClock): The clock.
        repeats (int): Timed rounds.
        warmup (int): Untimed rounds first (allocator, cudnn autotuning, lazy inits).

    Returns:
        dict[str, list[float]]: Mode -> seconds per round, round by round.
    """
    times: Dict[str, List[float]] = {name: [] for name in modes}
    for round_index in range(warmup + repeats):
        for name, step in modes.items():
            seconds = clock(step)
            if round_index >= warmup:
                times[name].append(seconds)
    return times


def summarize(values: Sequence[float]) -> Dict[str, float]:
    """Min, median and max of a sample.

    Args:
        values (Sequence[float]): The sample.

    Returns:
        dict[str, float]: ``min``, ``median``, ``max``.
    """
    return dict(min=min(values), median=statistics.median(values), max=max(values))
