"""The C2f / C3k2 conversion that makes YOLO prunable leaves the model's function unchanged."""
import pytest
import torch
from torch import nn

from distiller.yolo import SplitC2f, merge_c2f_blocks, split_c2f_blocks


def random_model(yaml: str) -> nn.Module:
    """A YOLO model in eval mode with BatchNorm statistics and scales moved off their initial values."""
    from ultralytics import YOLO
    model = YOLO(yaml).model.eval()
    gen = torch.Generator().manual_seed(0)
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            size = module.num_features
            module.running_mean.copy_(torch.rand(size, generator=gen) - 0.5)
            module.running_var.copy_(torch.rand(size, generator=gen) + 0.5)
            module.weight.data.copy_(torch.rand(size, generator=gen) + 0.2)
    return model


@pytest.mark.parametrize('yaml,block', [('yolov8n.yaml', 'C2f'), ('yolo11n.yaml', 'C3k2')])
def test_split_and_merge_keep_the_outputs(yaml: str, block: str) -> None:
    model = random_model(yaml)
    inputs = torch.rand(1, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        reference = model(inputs)[0]
        assert split_c2f_blocks(model) == 8
        assert not any(type(m).__name__ == block for m in model.modules())
        split = model(inputs)[0]
        assert merge_c2f_blocks(model) == 0
        merged = model(inputs)[0]
    assert torch.allclose(reference, split, atol=1e-5)
    assert torch.allclose(reference, merged, atol=1e-5)
    assert sum(type(m).__name__ == block for m in model.model) == 8
    assert not any(isinstance(m, SplitC2f) for m in model.modules())


def test_halves_of_different_widths_stay_split() -> None:
    model = random_model('yolov8n.yaml')
    split_c2f_blocks(model)
    block = model.model[2]
    block.cv0.conv.out_channels -= 1  # only the widths are compared
    assert merge_c2f_blocks(model) == 1
    assert isinstance(model.model[2], SplitC2f)
