"""docs/cli.md's ```console examples are real: each command runs against the fake it describes
(``fake-server --port 8000 --job street=docs/examples/street.json``) and prints what is shown."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from rekolabels.testing import FakeRekognition
from tests.cli_helpers import clean_env, run_main

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"^```console\n\$ (.*?)\n(.*?)^```", DOC, flags=re.M | re.S)
DOC_URL = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    # What `rekolabels fake-server --job street=docs/examples/street.json` serves (seed 0).
    with FakeRekognition(seed=0) as fake:
        street = json.loads((ROOT / "docs" / "examples" / "street.json").read_text())
        fake.add_job("street", street)
        yield fake.serve()


def test_there_are_console_examples() -> None:
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize(("command", "shown"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_console_example_prints_what_the_docs_show(
    command: str, shown: str, url: str, tmp_path: Path
) -> None:
    program, *args = shlex.split(command.replace(DOC_URL, url))
    assert program == "rekolabels"
    if args[0] == "summary" or "table" in args:
        pytest.importorskip("rich")  # the cli extra
    env = clean_env(tmp_path) | {"COLUMNS": "100"}
    result = run_main(args, env, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    printed = [line.rstrip() for line in result.stdout.rstrip().splitlines()]
    assert printed == [line.rstrip() for line in shown.rstrip().splitlines()]
