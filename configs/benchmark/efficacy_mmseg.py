# mmseg rows of `make benchmark` (tools/benchmark/efficacy.py): UNet-c32 teacher -> UNet-c16 student on the embedded
# digits data (128 px, from scratch, 600 iterations of batch 8; mIoU from mmseg's IoUMetric).
# The teacher (pretrained_model/unet_c32_digits.pth) is trained with the same schedule on the first run and kept.
title = 'mmseg: UNet-c32 -> UNet-c16 (digits, 128 px, 600 iterations)'
seeds = [0, 1]
methods = {
    'CWD': 'configs/distillers/digits/cwd_unet_c32_to_c16_digits.py',
    'MGD': 'configs/distillers/digits/mgd_unet_c32_to_c16_digits.py',
    'mimic': 'configs/distillers/digits/mimic_unet_c32_to_c16_digits.py',
    'PKD': 'configs/distillers/digits/pkd_unet_c32_to_c16_digits.py',
}
