"""_console.retries_shown: each retry the client logs, as one short line on a rich console."""

from __future__ import annotations

import io
import logging
import re
from typing import TYPE_CHECKING

import pytest

import rekolabels as rl
from rekolabels._console import retries_shown, retries_to
from rekolabels.testing import FakeRekognition

if TYPE_CHECKING:
    from rich.console import Console

rich_console = pytest.importorskip("rich.console")


def console() -> tuple[io.StringIO, Console]:
    out = io.StringIO()
    shown_on: Console = rich_console.Console(file=out, width=120, color_system=None)
    return out, shown_on


def test_each_retry_is_one_short_line() -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=5)
    fake.inject(["ThrottlingException", "connection"])
    lc = rl.LabelDetectionClient(fake.client, retry=rl.RetryPolicy(initial_backoff_s=0))
    out, shown_on = console()
    with retries_shown(shown_on, indent="  "):
        lc.get_page("job-1")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert re.fullmatch(
        r"  ↻ retry attempt 1: ThrottlingException \(request [0-9a-f]{8}…\), again in 0\.00 s",
        lines[0],
    )
    assert lines[1] == (
        "  ↻ retry attempt 2: ServiceUnavailableError (ConnectionClosedError), again in 0.00 s"
    )


def test_other_records_are_shown_as_logged_and_the_logger_is_restored() -> None:
    logger = logging.getLogger("rekolabels")
    level = logger.level
    handlers = list(logger.handlers)
    out, shown_on = console()
    with retries_shown(shown_on):
        assert logger.isEnabledFor(logging.INFO)
        logger.info("something %s", "else")
    assert out.getvalue() == "↻ retry something else\n"
    assert logger.level == level
    assert logger.handlers == handlers


def test_retries_to_gets_info_records_whatever_the_level_and_puts_it_back() -> None:
    logger = logging.getLogger("rekolabels")
    records: list[logging.LogRecord] = []

    class Kept(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Kept()
    before = logger.level
    logger.setLevel(logging.WARNING)
    try:
        with retries_to(handler):
            logger.info("a retry")
        logger.info("after")
        assert [r.getMessage() for r in records] == ["a retry"]
        assert logger.level == logging.WARNING
        assert handler not in logger.handlers
    finally:
        logger.setLevel(before)
