# Feature mimicking (MSE) on the last decoder feature (a 1x1-conv connector lifts 16 to 32 channels): UNet-c32 teacher
# -> UNet-c16 student on the embedded digits data; data, schedule and recipe are the student's. Teacher, student and
# training: configs/_base_/distillers/unet_c32_to_c16_digits.py.
_base_ = ['../../_base_/distillers/unet_c32_to_c16_digits.py']
model = dict(
    distill_cfg=[
        dict(student_module='backbone', teacher_module='backbone', index=4,
             methods=[dict(type='MimicLoss', name='loss_mimic', weight=1.0)]),
    ])
