# Semantic segmentation on the digits data with RTMDet-tiny's backbone (mmdet's CSPNeXt, deepen 0.167 / widen
# 0.375, strides 4-32) and mmseg's FPN head, randomly initialised and trained from scratch on the CPU: the recipe of
# the RTMDet digits detector (batch 16, AdamW, 600 iterations) applied to segmentation. The background (about 93% of
# the pixels) is weighted 0.1 in the cross-entropy; crop padding is labelled background (no ignore label), which
# mmseg's class-weighted cross-entropy needs.
#   python tools/generate_data.py && python tools/train.py configs/students/cspnext_tiny_fpn_digits.py
_base_ = ['../_base_/datasets/digits_seg.py', '../_base_/schedules/adamw_cos_600it.py', '../_base_/default_runtime.py']
default_scope = 'mmseg'
custom_imports = dict(imports=['mmdet.models'], allow_failed_imports=False)
num_classes = 11  # background + digits 0-9
deepen_factor, widen_factor = 0.167, 0.375
stage_channels = [int(c * widen_factor) for c in (128, 256, 512, 1024)]
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=dict(type='SegDataPreProcessor', mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
                           bgr_to_rgb=True, pad_val=0, seg_pad_val=0, size=(128, 128)),
    pretrained=None,
    backbone=dict(type='mmdet.CSPNeXt', arch='P5', expand_ratio=0.5, deepen_factor=deepen_factor,
                  widen_factor=widen_factor, out_indices=(1, 2, 3, 4), channel_attention=True,
                  norm_cfg=norm_cfg, act_cfg=dict(type='SiLU')),
    decode_head=dict(
        type='FPNHead',
        in_channels=stage_channels,
        in_index=[0, 1, 2, 3],
        feature_strides=[4, 8, 16, 32],
        channels=64,
        dropout_ratio=0.1,
        num_classes=num_classes,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0,
                         class_weight=[0.1] + [1.0] * 10)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
train_dataloader = dict(batch_size=16)
