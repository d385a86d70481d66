# RTMDet-tiny (CSPNeXt, deepen 0.167 / widen 0.375, PAFPN 96 channels) on the digits data, randomly initialised
# (nothing is downloaded) and trained from scratch on the CPU with mosaic and HSV augmentation, BN instead of SyncBN.
#   python tools/generate_data.py && python tools/train.py configs/students/rtmdet_tiny_digits.py
_base_ = ['../_base_/datasets/digits_det.py', '../_base_/schedules/adamw_cos_600it.py', '../_base_/default_runtime.py']
default_scope = 'mmdet'
norm_cfg = dict(type='BN')
act_cfg = dict(type='SiLU', inplace=True)
model = dict(
    type='RTMDet',
    data_preprocessor=dict(type='DetDataPreprocessor', mean=[103.53, 116.28, 123.675], std=[57.375, 57.12, 58.395],
                           bgr_to_rgb=False, batch_augments=None),
    backbone=dict(type='CSPNeXt', arch='P5', expand_ratio=0.5, deepen_factor=0.167, widen_factor=0.375,
                  channel_attention=True, norm_cfg=norm_cfg, act_cfg=act_cfg),
    neck=dict(type='CSPNeXtPAFPN', in_channels=[96, 192, 384], out_channels=96, num_csp_blocks=1, expand_ratio=0.5,
              norm_cfg=norm_cfg, act_cfg=act_cfg),
    bbox_head=dict(
        type='RTMDetSepBNHead',
        num_classes=10,
        in_channels=96,
        stacked_convs=2,
        feat_channels=96,
        anchor_generator=dict(type='MlvlPointGenerator', offset=0, strides=[8, 16, 32]),
        bbox_coder=dict(type='DistancePointBBoxCoder'),
        loss_cls=dict(type='QualityFocalLoss', use_sigmoid=True, beta=2.0, loss_weight=1.0),
        loss_bbox=dict(type='GIoULoss', loss_weight=2.0),
        with_objectness=False,
        exp_on_reg=False,
        share_conv=True,
        pred_kernel_size=1,
        norm_cfg=norm_cfg,
        act_cfg=act_cfg),
    train_cfg=dict(assigner=dict(type='DynamicSoftLabelAssigner', topk=13), allowed_border=-1, pos_weight=-1,
                   debug=False),
    test_cfg=dict(nms_pre=1000, min_bbox_size=0, score_thr=0.001, nms=dict(type='nms', iou_threshold=0.65),
                  max_per_img=100))
# Mosaic of 4 canvases, rescaled and cropped back to 128 px: four times the digits per sample, as Ultralytics does.
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='CachedMosaic', img_scale=(128, 128), pad_val=114.0, max_cached_images=20, random_pop=False),
    dict(type='RandomResize', scale=(256, 256), ratio_range=(0.5, 1.5), keep_ratio=True),
    dict(type='RandomCrop', crop_size=(128, 128)),
    dict(type='YOLOXHSVRandomAug'),
    dict(type='Pad', size=(128, 128), pad_val=dict(img=(114, 114, 114))),
    dict(type='PackDetInputs'),
]
train_dataloader = dict(batch_size=16, dataset=dict(pipeline=train_pipeline))
