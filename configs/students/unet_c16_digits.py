# UNet (5 stages, 16 base channels, full-resolution decoder) with an FCN head on the digits segmentation data,
# randomly initialised and trained from scratch on the CPU. The background (about 93% of the pixels) is weighted 0.1
# in the cross-entropy so the digits are not drowned out; crop padding is labelled background (no ignore label), which
# mmseg's class-weighted cross-entropy needs.
#   python tools/generate_data.py && python tools/train.py configs/students/unet_c16_digits.py
_base_ = ['../_base_/datasets/digits_seg.py', '../_base_/schedules/adamw_cos_600it.py', '../_base_/default_runtime.py']
default_scope = 'mmseg'
num_classes = 11  # background + digits 0-9
base_channels = 16
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=dict(type='SegDataPreProcessor', mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
                           bgr_to_rgb=True, pad_val=0, seg_pad_val=0, size=(128, 128)),
    pretrained=None,
    backbone=dict(
        type='UNet',
        in_channels=3,
        base_channels=base_channels,
        num_stages=5,
        strides=(1, 1, 1, 1, 1),
        enc_num_convs=(2, 2, 2, 2, 2),
        dec_num_convs=(2, 2, 2, 2),
        downsamples=(True, True, True, True),
        enc_dilations=(1, 1, 1, 1, 1),
        dec_dilations=(1, 1, 1, 1),
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU'),
        upsample_cfg=dict(type='InterpConv'),
        norm_eval=False),
    decode_head=dict(
        type='FCNHead',
        in_channels=base_channels,
        in_index=4,
        channels=base_channels,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=num_classes,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0,
                         class_weight=[0.1] + [1.0] * 10)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
train_dataloader = dict(batch_size=8)
