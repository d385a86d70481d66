import math

import numpy as np
import pytest
import torch
from torch import nn

from distiller.core import DistillLossSet
from distiller.losses.crd import CRDLoss


def _unit_rows(rows: int, dim: int, seed: int) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(rows, dim, generator=gen)
    return x / x.norm(dim=1, keepdim=True)


def _inputs(n: int = 3, c_s: int = 3, c_t: int = 5, seed: int = 0):
    """A student (N, C_S, 4, 4) and a teacher (N, C_T, 2, 3) map: channels and spatial sizes differ."""
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(n, c_s, 4, 4, generator=gen), torch.randn(n, c_t, 2, 3, generator=gen)


def _embed(x: torch.Tensor, linear: nn.Linear) -> np.ndarray:
    """Independent embedding: mean over H, W, then W x + b, then unit length, in float64."""
    pooled = x.double().numpy().mean(axis=(2, 3))
    out = pooled @ linear.weight.detach().double().numpy().T + linear.bias.detach().double().numpy()
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def _log_z(anchor: np.ndarray, positive: np.ndarray, negatives: np.ndarray, tau: float, m: int) -> float:
    """log of Z = M * mean(exp(u)) over all positive and negative scores of the batch."""
    u_pos = (anchor * positive).sum(axis=1) / tau
    u_neg = np.einsum('nkd,nd->nk', negatives, anchor) / tau
    return math.log(m * np.exp(np.concatenate([u_pos[:, None], u_neg], axis=1)).mean())


def _nce(anchor: np.ndarray, positive: np.ndarray, negatives: np.ndarray, tau: float, m: int, log_z: float) -> float:
    """-1/N sum_i [log h(pos_i) + sum_k log(1 - h(neg_ik))], h = P / (P + K / M), P = exp(<a, x> / tau) / Z."""
    k = negatives.shape[1]
    z = math.exp(log_z)
    p_pos = np.exp((anchor * positive).sum(axis=1) / tau) / z
    p_neg = np.exp(np.einsum('nkd,nd->nk', negatives, anchor) / tau) / z
    h_pos = p_pos / (p_pos + k / m)
    h_neg = p_neg / (p_neg + k / m)
    return float(-(np.log(h_pos) + np.log(1 - h_neg).sum(axis=1)).mean())


def _reference(e_s, e_t, neg_s, neg_t, tau, m, log_z=None):
    """Both directions: teacher anchor vs student memory, student anchor vs teacher memory; Z of this batch when
    ``log_z`` is None. Returns the loss and the (log Z_T, log Z_S) used."""
    if log_z is None:
        log_z = (_log_z(e_t, e_s, neg_s, tau, m), _log_z(e_s, e_t, neg_t, tau, m))
    return _nce(e_t, e_s, neg_s, tau, m, log_z[0]) + _nce(e_s, e_t, neg_t, tau, m, log_z[1]), log_z


def _fifo_loss(num_negatives: int = 6, temperature: float = 0.5) -> CRDLoss:
    torch.manual_seed(0)
    loss = CRDLoss(3, 5, feat_dim=4, num_negatives=num_negatives, temperature=temperature)
    loss.memory_student.copy_(_unit_rows(num_negatives, 4, seed=1))
    loss.memory_teacher.copy_(_unit_rows(num_negatives, 4, seed=2))
    return loss


def test_paper_defaults():
    loss = CRDLoss(4, 6)
    assert (loss.feat_dim, loss.num_negatives, loss.temperature, loss.momentum) == (128, 16384, 0.07, 0.5)
    assert loss.dataset_size is None and loss.requires == () and loss.weight == 1.0
    assert loss.accepts_channel_mismatch and loss.accepts_spatial_mismatch and not loss.accepts_sequence
    for memory in (loss.memory_student, loss.memory_teacher):
        assert memory.shape == (16384, 128)
        torch.testing.assert_close(memory.norm(dim=1), torch.ones(16384))  # random unit vectors
    assert (loss.embed_student.in_features, loss.embed_teacher.in_features) == (4, 6)
    assert loss.embed_student.out_features == loss.embed_teacher.out_features == 128
    assert not bool(loss.z_estimated) and int(loss.pointer) == 0
    indexed = CRDLoss(4, 6, dataset_size=50000)
    assert indexed.requires == ('indices',) and indexed.memory_student.shape == (50000, 128)


