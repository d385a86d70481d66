# UNet with 32 base channels (4x the student's FLOPs) on the digits segmentation data: the teacher of the digits
# segmentation benchmark, with the student's data, schedule and recipe. `make benchmark` trains it once and keeps it
# at pretrained_model/unet_c32_digits.pth; by hand: `python tools/train.py configs/teachers/unet_c32_digits.py`.
_base_ = ['../students/unet_c16_digits.py']
model = dict(backbone=dict(base_channels=32), decode_head=dict(in_channels=32, channels=32))
