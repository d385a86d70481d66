"""One training step of a tiny teacher/student pair with every registered loss, through DistillLossSet."""
import pytest
import torch
from torch import nn

import distiller.losses  # noqa: F401  registers every loss
from distiller.core import DistillLossSet
from distiller.registry import DISTILL_LOSSES

NUM_CLASSES = 5


class TinyNet(nn.Module):
    """Stem -> body (feature) -> cls (dense logits); ``pair`` returns two maps, for FSP."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 3, padding=1)
        self.body = nn.Sequential(nn.Conv2d(4, width, 3, padding=1), nn.ReLU())
        self.cls = nn.Conv2d(width, NUM_CLASSES, 1)
        self.pair = PairOut()

    def forward(self, x):
        stem = self.stem(x)
        self.pair(stem)
        return self.cls(self.body(stem))


class PairOut(nn.Module):
    """Returns a tuple of two maps of fixed widths (4 and 4) derived from its input."""

    def forward(self, x):
        return x, torch.tanh(x)


# Per loss: the module pair to distil and extra constructor args. Logit losses go on the classifier.
SETUPS = {
    'KDLoss': ('cls', {}), 'DKDLoss': ('cls', {}), 'LogitMSELoss': ('cls', {}),
    'ChannelWiseDivergence': ('cls', {'tau': 2.0}), 'FSPLoss': ('pair', {}), 'KDSVDLoss': ('body', {'k': 2}),
    # The stem's 4 channels as the box distances; the weights are the teacher's class logits, recorded by an entry.
    'DistanceGIoUKDLoss': ('stem', {'score_module': 'cls'}),
    'DeltaGIoUKDLoss': ('stem', {'score_module': 'cls'}),
}
# Entries a loss needs besides its own (the one that records what it reads from the teacher).
CLASS_ENTRY = [dict(student_module='cls', teacher_module='cls',
                    methods=[dict(type='MimicLoss', name='loss_cls_mimic')])]
COMPANIONS = {'DistanceGIoUKDLoss': CLASS_ENTRY, 'DeltaGIoUKDLoss': CLASS_ENTRY}


@pytest.mark.parametrize('loss_type', sorted(DISTILL_LOSSES.module_dict))
def test_one_training_step(loss_type: str) -> None:
    torch.manual_seed(0)
    student, teacher = TinyNet(width=6), TinyNet(width=10)
    teacher.eval().requires_grad_(False)
    module, extra_args = SETUPS.get(loss_type, ('body', {}))
    cfg = [dict(student_module=module, teacher_module=module,
                methods=[dict(type=loss_type, name='loss_kd', weight=1.0, **extra_args)])]
    cfg += COMPANIONS.get(loss_type, [])
    losses = DistillLossSet(cfg, student, teacher)
    x = torch.randn(4, 3, 8, 8)
    losses.calibrate(lambda: student(x), lambda: teacher(x))
    extra = dict(gt_bboxes=[torch.tensor([[1., 1., 5., 6.]]), torch.zeros(0, 4),
                            torch.tensor([[0., 0., 8., 8.], [2., 2., 4., 4.]]), torch.tensor([[3., 0., 7., 3.]])],
                 img_shapes=[(8, 8)] * 4, targets=torch.randint(0, NUM_CLASSES, (4, 8, 8)))
    params = list(student.parameters()) + list(losses.parameters())
    optimizer = torch.optim.SGD(params, lr=0.1)
    teacher_before = {k: v.clone() for k, v in teacher.state_dict().items()}
    student_before = {k: v.clone() for k, v in student.state_dict().items()}

    with losses.recording():
        with torch.no_grad():
            losses.teacher_recorder.run(teacher, x)
        student(x)
        loss_dict = losses(**{k: extra[k] for k in losses.requires})
    loss = loss_dict['loss_kd']
    assert loss.dim() == 0 and torch.isfinite(loss)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

    changed = [k for k, v in student.state_dict().items() if not torch.equal(v, student_before[k])]
    assert changed, f'{loss_type}: no student parameter moved'
    assert all(torch.equal(v, teacher_before[k]) for k, v in teacher.state_dict().items())
    assert all(p.grad is None for p in teacher.parameters())