def test_fifo_value_against_formula_and_z_kept_from_the_first_batch():
    loss = _fifo_loss()
    neg_s, neg_t = loss.memory_student.double().numpy().copy(), loss.memory_teacher.double().numpy().copy()
    s, t = _inputs()
    e_s, e_t = _embed(s, loss.embed_student), _embed(t, loss.embed_teacher)
    expected, log_z = _reference(e_s, e_t, np.broadcast_to(neg_s, (3, 6, 4)), np.broadcast_to(neg_t, (3, 6, 4)),
                                 tau=0.5, m=6)
    assert loss(s, t).item() == pytest.approx(expected, rel=1e-5)
    np.testing.assert_allclose(loss.log_z.double().numpy(), log_z, rtol=1e-5)
    assert bool(loss.z_estimated)

    # The queue now holds the first batch in its first three slots; Z stays the first batch's.
    neg_s[:3], neg_t[:3] = e_s, e_t
    s2, t2 = _inputs(seed=5)
    e_s2, e_t2 = _embed(s2, loss.embed_student), _embed(t2, loss.embed_teacher)
    expected2, _ = _reference(e_s2, e_t2, np.broadcast_to(neg_s, (3, 6, 4)), np.broadcast_to(neg_t, (3, 6, 4)),
                              tau=0.5, m=6, log_z=log_z)
    assert loss(s2, t2).item() == pytest.approx(expected2, rel=1e-5)


def test_weight_and_pooled_inputs():
    loss = _fifo_loss()
    s, t = _inputs()
    expected = loss.eval()(s, t).item()
    scaled = _fifo_loss()
    scaled.weight = 0.8
    assert scaled.eval()(s, t).item() == pytest.approx(0.8 * expected, rel=1e-6)
    # An (N, C) feature is taken as already pooled.
    assert loss(s.mean(dim=(2, 3)), t.mean(dim=(2, 3))).item() == pytest.approx(expected, rel=1e-5)


def test_fifo_update_writes_the_oldest_slots_and_wraps():
    loss = _fifo_loss(num_negatives=5)
    old_s = loss.memory_student.clone()
    s1, t1 = _inputs(n=3, seed=1)
    loss(s1, t1)
    e_s1, e_t1 = _embed(s1, loss.embed_student), _embed(t1, loss.embed_teacher)
    np.testing.assert_allclose(loss.memory_student[:3].double().numpy(), e_s1, atol=1e-6)
    np.testing.assert_allclose(loss.memory_teacher[:3].double().numpy(), e_t1, atol=1e-6)
    torch.testing.assert_close(loss.memory_student[3:], old_s[3:])
    assert int(loss.pointer) == 3
    s2, t2 = _inputs(n=3, seed=2)
    loss(s2, t2)
    e_s2 = _embed(s2, loss.embed_student)
    np.testing.assert_allclose(loss.memory_student[[3, 4, 0]].double().numpy(), e_s2, atol=1e-6)
    np.testing.assert_allclose(loss.memory_student[1:3].double().numpy(), e_s1[1:], atol=1e-6)
    assert int(loss.pointer) == 1
    # A batch larger than the queue leaves its last five embeddings, the oldest of them at the pointer.
    s3, t3 = _inputs(n=7, seed=3)
    loss(s3, t3)
    e_s3 = _embed(s3, loss.embed_student)
    np.testing.assert_allclose(loss.memory_student[[1, 2, 3, 4, 0]].double().numpy(), e_s3[2:], atol=1e-6)
    assert int(loss.pointer) == 1


