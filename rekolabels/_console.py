"""Showing the client's retries on a rich console: for the CLI's progress display and the demo.

rich (the ``cli`` extra) is only a type here; callers pass the console they made.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["retries_shown", "retries_to"]

_LOGGER = "rekolabels"


class _RetryLines(logging.Handler):
    """Print each retry the client logs as one short console line."""

    def __init__(self, console: Console, indent: str) -> None:
        super().__init__(logging.INFO)
        self._console = console
        self._indent = indent

    def emit(self, record: logging.LogRecord) -> None:
        attempt = getattr(record, "retry_attempt", None)  # set by _retry._log_retry
        if attempt is not None:
            reason = str(getattr(record, "retry_reason", ""))
            wait = float(getattr(record, "retry_wait_s", 0.0))
            # Short enough for an 80-column terminal: the request id's first block is enough.
            reason = re.sub(r"request id (\w{8})[\w-]+", r"request \1…", reason)
            line = f"attempt {attempt}: {reason}, again in {wait:.2f} s"
        else:
            line = record.getMessage()
        self._console.print(f"{self._indent}[yellow]↻ retry[/] {line}", highlight=False)


@contextmanager
def retries_shown(console: Console, *, indent: str = "") -> Iterator[None]:
    """While inside, each retry logged on the "rekolabels" logger is a line on ``console``."""
    with retries_to(_RetryLines(console, indent)):
        yield


@contextmanager
def retries_to(handler: logging.Handler) -> Iterator[None]:
    """While inside, ``handler`` gets the retries (INFO) the "rekolabels" logger logs, whatever
    its level was; the logger's level and handlers are as before after."""
    logger = logging.getLogger(_LOGGER)
    level = logger.level
    logger.addHandler(handler)
    if not logger.isEnabledFor(logging.INFO):
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
