"""mmengine distillers (registered in ``DISTILLERS``)."""
from .base_distiller import BaseDistiller
from .detection_distiller import DetectionDistiller
from .model_builder import build_model
from .segmentation_distiller import SegmentationDistiller

__all__ = ['BaseDistiller', 'DetectionDistiller', 'SegmentationDistiller', 'build_model']