def _indexed_loss(momentum: float = 0.5) -> CRDLoss:
    torch.manual_seed(0)
    loss = CRDLoss(3, 5, feat_dim=4, num_negatives=4, temperature=0.2, momentum=momentum, dataset_size=10)
    loss.memory_student.copy_(_unit_rows(10, 4, seed=1))
    loss.memory_teacher.copy_(_unit_rows(10, 4, seed=2))
    return loss


def test_index_value_against_formula_and_momentum_update():
    loss = _indexed_loss()
    slots = torch.tensor([[0, 1, 1, 9], [2, 3, 4, 5], [0, 0, 8, 6]])
    loss.sample_negatives = lambda indices: slots  # fixed negatives for the reference
    mem_s, mem_t = loss.memory_student.double().numpy().copy(), loss.memory_teacher.double().numpy().copy()
    s, t = _inputs()
    indices = [7, 1, 4]
    e_s, e_t = _embed(s, loss.embed_student), _embed(t, loss.embed_teacher)
    expected, _ = _reference(e_s, e_t, mem_s[slots.numpy()], mem_t[slots.numpy()], tau=0.2, m=10)
    assert loss(s, t, indices=indices).item() == pytest.approx(expected, rel=1e-5)

    for memory, old, new in ((loss.memory_student, mem_s, e_s), (loss.memory_teacher, mem_t, e_t)):
        mixed = 0.5 * old[indices] + 0.5 * new
        np.testing.assert_allclose(memory[indices].double().numpy(),
                                   mixed / np.linalg.norm(mixed, axis=1, keepdims=True), atol=1e-6)
        untouched = [i for i in range(10) if i not in indices]
        np.testing.assert_allclose(memory[untouched].double().numpy(), old[untouched], atol=0)
    assert int(loss.pointer) == 0  # no FIFO pointer in index mode


def test_momentum_zero_stores_the_new_embedding():
    loss = _indexed_loss(momentum=0.0)
    s, t = _inputs()
    loss(s, t, indices=torch.tensor([2, 5, 9]))
    np.testing.assert_allclose(loss.memory_teacher[[2, 5, 9]].double().numpy(), _embed(t, loss.embed_teacher),
                               atol=1e-6)


def test_negatives_are_uniform_over_the_other_slots():
    loss = _indexed_loss()
    torch.manual_seed(0)
    indices = torch.tensor([0, 4, 9])
    slots = torch.stack([loss.sample_negatives(indices) for _ in range(500)], dim=1).reshape(3, -1)
    assert slots.shape == (3, 500 * 4)
    for row, own in zip(slots, indices.tolist()):
        assert set(row.tolist()) == set(range(10)) - {own}
        counts = torch.bincount(row, minlength=10).float()
        assert counts.max() / counts[counts > 0].min() < 1.5


@pytest.mark.parametrize('dataset_size', [None, 10])
def test_gradient_reaches_student_and_heads_not_teacher(dataset_size):
    torch.manual_seed(0)
    loss = CRDLoss(3, 5, feat_dim=4, num_negatives=6, dataset_size=dataset_size)
    extra = {} if dataset_size is None else dict(indices=torch.tensor([1, 2, 3]))
    for seed in (0, 1):  # the second step reads the updated memory and the stored Z
        s, t = _inputs(seed=seed)
        s.requires_grad_(True)
        t.requires_grad_(True)
        loss.zero_grad()
        loss(s, t, **extra).backward()
        assert s.grad is not None and torch.isfinite(s.grad).all() and s.grad.abs().sum() > 0
        assert t.grad is None
        for name, param in loss.named_parameters():
            assert param.grad is not None and param.grad.abs().sum() > 0, name
    assert not any(b.requires_grad for b in loss.buffers())


