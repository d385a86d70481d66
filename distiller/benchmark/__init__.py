"""Measuring the cost of a distillation step against its parts and against the naive approach."""
from .memory import PeakMemory
from .mm_suite import MMStepSuite
from .report import StepReport
from .timing import StepClock, interleaved_times, summarize
from .yolo_suite import YOLOStepSuite

__all__ = ['PeakMemory', 'MMStepSuite', 'StepReport', 'StepClock', 'interleaved_times', 'summarize',
           'YOLOStepSuite']
