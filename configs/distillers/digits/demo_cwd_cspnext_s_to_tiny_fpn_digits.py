# The demo's recipe (`make demo`, tools/demo.py): CWD (Shu et al., ICCV 2021) on the segmentation logits, CSPNeXt-s FPN
# teacher -> CSPNeXt-tiny FPN student on the embedded digits data, with the demo's shorter teacher and student
# schedules (configs/teachers/cspnext_s_fpn_digits_demo.py, configs/students/cspnext_tiny_fpn_digits_demo.py).
_base_ = ['../../students/cspnext_tiny_fpn_digits_demo.py']
default_scope = 'distiller'
model = dict(
    _delete_=True,
    type='SegmentationDistiller',
    teacher_cfg='{{fileDirname}}/../../teachers/cspnext_s_fpn_digits_demo.py',
    student_cfg='{{fileDirname}}/../../students/cspnext_tiny_fpn_digits_demo.py',
    teacher_pretrained='pretrained_model/cspnext_s_fpn_digits_demo.pth',
    distill_cfg=[
        dict(student_module='decode_head.conv_seg', teacher_module='decode_head.conv_seg',
             methods=[dict(type='ChannelWiseDivergence', name='loss_cwd', tau=1.0, weight=3.0)]),
    ])
optim_wrapper = dict(constructor='DistillerOptimWrapperConstructor')
custom_hooks = [dict(type='StudentCheckpointHook')]
