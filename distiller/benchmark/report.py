"""Ratios of a step-time run against the targets, as JSON and as a markdown table."""
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional

from .timing import summarize

TIME_TARGETS = {
    'ours / (student + teacher_to_hook)': ('ours', ('student', 'teacher_to_hook'), 1.05),
    'ours / naive': ('ours', ('naive', ), 0.85),
    'teacher_to_hook / teacher_full': ('teacher_to_hook', ('teacher_full', ), None),
}
MEMORY_TARGET = 1.15


@dataclass
class StepReport:
    """The measurements of one config in one setting (device, precision).

    Args:
        name (str): Row label (config stem).
        config (str): Config path.
        device (str): ``cpu`` or ``cuda``, with the device name.
        precision (str): ``fp32``, ``fp16`` or ``bf16`` (AMP), plus the teacher dtype where set.
        img_size (list[int]): Height and width.
        batch_size (int): Images per step.
        times (dict[str, list[float]]): Mode -> seconds per round (interleaved rounds).
        teacher_bytes (int): Bytes of the teacher's weights.
        memory (dict[str, int]): Mode -> peak bytes of a process running only that mode (empty when not measured).
    """

    name: str
    config: str
    device: str
    precision: str
    img_size: List[int]
    batch_size: int
    times: Dict[str, List[float]]
    teacher_bytes: int
    memory: Dict[str, int] = field(default_factory=dict)

    def time_ratios(self) -> Dict[str, dict]:
        """Each target ratio computed round by round (the modes of one round ran back to back).

        Returns:
            dict: Ratio name -> min/median/max, the target (None: informational) and whether the median meets it.
        """
        ratios = {}
        for label, (num, dens, target) in TIME_TARGETS.items():
            if num not in self.times or any(d not in self.times for d in dens):
                continue
            per_round = [self.times[num][i] / sum(self.times[d][i] for d in dens) for i in range(len(self.times[num]))]
            stats = summarize(per_round)
            ratios[label] = dict(**stats, target=target, met=None if target is None else stats['median'] <= target)
        return ratios

    def memory_ratio(self) -> Optional[dict]:
        """Peak memory of our step against the student's training peak plus the teacher's weights.

        Returns:
            dict | None: The ratio, the naive step's same ratio, the target and whether ours meets it.
        """
        if not {'student', 'ours'} <= set(self.memory):
            return None
        floor = self.memory['student'] + self.teacher_bytes
        ratio = dict(ours=self.memory['ours'] / floor, target=MEMORY_TARGET)
        if 'naive' in self.memory:
            ratio['naive'] = self.memory['naive'] / floor
        ratio['met'] = ratio['ours'] <= MEMORY_TARGET
        return ratio

    def to_dict(self) -> dict:
        """Everything measured plus the derived ratios and per-mode summaries.

        Returns:
            dict: JSON-ready.
        """
        data = asdict(self)
        data['summary'] = {mode: summarize(values) for mode, values in self.times.items()}
        data['time_ratios'] = self.time_ratios()
        data['memory_ratio'] = self.memory_ratio()
        return data


def markdown_table(reports: List[StepReport]) -> str:
    """One row per report: median step times and the ratios against their targets.

    Args:
        reports (list[StepReport]): The runs.

    Returns:
        str: A markdown table.
    """
    head = ('| config | device, precision | student ms | teacher to hook / full ms | naive ms | ours ms '
            '| ours / (student + teacher to hook), target <= 1.05 | ours / naive, target <= 0.85 '
            '| peak memory ours / (student + teacher weights), target <= 1.15 |')
    lines = [head, '|' + '---|' * head.count(' | ') + '---|']
    for report in reports:
        med = {mode: summarize(values)['median'] * 1000 for mode, values in report.times.items()}
        ratios = report.time_ratios()
        memory = report.memory_ratio()
        memory_cell = '-' if memory is None else (
            f'{memory["ours"]:.2f} {_mark(memory["met"])} (naive {memory.get("naive", float("nan")):.2f})')
        lines.append(
            f'| {report.name} | {report.device}, {report.precision} | {med["student"]:.0f} '
            f'| {med["teacher_to_hook"]:.0f} / {med["teacher_full"]:.0f} | {med["naive"]:.0f} | {med["ours"]:.0f} '
            f'| {_ratio_cell(ratios.get("ours / (student + teacher_to_hook)"))} '
            f'| {_ratio_cell(ratios.get("ours / naive"))} | {memory_cell} |')
    return '\n'.join(lines) + '\n'


def _ratio_cell(ratio: Optional[dict]) -> str:
    """``median (min-max) mark``."""
    if ratio is None:
        return '-'
    return f'{ratio["median"]:.3f} ({ratio["min"]:.3f}-{ratio["max"]:.3f}) {_mark(ratio["met"])}'


def _mark(met: Optional[bool]) -> str:
    """Met / missed."""
    return '' if met is None else ('met' if met else '**missed**')
