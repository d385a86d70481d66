# PSPNet ResNet-50 (V1c, output stride 8) on the digits data: the teacher of the digits segmentation experiments.
# Train it with `python tools/train.py configs/teachers/pspnet_r50_digits.py` and copy its final checkpoint to
# pretrained_model/pspnet_r50_digits.pth (the distiller configs expect it there).
_base_ = ['../students/pspnet_r18_digits.py']
model = dict(
    backbone=dict(depth=50),
    decode_head=dict(in_channels=2048, channels=256),
    auxiliary_head=dict(in_channels=1024, channels=128))
