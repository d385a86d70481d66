# mmseg rows of `make benchmark` (tools/benchmark/efficacy.py): CSPNeXt-s + FPN head teacher -> CSPNeXt-tiny + FPN
# head student (RTMDet's backbones under mmseg's FPN head) on the embedded digits data (128 px, from scratch, 600
# iterations of batch 16; mIoU from mmseg's IoUMetric). The teacher (pretrained_model/cspnext_s_fpn_digits.pth) is
# trained on the first run (1200 iterations, its own config) and kept. The runs use the mmdet suite's copy of the
# data with 500 validation images (the default split has 50), so that the validation adds little to the seed spread;
# the training images are the same.
title = 'mmseg: CSPNeXt-s FPN -> CSPNeXt-tiny FPN (digits, 128 px, 600 iterations)'
seeds = [0, 1, 2]
data = dict(root='data/digits_bench', num_val=500)
methods = {
    'CWD': 'configs/distillers/digits/cwd_cspnext_s_to_tiny_fpn_digits.py',
    'SimKD-style (cross-head CWD)': 'configs/distillers/digits/simkd_cspnext_s_to_tiny_fpn_digits.py',
    'MGD': 'configs/distillers/digits/mgd_cspnext_s_to_tiny_fpn_digits.py',
    'MGD (balanced x4, level shares by cells)':
        'configs/distillers/digits/mgd_balanced_x4_by_cells_cspnext_s_to_tiny_fpn_digits.py',
    'mimic': 'configs/distillers/digits/mimic_cspnext_s_to_tiny_fpn_digits.py',
    'mimic (balanced x4, level shares by cells)':
        'configs/distillers/digits/mimic_balanced_x4_by_cells_cspnext_s_to_tiny_fpn_digits.py',
    'PKD': 'configs/distillers/digits/pkd_cspnext_s_to_tiny_fpn_digits.py',
    'PKD (balanced x4, level shares by cells)':
        'configs/distillers/digits/pkd_balanced_x4_by_cells_cspnext_s_to_tiny_fpn_digits.py',
    'pixel KD': 'configs/distillers/digits/kd_cspnext_s_to_tiny_fpn_digits.py',
    'pixel KD (balanced)': 'configs/distillers/digits/kd_balanced_cspnext_s_to_tiny_fpn_digits.py',
    'pixel KD (class-weighted)': 'configs/distillers/digits/kd_class_weighted_cspnext_s_to_tiny_fpn_digits.py',
    'pixel KD (class-weighted, balanced)':
        'configs/distillers/digits/kd_class_weighted_balanced_cspnext_s_to_tiny_fpn_digits.py',
}
