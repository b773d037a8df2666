"""The pytest plugin: the rekognition_fake fixture, and the docs' example user test."""

from __future__ import annotations

from pathlib import Path

import pytest

from rekolabels.testing import FakeRekognition

pytest_plugins = ["pytester"]

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "test_my_pipeline.py"


def test_fixture_gives_a_ready_fake(rekognition_fake: FakeRekognition) -> None:
    rekognition_fake.add_synthetic_job("job-1", detections=3)
    page = rekognition_fake.client.get_label_detection(JobId="job-1")
    assert len(page["Labels"]) == 3


def test_the_docs_example_passes_under_pytest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_example=EXAMPLE.read_text(encoding="utf-8"))
    result = pytester.runpytest_inprocess("-W", "error", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_each_test_gets_a_fresh_fake_closed_afterwards(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        SEEN = []

        def test_one(rekognition_fake):
            rekognition_fake.add_synthetic_job("job-1", detections=1)
            rekognition_fake.serve()
            SEEN.append(rekognition_fake)

        def test_two(rekognition_fake):
            assert rekognition_fake is not SEEN[0]
            assert rekognition_fake.requests == []
            assert SEEN[0]._server is None  # the HTTP server was stopped
        """
    )
    result = pytester.runpytest_inprocess("-W", "error", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