def test_state_dict_restores_memory_pointer_and_z():
    loss = _fifo_loss()
    loss(*_inputs(seed=0))
    state = loss.state_dict()
    assert {'memory_student', 'memory_teacher', 'pointer', 'log_z', 'z_estimated'} <= set(state)
    torch.manual_seed(7)
    resumed = CRDLoss(3, 5, feat_dim=4, num_negatives=6, temperature=0.5)
    resumed.load_state_dict(state)
    assert int(resumed.pointer) == 3 and bool(resumed.z_estimated)
    s, t = _inputs(seed=4)
    assert resumed(s, t).item() == loss(s, t).item()
    for key, value in resumed.state_dict().items():
        assert torch.equal(value, loss.state_dict()[key]), key


def test_eval_mode_reads_without_updating():
    loss = _fifo_loss().eval()
    before = {k: v.clone() for k, v in loss.state_dict().items()}
    s, t = _inputs()
    first = loss(s, t)
    assert loss(s, t).item() == first.item()
    for key, value in loss.state_dict().items():
        assert torch.equal(value, before[key]), key


def test_index_mode_through_the_loss_set_needs_indices():
    class Net(nn.Module):

        def __init__(self, width: int) -> None:
            super().__init__()
            self.body = nn.Conv2d(3, width, 3, padding=1)

        def forward(self, x):
            return self.body(x)

    torch.manual_seed(0)
    student, teacher = Net(4), Net(6)
    cfg = [dict(student_module='body', teacher_module='body',
                methods=[dict(type='CRDLoss', name='loss_crd', num_negatives=8, dataset_size=20)])]
    losses = DistillLossSet(cfg, student, teacher)
    x = torch.randn(2, 3, 8, 8)
    losses.calibrate(lambda: student(x), lambda: teacher(x))
    assert losses.requires == {'indices'}
    with losses.recording():
        with torch.no_grad():
            losses.teacher_recorder.run(teacher, x)
        student(x)
        with pytest.raises(RuntimeError, match='CRDLoss needs indices, which the distiller did not pass'):
            losses()
        assert torch.isfinite(losses(indices=torch.tensor([3, 17]))['loss_crd'])


def test_bad_arguments_and_inputs():
    for kwargs, message in ((dict(num_negatives=0), 'num_negatives must be a positive integer, got 0'),
                            (dict(feat_dim=0), 'feat_dim must be a positive integer, got 0'),
                            (dict(temperature=0.0), 'temperature must be positive, got 0.0'),
                            (dict(temperature=-0.07), 'temperature must be positive, got -0.07'),
                            (dict(momentum=1.0), r'momentum must lie in \[0, 1\), got 1.0'),
                            (dict(dataset_size=1), 'dataset_size must be an integer >= 2')):
        with pytest.raises(ValueError, match=f'^CRDLoss: {message}'):
            CRDLoss(3, 5, **kwargs)
    s, t = _inputs()
    loss = CRDLoss(3, 5, feat_dim=4, num_negatives=6)
    with pytest.raises(ValueError, match=r'^CRDLoss expects a student \(N, 3, \.\.\.\) and a teacher \(N, 5, \.\.\.\)'
                                         r' with the same batch size N, got \(3, 3, 4, 4\) and \(3, 4, 2, 3\)$'):
        loss(s, t[:, :4])
    with pytest.raises(ValueError, match='got .* and \\(2, 5, 2, 3\\)'):
        loss(s, t[:2])
    with pytest.raises(ValueError, match='dataset_size is not set'):
        loss(s, t, indices=[0, 1, 2])
    indexed = CRDLoss(3, 5, feat_dim=4, num_negatives=6, dataset_size=10)
    with pytest.raises(ValueError, match=r'CRDLoss\(dataset_size=10\) needs the dataset index of each sample'):
        indexed(s, t)
    with pytest.raises(ValueError, match='got 2 indices for a batch of 3'):
        indexed(s, t, indices=[0, 1])
    with pytest.raises(ValueError, match=r'indices must lie in \[0, 10\), got 0\.\.10'):
        indexed(s, t, indices=[0, 10, 3])
