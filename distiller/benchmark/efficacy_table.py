"""The efficacy benchmark's arithmetic: per method, the distilled students' metric against the plain students'
over the same seeds, and the markdown table of it."""
import statistics
from typing import Dict, List, Sequence

PLAIN = 'plain student'


def spread(values: Sequence[float]) -> float:
    """Range (max - min) of a metric over seeds; 0 for one seed.

    Args:
        values (Sequence[float]): One value per seed.

    Returns:
        float: ``max - min``.
    """
    return max(values) - min(values)


def summarize_suite(runs: List[Dict], teacher: float) -> List[Dict]:
    """One row per method: mean, spread, delta over the plain student and whether it beats it beyond the spread.

    A method "beats plain" when its mean delta exceeds the larger of the two seed spreads (plain students' and
    distilled students'), the noise a single run of either could show. Paired deltas (same seed) are listed too.

    Args:
        runs (list[dict]): Records with ``method``, ``seed``, ``value`` and ``train_s``; ``method`` is
            :data:`PLAIN` for the plain students.
        teacher (float): The teacher's metric.

    Returns:
        list[dict]: The plain row first, then the methods in the order they first appear.

    Raises:
        ValueError: If there is no plain run, or a method was not run with the plain student's seeds.
    """
    by_method: Dict[str, Dict[int, Dict]] = {}
    for run in runs:
        by_method.setdefault(run['method'], {})[run['seed']] = run
    plain = by_method.pop(PLAIN, None)
    if not plain:
        raise ValueError('no plain-student runs: the deltas need them')
    seeds = sorted(plain)
    plain_values = [plain[s]['value'] for s in seeds]
    plain_mean = statistics.mean(plain_values)
    plain_time = statistics.mean(plain[s]['train_s'] for s in seeds)
    rows = [dict(method=PLAIN, teacher=teacher, mean=plain_mean, spread=spread(plain_values), values=plain_values,
                 delta=0.0, paired_deltas=[0.0] * len(seeds), beats_plain=None, time_vs_plain=1.0, seeds=seeds)]
    for method, by_seed in by_method.items():
        if sorted(by_seed) != seeds:
            raise ValueError(f'{method}: run with seeds {sorted(by_seed)}, the plain student with {seeds}')
        values = [by_seed[s]['value'] for s in seeds]
        mean = statistics.mean(values)
        noise = max(spread(values), spread(plain_values))
        rows.append(dict(method=method, teacher=teacher, mean=mean, spread=spread(values), values=values,
                         delta=mean - plain_mean, paired_deltas=[v - p for v, p in zip(values, plain_values)],
                         beats_plain=mean - plain_mean > noise,
                         time_vs_plain=statistics.mean(by_seed[s]['train_s'] for s in seeds) / plain_time,
                         seeds=seeds))
    return rows


def _fmt(value: float, scale: float) -> str:
    """A metric with the precision its scale needs (0-1 mAP: 4 decimals; 0-100 mIoU: 2)."""
    return f'{value:.4f}' if scale <= 1 else f'{value:.2f}'


def suite_markdown(title: str, metric: str, rows: List[Dict]) -> str:
    """The table of one suite.

    Args:
        title (str): Heading (family, teacher -> student).
        metric (str): The metric's name.
        rows (list[dict]): :func:`summarize_suite`'s rows.

    Returns:
        str: A markdown section (heading and table).
    """
    scale = 100.0 if any(abs(v) > 1 for r in rows for v in r['values'] + [r['teacher']]) else 1.0
    fmt = lambda value: _fmt(value, scale)  # noqa: E731
    signed = lambda value: ('+' if value >= 0 else '-') + fmt(abs(value))  # noqa: E731
    lines = [f'#### {title}', '',
             f'teacher {metric}: {fmt(rows[0]["teacher"])}; seeds {", ".join(map(str, rows[0]["seeds"]))}', '',
             f'| method | {metric} (mean) | per seed | spread (max-min) | delta vs plain | paired deltas | '
             'beats plain by more than the spread | train time vs plain |',
             '|---|---|---|---|---|---|---|---|']
    for row in rows:
        verdict = '-' if row['beats_plain'] is None else ('**yes**' if row['beats_plain'] else 'no')
        lines.append(f'| {row["method"]} | {fmt(row["mean"])} | {" / ".join(fmt(v) for v in row["values"])} | '
                     f'{fmt(row["spread"])} | {signed(row["delta"])} | '
                     f'{" / ".join(signed(d) for d in row["paired_deltas"])} | {verdict} | '
                     f'{row["time_vs_plain"]:.2f} |')
    return '\n'.join(lines) + '\n'
