"""Makes the shared test helpers importable from the tool tests."""
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
for folder in ('yolo', 'models', 'helpers'):
    if str(TESTS / folder) not in sys.path:
        sys.path.insert(0, str(TESTS / folder))
