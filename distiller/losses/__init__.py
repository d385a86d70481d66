"""Registered distillation losses, one per file (see the README's loss table)."""
from .ab import ABLoss
from .at import ATLoss
from .base import BaseDistillLoss
from .binary_kd import BinaryKDLoss
from .cc import CCLoss
from .crd import CRDLoss
from .cwd import ChannelWiseDivergence
from .delta_giou_kd import DeltaGIoUKDLoss
from .distance_giou_kd import DistanceGIoUKDLoss
from .dkd import DKDLoss
from .fgd import FGDLoss
from .fsp import FSPLoss
from .ft import FTLoss
from .kd import KDLoss
from .kdsvd import KDSVDLoss
from .logit_mse import LogitMSELoss
from .mgd import MGDLoss
from .mimic import MimicLoss
from .nst import NSTLoss
from .pkd import PKDLoss
from .pkt import PKTLoss
from .quality_focal_kd import QualityFocalKDLoss
from .rkd import RKDLoss
from .sp import SPLoss
from .vid import VIDLoss

__all__ = [
    'BaseDistillLoss', 'ABLoss', 'ATLoss', 'BinaryKDLoss', 'CCLoss', 'CRDLoss', 'ChannelWiseDivergence',
    'DeltaGIoUKDLoss', 'DistanceGIoUKDLoss', 'DKDLoss', 'FGDLoss', 'FSPLoss', 'FTLoss', 'KDLoss', 'KDSVDLoss',
    'LogitMSELoss', 'MGDLoss', 'MimicLoss', 'NSTLoss', 'PKDLoss', 'PKTLoss', 'QualityFocalKDLoss', 'RKDLoss', 'SPLoss',
    'VIDLoss'
]
