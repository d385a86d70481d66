"""FeatureRecorder: tuple outputs, repeated calls, in-place activations, hook removal, pickling, early stop."""
import copy
import pickle

import pytest
import torch
from torch import nn

from distiller.core import DistillConfigError, FeatureRecorder, HookSpec
from distiller.core.recorder import remove_record_hooks


class TwoLevelNeck(nn.Module):
    """Returns a tuple like an FPN."""

    def __init__(self) -> None:
        super().__init__()
        self.lateral = nn.Conv2d(3, 4, 1)

    def forward(self, x):
        y = self.lateral(x)
        return y, y[..., ::2, ::2] * 2


class SharedHeadNet(nn.Module):
    """A neck with two levels and a head called once per level, then a module that counts its calls."""

    def __init__(self) -> None:
        super().__init__()
        self.neck = TwoLevelNeck()
        self.head = nn.Conv2d(4, 2, 3, padding=1)
        self.tail = nn.Identity()
        self.tail_calls = 0

    def forward(self, x):
        outs = [self.head(level) for level in self.neck(x)]
        self.tail_calls += 1
        return self.tail(outs[0].sum() + outs[1].sum())


@pytest.fixture
def net() -> SharedHeadNet:
    torch.manual_seed(0)
    return SharedHeadNet()


def test_tuple_output_element_and_whole(net: SharedHeadNet) -> None:
    level1, whole = HookSpec('neck', index=1), HookSpec('neck')
    rec = FeatureRecorder(net, [level1, whole])
    x = torch.randn(2, 3, 8, 8)
    with rec.recording():
        net(x)
        (got,) = rec.get(level1)
        (both,) = rec.get(whole)
    expected = net.neck.lateral(x)
    torch.testing.assert_close(got, expected[..., ::2, ::2] * 2)
    assert isinstance(both, tuple) and len(both) == 2
    torch.testing.assert_close(both[0], expected)
    assert len(net.neck._forward_hooks) == 1, 'one hook serves both specs'


def test_repeated_calls_kept_in_order(net: SharedHeadNet) -> None:
    spec = HookSpec('head')
    rec = FeatureRecorder(net, [spec])
    x = torch.randn(1, 3, 8, 8)
    with rec.recording():
        net(x)
        calls = rec.get(spec)
    levels = net.neck(x)
    assert [tuple(c.shape) for c in calls] == [(1, 2, 8, 8), (1, 2, 4, 4)]
    for call, level in zip(calls, levels):
        torch.testing.assert_close(call, net.head(level))


def test_input_hook_records_the_first_positional_input(net: SharedHeadNet) -> None:
    spec = HookSpec('head', output_hook=False)
    rec = FeatureRecorder(net, [spec])
    x = torch.randn(1, 3, 8, 8)
    with rec.recording():
        net(x)
        calls = rec.get(spec)
    torch.testing.assert_close(calls[0], net.neck.lateral(x))


def test_records_only_inside_recording_and_clears_after(net: SharedHeadNet) -> None:
    spec = HookSpec('head')
    rec = FeatureRecorder(net, [spec])
    net(torch.randn(1, 3, 8, 8))
    assert rec._data == {}
    for _ in range(3):
        with rec.recording():
            net(torch.randn(1, 3, 8, 8))
            assert len(rec.get(spec)) == 2, 'nothing accumulates across steps'
    assert rec._data == {}
    with pytest.raises(RuntimeError, match=r"module='head' recorded nothing in this step"):
        rec.get(spec)


def test_remove_takes_every_hook_off(net: SharedHeadNet) -> None:
    rec = FeatureRecorder(net, [HookSpec('head'), HookSpec('neck', output_hook=False)])
    assert net.head._forward_hooks and net.neck._forward_pre_hooks
    rec.remove()
    assert not net.head._forward_hooks and not net.neck._forward_pre_hooks


def test_inplace_activation_detected_and_copied() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(inplace=True))
    spec = HookSpec('0')
    rec = FeatureRecorder(model, [spec])
    x = torch.randn(1, 3, 6, 6)
    with rec.recording():
        model(x)
        with pytest.raises(RuntimeError, match='modified in place after it was recorded'):
            rec.get(spec)
    rec.calibrate(model, x)
    with rec.recording():
        model(x)
        (got,) = rec.get(spec)
    expected = model[0](x)
    assert (expected < 0).any()
    torch.testing.assert_close(got, expected)


def test_calibrate_counts_calls_and_reports_modules_never_called(net: SharedHeadNet) -> None:
    rec = FeatureRecorder(net, [HookSpec('head'), HookSpec('neck', index=0)])
    feats = rec.calibrate(net, torch.randn(1, 3, 8, 8))
    assert rec.expected_calls == {('head', True): 2, ('neck', True): 1}
    assert [tuple(f.shape) for f in feats[HookSpec('head')]] == [(1, 2, 8, 8), (1, 2, 4, 4)]
    unused = nn.ModuleDict(dict(a=nn.Identity(), b=nn.Sequential(nn.Linear(1, 1), nn.ReLU())))
    with pytest.raises(DistillConfigError, match=r"module='b': never called in a forward of the model.*hook one of "
                                                 r'its submodules instead: b\.0, b\.1'):
        FeatureRecorder(unused, [HookSpec('b')]).calibrate(unused['a'], torch.ones(1))


