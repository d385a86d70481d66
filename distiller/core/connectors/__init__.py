"""Connectors between a student feature and its teacher counterpart (registered in ``CONNECTORS``)."""
from .channel_align import ChannelAlign
from .feature_norm import FeatureNorm
from .spatial_resize import SpatialResize

__all__ = ['ChannelAlign', 'FeatureNorm', 'SpatialResize']
