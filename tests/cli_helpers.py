"""Run the ``rekolabels`` command line, never with real credentials: in a subprocess (the
installed console script; for what only a process shows: signals, pipes, exit-time flushes,
imports) or in this process (``main(argv)`` with this test's environment and streams: most
tests, at a fraction of the cost)."""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

# Obvious dummies; a test asserts the secret never shows up in any output.
DUMMY_KEY_ID = "AKIAREKOLABELSCLITEST"
DUMMY_SECRET = "rekolabels-cli-dummy-secret-do-not-print"


def script() -> str:
    """The ``rekolabels`` entry point installed next to this interpreter."""
    found = shutil.which("rekolabels", path=str(Path(sys.executable).parent))
    assert found, "the rekolabels console script is not installed in this venv"
    return found


def new_venv(path: Path, *requirements: str, compile: bool = True) -> Path:
    """A venv of its own at ``path`` with ``requirements`` installed (pip arguments); its python.

    This interpreter's pip installs into it (``--python``), which spares the venv a pip of its own
    (``ensurepip`` is a few seconds a venv). ``compile=False`` skips writing bytecode, cheaper
    when the venv's code runs once or twice.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True,
                   timeout=120, capture_output=True)  # fmt: skip
    python = path / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--disable-pip-version-check", *([] if compile else ["--no-compile"]), *requirements],
        check=True,
        timeout=600,
        capture_output=True,
    )  # fmt: skip
    return python


def clean_env(tmp: Path) -> dict[str, str]:
    """The environment minus anything AWS, plus dummy credentials and no config files."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=DUMMY_KEY_ID,
        AWS_SECRET_ACCESS_KEY=DUMMY_SECRET,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(tmp / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp / "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        # Keep rich's output plain and wide when it is not a terminal.
        COLUMNS="160",
        NO_COLOR="1",
    )
    env.pop("FORCE_COLOR", None)
    return env


def bare_env(tmp: Path, **extra: str) -> dict[str, str]:
    """A fresh machine: an empty HOME, no AWS_* variable at all (plus ``extra``)."""
    home = tmp / "empty-home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=str(home), COLUMNS="160", NO_COLOR="1", **extra)
    env.pop("FORCE_COLOR", None)
    return env


def run(
    args: list[str],
    env: dict[str, str],
    *,
    stdin: str | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
    command: list[str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``rekolabels ARGS`` (or ``command + ARGS``) and check no credential leaks out."""
    result = subprocess.run(
        [*(command or [script()]), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
    assert DUMMY_SECRET not in result.stdout + result.stderr
    return result


def run_main(
    args: list[str],
    env: dict[str, str],
    *,
    stdin: str | bytes | None = None,
    cwd: Path | None = None,
    encoding: str = "utf-8",
) -> subprocess.CompletedProcess[str]:
    """``run`` in this process: ``main(args)`` with ``env`` as the whole environment, ``stdin``
    as standard input, standard streams captured (``encoding``, strict, as ``PYTHONIOENCODING``
    would set them), in ``cwd``; what ``main`` changes (the "rekolabels" logger, the working
    directory) is put back. The result reads as ``run``'s, newlines translated as ``text=True``
    does."""
    from rekolabels._cli import main

    data = stdin.encode() if isinstance(stdin, str) else (stdin or b"")
    streams = [io.TextIOWrapper(io.BytesIO(), encoding=encoding) for _ in range(2)]
    restore_logger = logger_restorer()
    before = Path.cwd()
    with (
        mock.patch.dict(os.environ, env, clear=True),
        mock.patch.multiple(
            sys,
            stdin=io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"),
            stdout=streams[0],
            stderr=streams[1],
        ),
    ):
        try:
            if cwd is not None:
                os.chdir(cwd)
            code = main(args)
        finally:
            os.chdir(before)
            restore_logger()
    out, err = (_text(stream, encoding) for stream in streams)
    assert DUMMY_SECRET not in out + err
    return subprocess.CompletedProcess(["rekolabels", *args], code, out, err)


def _text(stream: io.TextIOWrapper, encoding: str) -> str:
    stream.flush()
    raw = stream.buffer
    assert isinstance(raw, io.BytesIO)
    return raw.getvalue().decode(encoding).replace("\r\n", "\n").replace("\r", "\n")


def assert_short_error(result: subprocess.CompletedProcess[str], code: int) -> None:
    """Exit ``code``, at most two stderr lines ending in ``rekolabels: error: ...``, no trace."""
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 2, result.stderr
    assert lines[-1].startswith("rekolabels: error: "), result.stderr
    assert "Traceback" not in result.stderr


def offline_aws(monkeypatch: Any, tmp: Path) -> None:
    """For in-process runs of ``main``: ``clean_env``'s environment, set with ``monkeypatch``."""
    for name in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name, value in clean_env(tmp).items():
        if name.startswith("AWS_") or name in ("COLUMNS", "NO_COLOR"):
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("FORCE_COLOR", raising=False)


def keep_logger(request: Any) -> None:
    """Undo, after the test, what ``main(["--debug", ...])`` does to the "rekolabels" logger
    (a handler and the DEBUG level: the CLI's process is its own, the test run's is not)."""
    request.addfinalizer(logger_restorer())


def logger_restorer() -> Callable[[], None]:
    """A function that puts the "rekolabels" logger's handlers and level back as they are now.

    The level goes back through ``setLevel``, never a bare ``level =``: ``setLevel`` also clears
    the cache behind ``isEnabledFor``, which would otherwise go on saying DEBUG in later tests
    (and the CLI would then leave its retry display to a --debug that is no longer there)."""
    logger = logging.getLogger("rekolabels")
    handlers, level = list(logger.handlers), logger.level

    def restore() -> None:
        logger.handlers[:] = handlers
        logger.setLevel(level)

    return restore