def test_stop_early_ends_forward_after_last_hooked_module(net: SharedHeadNet) -> None:
    spec = HookSpec('head')
    rec = FeatureRecorder(net, [spec])
    x = torch.randn(1, 3, 8, 8)
    rec.calibrate(net, x)
    calls_before = net.tail_calls
    with rec.recording(stop_early=True):
        assert rec.run(net, x) is None
        assert len(rec.get(spec)) == 2, 'both head calls recorded before stopping'
    assert net.tail_calls == calls_before, 'the rest of the forward did not run'
    with rec.recording(stop_early=False):
        assert rec.run(net, x) is not None
    assert net.tail_calls == calls_before + 1


def test_deepcopy_and_pickle_round_trip(net: SharedHeadNet) -> None:
    spec = HookSpec('head')
    rec = FeatureRecorder(net, [spec])
    holder = nn.Module()
    holder.net = net
    holder.rec = rec
    x = torch.randn(1, 3, 8, 8)
    for clone in (copy.deepcopy(holder), pickle.loads(pickle.dumps(holder))):
        assert clone.rec is not rec and clone.rec._hooks[0][0] is clone.net.head
        with clone.rec.recording():
            clone.net(x)
            assert len(clone.rec.get(spec)) == 2
        with rec.recording():
            assert rec._data == {} and clone.rec._data == {}
        clone.rec.remove()
        assert not clone.net.head._forward_hooks and net.head._forward_hooks


def test_unknown_module_lists_closest_names(net: SharedHeadNet) -> None:
    with pytest.raises(DistillConfigError,
                       match=r"distill_cfg\[0\].student_module: no module named 'neck.laterl' in SharedHeadNet; "
                             r'closest existing names: neck.lateral'):
        FeatureRecorder(net, [HookSpec('neck.laterl', config_key='distill_cfg[0].student_module')])


def test_index_on_a_tensor_output_is_explained(net: SharedHeadNet) -> None:
    spec = HookSpec('head', index=0, config_key='distill_cfg[0].student_module')
    with pytest.raises(RuntimeError, match=r"index=0: the module output is a Tensor, not a tuple or list"):
        FeatureRecorder(net, [spec]).calibrate(net, torch.randn(1, 3, 8, 8))


class _DictHead(nn.Module):
    """Returns a dict in train mode and (decoded, raw dict) in eval mode, like an Ultralytics Detect head."""

    def forward(self, x):
        raw = {'scores': x * 2, 'boxes': x + 1}
        return raw if self.training else (x, raw)


@pytest.mark.parametrize('training', [True, False])
def test_string_index_takes_a_key_of_a_dict_output(training):
    model = nn.Sequential(_DictHead()).train(training)
    spec = HookSpec('0', index='scores')
    recorder = FeatureRecorder(model, [spec])
    x = torch.arange(4.0)
    with recorder.recording():
        model(x)
        torch.testing.assert_close(recorder.get(spec)[0], x * 2)


def test_missing_dict_key_lists_the_keys():
    model = nn.Sequential(_DictHead())
    spec = HookSpec('0', index='logits', config_key='distill_cfg[0].student_module')
    recorder = FeatureRecorder(model, [spec])
    with recorder.recording(), pytest.raises(RuntimeError, match=r"index='logits': the module output has no such "
                                                                 r'key \(keys: boxes, scores\)'):
        model(torch.ones(2))
        recorder.get(spec)


def test_remove_record_hooks_cleans_a_deep_copy_only():
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    recorder = FeatureRecorder(model, [HookSpec('0'), HookSpec('1', output_hook=False)])
    clone = copy.deepcopy(model)
    assert remove_record_hooks(clone) == 2
    assert not clone[0]._forward_hooks and not clone[1]._forward_pre_hooks
    with recorder.recording():
        model(torch.ones(1, 2))
        assert len(recorder.get(recorder.specs[0])) == 1


def test_stop_early_with_many_hooks_stops_at_the_last_and_rearms() -> None:
    """The stop check is a countdown (constant work per hook call), re-armed by every recording."""
    chain = nn.Sequential(*[nn.Linear(4, 4) for _ in range(40)])
    ran = []
    for index, layer in enumerate(chain):
        layer.register_forward_hook(lambda module, args, output, index=index: ran.append(index))
    rec = FeatureRecorder(chain, [HookSpec(str(i)) for i in range(0, 30, 3)])
    x = torch.randn(2, 4)
    rec.calibrate(chain, x)
    for _ in range(2):
        ran.clear()
        with rec.recording(stop_early=True):
            assert rec.run(chain, x) is None
            assert ran == list(range(28)) and len(rec.get(HookSpec('27'))) == 1
