"""Sparse training adds exactly ``sparsity * sign(gamma)`` to the BatchNorm scales' gradients."""
from types import SimpleNamespace

import pytest
import torch
from mmengine.optim import build_optim_wrapper
from torch import nn

import distiller.engine  # noqa: F401  registers the optimizer wrappers
from distiller.pruning import add_bn_sparsity_grad, bn_weights
from distiller.yolo import BNSparsityTrainerMixin

SPARSITY = 0.05


def toy_model() -> nn.Module:
    """conv-BN-conv-BN with scales of both signs, and a frozen BN standing in for a teacher."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Conv2d(4, 4, 1), nn.BatchNorm2d(4))
    model[1].weight.data = torch.tensor([0.5, -0.3, 0.2, -0.8])
    model.frozen = nn.BatchNorm2d(4).requires_grad_(False)
    return model


def one_step(wrapper_cfg: dict) -> nn.Module:
    """One SGD step (lr 1) of a toy model through an mmengine optimizer wrapper built from config."""
    model = toy_model()
    wrapper = build_optim_wrapper(model, wrapper_cfg)
    with wrapper.optim_context(model):
        loss = model(torch.ones(2, 3, 5, 5)).pow(2).mean()
    wrapper.update_params(loss)
    return model


def test_optim_wrapper_adds_the_l1_subgradient_to_bn_scales_only() -> None:
    sgd = dict(type='SGD', lr=1.0)
    plain = one_step(dict(type='OptimWrapper', optimizer=sgd))
    sparse = one_step(dict(type='BNSparsityOptimWrapper', sparsity=SPARSITY, optimizer=sgd))
    start = toy_model()
    for index in (1, 3):
        expected = plain[index].weight - SPARSITY * torch.sign(start[index].weight)
        assert torch.allclose(sparse[index].weight, expected, atol=1e-7)
        assert torch.equal(sparse[index].bias, plain[index].bias)
    assert torch.equal(sparse[0].weight, plain[0].weight) and torch.equal(sparse[2].weight, plain[2].weight)
    assert torch.equal(sparse.frozen.weight, start.frozen.weight)


def test_the_term_is_scaled_like_the_gradients_under_amp() -> None:
    model = toy_model()
    wrapper = build_optim_wrapper(model, dict(type='BNSparsityOptimWrapper', sparsity=SPARSITY,
                                              optimizer=dict(type='SGD', lr=0.0)))
    wrapper.loss_scaler = SimpleNamespace(get_scale=lambda: 8.0)  # what AmpOptimWrapper carries
    with wrapper.optim_context(model):
        loss = model(torch.ones(1, 3, 5, 5)).sum() * 0
    loss.backward()
    wrapper.step()
    assert torch.allclose(model[1].weight.grad, 8.0 * SPARSITY * torch.sign(model[1].weight))


def test_yolo_trainer_mixin_adds_the_term_before_ultralytics_unscales() -> None:
    seen = {}

    class FakeTrainer:
        def optimizer_step(self) -> None:
            seen['grads'] = [p.grad.clone() for p in bn_weights(self.model)]

    class SparseTrainer(BNSparsityTrainerMixin, FakeTrainer):
        bn_sparsity = SPARSITY

    trainer = SparseTrainer()
    trainer.model = toy_model()
    trainer.optimizer = torch.optim.SGD(trainer.model.parameters(), lr=0.1)
    trainer.scaler = SimpleNamespace(get_scale=lambda: 4.0)
    for weight in bn_weights(trainer.model):
        weight.grad = torch.ones_like(weight)
    trainer.optimizer_step()
    expected = [1 + 4.0 * SPARSITY * torch.sign(w.detach()) for w in bn_weights(trainer.model)]
    assert len(seen['grads']) == 2
    assert all(torch.allclose(g, e) for g, e in zip(seen['grads'], expected))


def test_scales_without_gradient_are_skipped_and_negative_sparsity_is_refused() -> None:
    model = toy_model()
    model[1].weight.grad = torch.zeros(4)
    assert add_bn_sparsity_grad(bn_weights(model), SPARSITY) == 1
    assert bn_weights(model, among=[model[3].weight]) == [model[3].weight]
    with pytest.raises(ValueError, match='sparsity: expected a non-negative weight, got -1'):
        build_optim_wrapper(model, dict(type='BNSparsityOptimWrapper', sparsity=-1, optimizer=dict(type='SGD', lr=1)))
