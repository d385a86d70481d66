# MGD (Yang et al., ECCV 2022) on the last decoder feature (full resolution, 16 -> 32 channels through the loss's align
# conv): UNet-c32 teacher -> UNet-c16 student on the embedded digits data; data, schedule and recipe are the student's.
# Teacher, student and training: configs/_base_/distillers/unet_c32_to_c16_digits.py.
_base_ = ['../../_base_/distillers/unet_c32_to_c16_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='backbone', teacher_module='backbone', index=4,
             methods=[dict(type='MGDLoss', name='loss_mgd', alpha_mgd=2e-5, lambda_mgd=0.75)]),
    ])
