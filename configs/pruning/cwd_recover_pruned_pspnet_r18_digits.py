# mmseg version of the recovery step: a PSPNet-R18 pruned by `tools/prune.py` distils from its unpruned self.
#   python tools/train.py configs/pruning/sparse_pspnet_r18_digits.py --work-dir work_dirs/sparse_pspnet_r18
#   python tools/prune.py configs/students/pspnet_r18_digits.py --checkpoint work_dirs/sparse_pspnet_r18/iter_300.pth \
#       --ratio 0.3 --imgsz 128 --out work_dirs/pruned/pspnet_r18_p30.pth
#   python tools/train.py configs/pruning/cwd_recover_pruned_pspnet_r18_digits.py
#   python tools/test.py configs/pruning/cwd_recover_pruned_pspnet_r18_digits.py \
#       work_dirs/cwd_recover_pruned_pspnet_r18_digits/iter_300.pth
# The student is built from its config, resized to the pruned checkpoint's shapes and loaded from it
# (`student_pruned`); the teacher is the same config with the unpruned weights.
_base_ = ['../distillers/cwd_pspnet_r50_to_r18_digits.py']
model = dict(
    teacher_cfg='{{fileDirname}}/../students/pspnet_r18_digits.py',
    teacher_pretrained='work_dirs/sparse_pspnet_r18/iter_300.pth',
    student_pruned='work_dirs/pruned/pspnet_r18_p30.pth')
