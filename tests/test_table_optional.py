"""The [arrow] extra is optional: importing rekolabels never loads pyarrow, and without it a
LabelTable says how to install it. Runs whether or not pyarrow is installed (subprocesses)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_import_rekolabels_loads_neither_pyarrow_nor_numpy() -> None:
    result = run(
        """
        import sys
        import rekolabels as rl
        assert rl.LabelTable.__name__ == "LabelTable"
        loaded = [m for m in ("pyarrow", "numpy", "rekolabels._columns") if m in sys.modules]
        print(loaded)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_without_pyarrow_a_table_says_how_to_install_it() -> None:
    result = run(
        """
        import sys
        sys.modules["pyarrow"] = None  # what a missing package looks like to import
        import rekolabels as rl
        for attempt in (lambda: rl.LabelTable.from_labels([]), lambda: rl.LabelTable(None)):
            try:
                attempt()
            except ImportError as exc:
                print(exc)
            else:
                raise SystemExit("no ImportError")
        """
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    for line in lines:
        assert "pip install 'rekolabels[arrow]'" in line
