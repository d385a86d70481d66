# mmdet rows of `make benchmark` (tools/benchmark/efficacy.py): RTMDet-s teacher -> RTMDet-tiny student on the
# embedded digits data (128 px, from scratch, 600 iterations of batch 16; COCO bbox mAP from mmdet's CocoMetric).
# The teacher (pretrained_model/rtmdet_s_digits.pth) is trained on the first run (1200 iterations, its own config)
# and kept. The runs use their own copy of the data with 500 validation images (the default split has 50), so that
# the validation adds little to the seed spread; the training images are the same.
title = 'mmdet: RTMDet-s -> RTMDet-tiny (digits, 128 px, 600 iterations)'
seeds = [0, 1, 2]
data = dict(root='data/digits_bench', num_val=500)
methods = {
    'CWD': 'configs/distillers/digits/cwd_rtmdet_s_to_tiny_digits.py',
    'CrossKD': 'configs/distillers/digits/crosskd_rtmdet_s_to_tiny_digits.py',
    'FGD': 'configs/distillers/digits/fgd_rtmdet_s_to_tiny_digits.py',
    'FGD (balanced)': 'configs/distillers/digits/fgd_balanced_rtmdet_s_to_tiny_digits.py',
    'FGD (balanced x2)': 'configs/distillers/digits/fgd_balanced_x2_rtmdet_s_to_tiny_digits.py',
    'FGD (balanced x4)': 'configs/distillers/digits/fgd_balanced_x4_rtmdet_s_to_tiny_digits.py',
    'FGD (balanced x4, level shares by cells)':
        'configs/distillers/digits/fgd_balanced_x4_by_cells_rtmdet_s_to_tiny_digits.py',
    'MGD': 'configs/distillers/digits/mgd_rtmdet_s_to_tiny_digits.py',
    'PKD': 'configs/distillers/digits/pkd_rtmdet_s_to_tiny_digits.py',
    'mimic': 'configs/distillers/digits/mimic_rtmdet_s_to_tiny_digits.py',
    'mimic (balanced)': 'configs/distillers/digits/mimic_balanced_rtmdet_s_to_tiny_digits.py',
    'mimic (balanced x2)': 'configs/distillers/digits/mimic_balanced_x2_rtmdet_s_to_tiny_digits.py',
    'mimic (balanced x4)': 'configs/distillers/digits/mimic_balanced_x4_rtmdet_s_to_tiny_digits.py',
    'mimic (balanced x8)': 'configs/distillers/digits/mimic_balanced_x8_rtmdet_s_to_tiny_digits.py',
    'mimic (balanced x4, level shares by cells)':
        'configs/distillers/digits/mimic_balanced_x4_by_cells_rtmdet_s_to_tiny_digits.py',
}
