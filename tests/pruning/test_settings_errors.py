"""Bad pruning requests fail before any work, with a message naming the setting."""
import pytest
import torch
from torch import nn

from distiller.pruning import PruneSettings, resolve_keep
from distiller.pruning.importance import build_importance
from distiller.pruning.report import prune_and_measure


@pytest.mark.parametrize('ratio', [0, 1, 1.5, -0.2, True])
def test_ratio_outside_zero_one_is_refused(ratio) -> None:
    with pytest.raises(ValueError, match=r'ratio: expected a fraction of channels strictly between 0 and 1, got'):
        PruneSettings(ratio=ratio)


def test_unknown_criterion_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"criterion: unknown pruning criterion 'l1'; choose one of bn_scale, "
                                         r'magnitude'):
        PruneSettings(criterion='l1')
    with pytest.raises(ValueError, match='unknown pruning criterion'):
        build_importance('taylor')


def test_unknown_keep_module_names_the_closest_ones() -> None:
    model = nn.Sequential()
    model.add_module('backbone', nn.Conv2d(3, 8, 3))
    model.add_module('head', nn.Conv2d(8, 2, 1))
    with pytest.raises(ValueError, match=r"keep: no module named 'haed' in Sequential; closest existing names: head"):
        resolve_keep(model, ['head', 'haed'])
    before = [p.clone() for p in model.parameters()]
    with pytest.raises(ValueError, match="no module named 'haed'"):
        prune_and_measure(model, torch.zeros(1, 3, 8, 8), PruneSettings(keep=['haed']), default_keep=[])
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_prune_tool_rejects_bad_arguments(tmp_path) -> None:
    from tests.helpers.tools_loader import load_tool
    prune = load_tool('prune')
    with pytest.raises(ValueError, match='ratio: expected a fraction'):
        prune.main(['yolov8n.yaml', '--ratio', '1.2', '--out', str(tmp_path / 'x.pt')])
    with pytest.raises(ValueError, match="unknown pruning criterion 'random'"):
        prune.main(['yolov8n.yaml', '--criterion', 'random', '--out', str(tmp_path / 'x.pt')])
    with pytest.raises(ValueError, match="keep: no module named 'model.99'"):
        prune.main(['yolov8n.yaml', '--keep', 'model.99', '--imgsz', '64', '--out', str(tmp_path / 'x.pt')])
    assert not (tmp_path / 'x.pt').exists()
