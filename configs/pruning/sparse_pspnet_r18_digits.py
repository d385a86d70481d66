# Sparse training of the PSPNet-R18 student (network slimming): the registered BNSparsityOptimWrapper adds
# sparsity * sign(gamma) to every BatchNorm scale's gradient after backward. Use BNSparsityAmpOptimWrapper for AMP
# (tools/train.py --amp would replace this wrapper type with plain AmpOptimWrapper).
#   python tools/train.py configs/pruning/sparse_pspnet_r18_digits.py --work-dir work_dirs/sparse_pspnet_r18
_base_ = ['../students/pspnet_r18_digits.py']
optim_wrapper = dict(type='BNSparsityOptimWrapper', sparsity=1e-4)
