"""The embedded default dataset: real handwritten digits composited on cluttered canvases.

``generate_digits`` writes one generation in the COCO (mmdet), semantic-map (mmseg) and YOLO (Ultralytics detect,
segment, pose) formats; ``tools/generate_data.py`` is its command line.
"""
from .digits import DIGIT_CLASSES, Canvas, CanvasSpec, load_digit_scans, render_canvas
from .generate import DigitsSpec, generate_digits, read_meta
from .yolo_writer import FLIP_IDX, KEYPOINT_NAMES, YAML_NAMES

SEG_CLASSES = ('background', ) + DIGIT_CLASSES

__all__ = [
    'DIGIT_CLASSES', 'SEG_CLASSES', 'FLIP_IDX', 'KEYPOINT_NAMES', 'YAML_NAMES', 'Canvas', 'CanvasSpec', 'DigitsSpec',
    'generate_digits', 'load_digit_scans', 'read_meta', 'render_canvas'
]
