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


def test_fixture_reads_no_aws_configuration(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A stale shell: a profile that does not exist, and config files botocore cannot parse.
    bad = tmp_path / "not-ini"
    bad.write_text("[[[ not an INI file\n", encoding="utf-8")
    monkeypatch.setenv("AWS_PROFILE", "nosuch")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(bad))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(bad))
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "5")
    pytester.makepyfile(
        """
        def test_it(rekognition_fake):
            rekognition_fake.add_synthetic_job("job-1", detections=3)
            rekognition_fake.inject(["ThrottlingException"])
            client = rekognition_fake.client
            try:
                client.get_label_detection(JobId="job-1")
            except client.exceptions.ThrottlingException:
                pass  # one attempt: botocore's retries stay off whatever AWS_MAX_ATTEMPTS says
            else:
                raise AssertionError("the throttled call was retried by botocore")
            assert len(client.get_label_detection(JobId="job-1")["Labels"]) == 3
        """
    )
    result = pytester.runpytest_inprocess("-W", "error", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
