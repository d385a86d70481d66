"""The package's imports point down its layers (``DESIGN.md``: engine-agnostic bottom, the mmengine and Ultralytics
integrations, then the benchmark helpers), with no cycle, and a distiller builds without Torch-Pruning."""
import ast
import subprocess
import sys
from pathlib import Path
from typing import Dict, Set

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / 'distiller'
LAYERS = {
    'registry': 0, 'utils': 0, 'compat': 0, 'core': 0, 'losses': 0, 'pruning': 0, 'datasets': 0,
    'models': 1, 'engine': 1, 'yolo': 1,
    'benchmark': 2,
}
INTEGRATIONS = {'models': 'mmengine', 'engine': 'mmengine', 'yolo': 'ultralytics'}


def _unit(path: Path) -> str:
    """The subpackage (or top-level module) a file of the package belongs to."""
    parts = path.relative_to(PACKAGE).with_suffix('').parts
    return parts[0]


def _imported_units(path: Path) -> Set[str]:
    """The package units a file imports, function-level imports included."""
    tree = ast.parse(path.read_text())
    module_parts = path.relative_to(REPO).with_suffix('').parts
    units = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:
            package = module_parts[:-1]  # also right for __init__.py, whose parts end in '__init__'
            base = '.'.join(package[:len(package) - node.level + 1])
            names = [f'{base}.{node.module}'] if node.module else [f'{base}.{alias.name}' for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module]
        for name in names:
            parts = name.split('.')
            if parts[0] == 'distiller' and len(parts) > 1:
                units.add(parts[1])
    return units


def _graph() -> Dict[str, Set[str]]:
    graph: Dict[str, Set[str]] = {}
    for path in PACKAGE.rglob('*.py'):
        if path.parent == PACKAGE and path.name == '__init__.py':
            continue
        unit = _unit(path)
        graph.setdefault(unit, set()).update(_imported_units(path) - {unit})
    return graph


def test_every_unit_has_a_layer() -> None:
    assert set(_graph()) == set(LAYERS)


def test_imports_never_point_up_or_across_integrations() -> None:
    bad = []
    for unit, imported in _graph().items():
        for other in imported:
            if LAYERS[other] > LAYERS[unit]:
                bad.append(f'{unit} (layer {LAYERS[unit]}) imports {other} (layer {LAYERS[other]})')
            elif LAYERS[other] == LAYERS[unit] == 1 and INTEGRATIONS[other] != INTEGRATIONS[unit]:
                bad.append(f'{unit} ({INTEGRATIONS[unit]}) imports {other} ({INTEGRATIONS[other]})')
    assert not bad, bad


def test_no_import_cycle_between_units() -> None:
    graph = _graph()
    state: Dict[str, int] = {}

    def visit(unit: str, stack: list) -> None:
        state[unit] = 1
        for other in sorted(graph.get(unit, ())):
            assert state.get(other) != 1, f'import cycle: {" -> ".join(stack + [unit, other])}'
            if other not in state:
                visit(other, stack + [unit])
        state[unit] = 2

    for unit in sorted(graph):
        if unit not in state:
            visit(unit, [])


def test_the_checker_sees_a_planted_upward_import(tmp_path: Path) -> None:
    planted = PACKAGE / 'core' / '_planted_upward_import.py'
    planted.write_text('from ..yolo import YOLORunner\n')
    try:
        assert 'yolo' in _graph()['core']
    finally:
        planted.unlink()


def test_a_distiller_builds_with_torch_pruning_absent() -> None:
    code = '''
import sys
sys.modules['torch_pruning'] = None  # any import of it now raises ImportError
import torch
from distiller.registry import DISTILLERS, register_all_modules
import distiller.models
register_all_modules()
model = DISTILLERS.build(dict(
    type='SegmentationDistiller', teacher_cfg='configs/teachers/pspnet_r50_digits.py',
    student_cfg='configs/students/pspnet_r18_digits.py', calibrate_shape=(1, 3, 32, 32),
    distill_cfg=[dict(student_module='decode_head.conv_seg', teacher_module='decode_head.conv_seg',
                      methods=[dict(type='ChannelWiseDivergence', name='loss_cwd')])]))
assert 'torch_pruning' not in {k for k, v in sys.modules.items() if v is not None}
print('built', type(model).__name__)
'''
    proc = subprocess.run([sys.executable, '-c', code], cwd=str(REPO), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'built SegmentationDistiller' in proc.stdout
