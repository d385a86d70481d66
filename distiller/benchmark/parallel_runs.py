"""Several ``tools/train.py`` runs at once, one thread each, with a progress line and the time left.

Two single-threaded processes do more work per second on a 2-core machine than one process with two threads (small
convolutions scale poorly across threads), so the demo runs its trainings side by side. Each run writes its own log;
the pool prints when a run starts and ends, and every ``report_s`` seconds where each run is (read from mmengine's
``Iter(train) [i/N] ... time: t`` lines) with an estimate of the time left.
"""
import heapq
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

_ITER = re.compile(r'Iter\(train\) \[\s*(\d+)/(\d+)\].*?\btime: ([\d.]+)')


@dataclass
class Run:
    """One training run of the pool.

    Args:
        name (str): Label in the progress lines.
        args (list[str]): The script and its arguments (run with this interpreter).
        log (Path): Where its output goes.
        iterations (int): Its length, for the estimate before it starts.
        kind (str): Runs of one kind share their measured seconds per iteration.
        after (str, optional): Name of a run that must end first.
        read (Callable, optional): Called with its wall time in seconds when it ends; returns the run's result.
    """

    name: str
    args: List[str]
    log: Path
    iterations: int
    kind: str
    after: Optional[str] = None
    read: Optional[Callable[[float], Dict]] = None
    started: float = field(default=0.0, init=False)


def _progress(log: Path) -> Optional[Tuple[int, int, float]]:
    """The last ``(iteration, total, seconds per iteration)`` an mmengine log reports, or None."""
    if not log.is_file():
        return None
    with open(log, 'rb') as handle:
        handle.seek(max(0, log.stat().st_size - 20000))
        matches = _ITER.findall(handle.read().decode(errors='replace'))
    return (int(matches[-1][0]), int(matches[-1][1]), float(matches[-1][2])) if matches else None


def _minutes(seconds: float) -> str:
    return f'{seconds / 60:.1f} min' if seconds >= 60 else f'{seconds:.0f} s'


class RunPool:
    """Run :class:`Run` s, ``workers`` at a time, each process with ``threads`` threads.

    Args:
        cwd (Path): Working directory of every run.
        workers (int): Runs at once.
        threads (int): ``OMP_NUM_THREADS`` / ``MKL_NUM_THREADS`` of each run.
        tag (str): Prefix of the printed lines.
        report_s (float): Seconds between progress lines.
    """

    def __init__(self, cwd: Path, workers: int, threads: int, tag: str = 'run', report_s: float = 30.0) -> None:
        self.cwd, self.workers, self.tag, self.report_s = cwd, max(1, workers), tag, report_s
        self.env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
        self.rates: Dict[str, List[float]] = {}

    def _say(self, text: str) -> None:
        print(f'[{self.tag}] {text}', flush=True)

    def _rate(self, kind: str) -> float:
        """Mean seconds per iteration of the finished runs of ``kind`` (start-up and validation included)."""
        rates = self.rates[kind]
        return sum(rates) / len(rates)

    def _time_left(self, running: Dict[str, Tuple[Run, subprocess.Popen]],
                   queued: List[Run]) -> Optional[Tuple[float, bool]]:
        """Seconds until the last run ends, and whether that is rough: the running runs finish at their logged rate
        and each waiting run goes to the first free worker (a kind that has not run yet is taken at the mean rate of
        the kinds that have). None before every running run has logged an iteration."""
        ends, live = [], {}
        for run, _ in running.values():
            progress = _progress(run.log)
            if progress is None:
                return None
            done, total, seconds = progress
            ends.append((total - done) * seconds)
            live.setdefault(run.kind, seconds)
        known = dict(live, **{kind: self._rate(kind) for kind in self.rates})  # finished kinds: measured rates
        ends += [0.0] * (self.workers - len(ends))
        heapq.heapify(ends)
        rough = False
        for run in queued:
            rate = known.get(run.kind)
            if rate is None:
                rate, rough = sum(known.values()) / len(known), True
            heapq.heappush(ends, heapq.heappop(ends) + run.iterations * rate)
        return max(ends), rough

    def _report(self, running: Dict[str, Tuple[Run, subprocess.Popen]], queued: List[Run]) -> None:
        parts = []
        for run, _ in running.values():
            progress = _progress(run.log)
            parts.append(f'{run.name} {progress[0]}/{progress[1]}' if progress else f'{run.name} starting')
        left = self._time_left(running, queued)
        if left is None:
            estimate = 'time left known once the runs report'
        else:
            estimate = f'about {_minutes(left[0])} left' + (' (rough until every kind has run)' if left[1] else '')
        self._say(f'running: {", ".join(parts)}; {len(queued)} waiting; {estimate}')

    def _start(self, run: Run) -> subprocess.Popen:
        run.log.parent.mkdir(parents=True, exist_ok=True)
        run.started = time.perf_counter()
        self._say(f'start: {run.name} (log: {run.log})')
        with open(run.log, 'w') as log:
            return subprocess.Popen([sys.executable, *run.args], cwd=str(self.cwd), env=self.env, stdout=log,
                                    stderr=subprocess.STDOUT)

    def run(self, runs: List[Run]) -> Dict[str, Dict]:
        """Run everything; stop all runs at the first failure.

        Args:
            runs (list[Run]): In the order they should start.

        Returns:
            dict: Run name -> ``dict(train_s=..., **read(train_s))``.

        Raises:
            RuntimeError: A run exited with an error (the message names its log and ends with its last lines).
        """
        queued, running, results = list(runs), {}, {}
        last_report = time.perf_counter()
        try:
            while queued or running:
                for run in [r for r in queued if r.after is None or r.after in results]:
                    if len(running) >= self.workers:
                        break
                    queued.remove(run)
                    running[run.name] = (run, self._start(run))
                time.sleep(1.0)
                for name, (run, proc) in list(running.items()):
                    if proc.poll() is None:
                        continue
                    del running[name]
                    if proc.returncode != 0:
                        tail = ''.join(run.log.read_text(errors='replace').splitlines(True)[-15:])
                        raise RuntimeError(f'{run.name} failed (exit {proc.returncode}); log {run.log}:\n{tail}')
                    seconds = time.perf_counter() - run.started
                    progress = _progress(run.log)
                    if progress:
                        self.rates.setdefault(run.kind, []).append(seconds / progress[1])
                    results[name] = dict(run.read(seconds) if run.read else {}, train_s=seconds)
                    self._say(f'done: {run.name} in {_minutes(seconds)} ({len(results)} of {len(runs)})')
                if running and time.perf_counter() - last_report >= self.report_s:
                    self._report(running, queued)
                    last_report = time.perf_counter()
        finally:
            for _, proc in running.values():
                proc.kill()
        return results
