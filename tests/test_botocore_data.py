"""The sdk-extras data: derived from botocore's service model, loaded by botocore's own loader,
and used by real boto3 paginators and waiters (FakeRekognition, or ``before-send`` stubs)."""

from __future__ import annotations

import functools
import inspect
import json
import math
import os
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import WaiterError
from botocore.loaders import Loader, create_loader
from botocore.model import ListShape, ServiceModel, Shape, StringShape, StructureShape
from botocore.paginate import PaginatorModel
from botocore.waiter import WaiterModel
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rekolabels as rl
from rekolabels.testing import FakeRekognition, http_response

if TYPE_CHECKING:
    from types_boto3_rekognition.type_defs import GetLabelDetectionResponseTypeDef

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(rl.botocore_data_path())

# The list: the one member of each Get operation's output that holds the items.
RESULT_KEYS = {
    "GetLabelDetection": "Labels",
    "GetContentModeration": "ModerationLabels",
    "GetFaceDetection": "Faces",
    "GetFaceSearch": "Persons",
    "GetPersonTracking": "Persons",
    "GetCelebrityRecognition": "Celebrities",
    "GetSegmentDetection": "Segments",
    "GetTextDetection": "TextDetections",
}
SERVICE: ServiceModel = botocore.session.get_session().get_service_model("rekognition")
NO_RETRIES = Config(retries={"total_max_attempts": 1})


@pytest.fixture(autouse=True)
def _no_user_data_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sessions made here see only the data the test puts on their search path."""
    monkeypatch.delenv("AWS_DATA_PATH", raising=False)


def new_session() -> boto3.Session:
    # Dummy credentials: the fake and the stubs check none, and no real ones are ever read.
    return boto3.Session(
        aws_access_key_id="AKIAREKOLABELSTESTING",
        aws_secret_access_key="rekolabels-testing-not-a-secret",
        region_name="us-east-1",
    )


@functools.cache
def registered_session() -> boto3.Session:
    """One registered session for the tests that only use it: its loader parses botocore's
    service model once."""
    session = new_session()
    rl.register_botocore_data(session)
    return session


def registered_client() -> Any:
    return registered_session().client("rekognition", config=NO_RETRIES)


def extras(type_name: str) -> dict[str, Any]:
    (version,) = os.listdir(DATA / "rekognition")
    path = DATA / "rekognition" / version / f"{type_name}.sdk-extras.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def loader_paths(session: boto3.Session) -> list[str]:
    paths: list[str] = session._session.get_component("data_loader").search_paths
    return paths


# -- the data follows botocore's shapes -------------------------------------------------------


def structure(shape: Shape | None) -> StructureShape:
    """An operation's input or output shape, or a member, that must be a structure."""
    assert isinstance(shape, StructureShape)
    return shape


def derived_paginator(operation: str) -> dict[str, Any]:
    """What the paginator must be, from the service model and the result key alone."""
    model = SERVICE.operation_model(operation)
    inputs, outputs = structure(model.input_shape).members, structure(model.output_shape).members
    result_key = RESULT_KEYS[operation]
    assert {"NextToken", "MaxResults"} <= set(inputs)
    assert "NextToken" in outputs
    assert outputs[result_key].type_name == "list"
    return {
        "input_token": "NextToken",
        "output_token": "NextToken",
        "limit_key": "MaxResults",
        "result_key": result_key,
        "non_aggregate_keys": [m for m in outputs if m not in ("NextToken", result_key)],
    }


def test_the_data_pages_exactly_the_eight_video_get_operations() -> None:
    assert extras("paginators-1") == {
        "version": 1.0,
        "merge": {"pagination": {op: derived_paginator(op) for op in RESULT_KEYS}},
    }


def test_segment_detection_keeps_its_list_members_as_non_aggregate_keys() -> None:
    paginator = extras("paginators-1")["merge"]["pagination"]["GetSegmentDetection"]
    assert {"VideoMetadata", "AudioMetadata", "SelectedSegmentTypes"} <= set(
        paginator["non_aggregate_keys"]
    )


def test_the_data_sits_under_botocores_api_version() -> None:
    assert os.listdir(DATA) == ["rekognition"]
    assert os.listdir(DATA / "rekognition") == [SERVICE.api_version]
    latest = Loader().determine_latest_version("rekognition", "service-2")
    assert latest == SERVICE.api_version


def test_botocore_alone_has_no_video_paginator_or_job_waiter() -> None:
    """The day botocore ships them itself, this fails and the data can go."""
    client = new_session().client("rekognition")
    assert not any(client.can_paginate(botocore.xform_name(op)) for op in RESULT_KEYS)
    assert "label_detection_complete" not in client.waiter_names


def test_the_waiter_follows_the_service_model() -> None:
    waiter = extras("waiters-2")["merge"]["waiters"]["LabelDetectionComplete"]
    output = structure(SERVICE.operation_model(waiter["operation"]).output_shape)
    statuses = output.members["JobStatus"]
    assert isinstance(statuses, StringShape)
    assert {a["argument"] for a in waiter["acceptors"]} == {"JobStatus"}
    decided = {a["expected"]: a["state"] for a in waiter["acceptors"]}
    assert decided == {"SUCCEEDED": "success", "FAILED": "failure"}
    # Every status but IN_PROGRESS ends the wait: a new terminal status must be decided here.
    assert set(statuses.enum) - {"IN_PROGRESS"} == set(decided)
    # It waits at least as long as LabelDetectionClient.wait_for_job, polling no harder.
    timeout_s = inspect.signature(rl.LabelDetectionClient.wait_for_job).parameters["timeout_s"]
    assert waiter["delay"] * waiter["maxAttempts"] >= timeout_s.default
    assert waiter["delay"] >= 5


def test_the_docs_page_lists_what_the_data_holds() -> None:
    page = (ROOT / "docs" / "boto3-and-aws-cli.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (Get\w+) \| `(\w+)` \| `(\w+)` \|$", page, flags=re.M)
    pagination = extras("paginators-1")["merge"]["pagination"]
    assert rows == [(op, botocore.xform_name(op), p["result_key"]) for op, p in pagination.items()]
    waiter = extras("waiters-2")["merge"]["waiters"]["LabelDetectionComplete"]
    prose = " ".join(page.split())
    assert f"every {waiter['delay']} s, at most {waiter['maxAttempts']} times" in prose


# -- botocore's own loader reads it -----------------------------------------------------------


def check_loaded(loader: Loader) -> None:
    pages = loader.load_service_model("rekognition", "paginators-1", SERVICE.api_version)
    assert set(RESULT_KEYS) <= set(pages["pagination"])
    assert "ListFaces" in pages["pagination"]  # merged into botocore's own, not replacing it
    model = PaginatorModel(pages)
    for operation, result_key in RESULT_KEYS.items():
        assert model.get_paginator(operation)["result_key"] == result_key
    waiters = loader.load_service_model("rekognition", "waiters-2", SERVICE.api_version)
    assert {"LabelDetectionComplete", "ProjectVersionRunning"} <= set(waiters["waiters"])
    waiter = WaiterModel(waiters).get_waiter("LabelDetectionComplete")
    assert waiter.operation == "GetLabelDetection"
    assert [a.state for a in waiter.acceptors] == ["success", "failure"]


def test_the_data_loads_through_botocores_loader() -> None:
    check_loaded(create_loader(rl.botocore_data_path()))


def test_the_cli_prints_the_folder_alone_for_aws_data_path(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from rekolabels._cli import main

    assert main(["botocore-data-path"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out == rl.botocore_data_path() + "\n"
    # As `AWS_DATA_PATH=$(rekolabels botocore-data-path)` uses it: the folder botocore reads.
    monkeypatch.setenv("AWS_DATA_PATH", out.strip())
    client = botocore.session.Session().create_client(
        "rekognition", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    assert client.can_paginate("get_label_detection")


def test_aws_data_path_is_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DATA_PATH", rl.botocore_data_path())
    session = botocore.session.get_session()
    check_loaded(session.get_component("data_loader"))
    client = session.create_client(
        "rekognition", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    assert client.can_paginate("get_label_detection")
    assert "label_detection_complete" in client.waiter_names


@pytest.mark.slow
def test_the_wheel_ships_the_data(wheel: Path) -> None:
    shipped = {p.relative_to(DATA.parent.parent).as_posix(): p.read_bytes()
               for p in DATA.rglob("*.json")}  # fmt: skip
    assert len(shipped) == 2
    with zipfile.ZipFile(wheel) as archive:
        for name, content in shipped.items():
            assert archive.read(name) == content


# -- register_botocore_data ------------------------------------------------------------------


def test_register_gives_a_boto3_session_every_paginator_and_the_waiter() -> None:
    client = registered_client()
    for operation in RESULT_KEYS:
        assert client.can_paginate(botocore.xform_name(operation)), operation
    assert "label_detection_complete" in client.waiter_names
    assert client.can_paginate("list_faces")  # botocore's own are still there


def test_register_a_botocore_session() -> None:
    session = botocore.session.get_session()
    rl.register_botocore_data(session)
    client = session.create_client(
        "rekognition", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    assert client.can_paginate("get_text_detection")
    assert "label_detection_complete" in client.waiter_names


def test_register_without_a_session_sets_up_boto3s_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    rl.register_botocore_data()
    assert boto3.DEFAULT_SESSION is not None
    assert rl.botocore_data_path() in loader_paths(boto3.DEFAULT_SESSION)
    client = boto3.client(
        "rekognition", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    assert client.can_paginate("get_label_detection")


def test_register_without_a_session_uses_the_existing_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    default = new_session()
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", default)
    rl.register_botocore_data()
    assert boto3.DEFAULT_SESSION is default
    assert rl.botocore_data_path() in loader_paths(default)


def test_registering_twice_is_harmless_and_keeps_existing_paths(tmp_path: Path) -> None:
    session = new_session()
    session._session.get_component("data_loader").search_paths.insert(0, str(tmp_path))
    before = list(loader_paths(session))
    rl.register_botocore_data(session)
    rl.register_botocore_data(session)
    after = loader_paths(session)
    builtin = before.index(Loader.BUILTIN_DATA_PATH)
    assert after == [*before[:builtin], rl.botocore_data_path(), *before[builtin:]]
    assert session.client("rekognition").can_paginate("get_face_search")


def lacks_paginators(client: Any) -> bool:
    return not client.can_paginate("get_label_detection")


def lacks_waiter(client: Any) -> bool:
    return "label_detection_complete" not in client.waiter_names


@pytest.mark.parametrize("lacks", [lacks_paginators, lacks_waiter], ids=["paginators", "waiters"])
def test_register_after_the_loader_cached_rekognition_raises(lacks: Any) -> None:
    session = new_session()
    assert lacks(session.client("rekognition"))  # the loader caches what botocore alone has
    with pytest.raises(rl.InvalidArgumentError, match=r"^session: .*before making clients"):
        rl.register_botocore_data(session)
    assert lacks(session.client("rekognition"))  # and no client of it would ever gain them


def test_a_client_made_earlier_that_loaded_nothing_yet_still_gains_them() -> None:
    session = new_session()
    early = session.client("rekognition")
    rl.register_botocore_data(session)
    assert early.can_paginate("get_label_detection")


def test_register_names_an_extras_file_that_hides_ours(tmp_path: Path) -> None:
    other = tmp_path / "rekognition" / SERVICE.api_version
    other.mkdir(parents=True)
    (other / "paginators-1.sdk-extras.json").write_text('{"version": 1.0, "merge": {}}')
    session = new_session()
    session._session.get_component("data_loader").search_paths.insert(0, str(tmp_path))
    with pytest.raises(rl.InvalidArgumentError, match=r"^session: .*hides rekolabels' data") as e:
        rl.register_botocore_data(session)
    assert str(other / "paginators-1.sdk-extras") in str(e.value)


def test_register_rejects_what_is_not_a_session() -> None:
    with pytest.raises(TypeError, match=r"^session: "):
        rl.register_botocore_data("default")  # type: ignore[arg-type]


# -- GetLabelDetection's paginator against the fake -------------------------------------------


def fake_job(detections: int) -> tuple[FakeRekognition, Any]:
    fake = FakeRekognition(seed=3)
    fake.add_synthetic_job("job-1", detections=detections, seed=5)
    client = registered_client()
    fake.attach(client)
    return fake, client


def labels_of(response: rl.GetLabelDetectionResponse) -> list[dict[str, Any]]:
    labels: list[dict[str, Any]] = response.to_boto3()["Labels"]
    return labels


def test_the_paginator_follows_every_page_of_the_fake() -> None:
    fake, client = fake_job(2345)
    pages = list(
        client.get_paginator("get_label_detection").paginate(
            JobId="job-1", PaginationConfig={"PageSize": 400}
        )
    )
    whole = rl.LabelDetectionClient(fake.client).get_all("job-1")
    assert len(pages) == math.ceil(2345 / 400)
    assert [len(p["Labels"]) for p in pages] == [400] * 5 + [345]
    assert all("NextToken" in p for p in pages[:-1])
    assert "NextToken" not in pages[-1]
    assert [label for page in pages for label in page["Labels"]] == labels_of(whole)
    requests = fake.requests[: len(pages)]
    assert [r.get("NextToken") for r in requests] == [None] + [p["NextToken"] for p in pages[:-1]]
    assert {r["MaxResults"] for r in requests} == {400}


def test_build_full_result_equals_get_all() -> None:
    fake, client = fake_job(2345)
    full = client.get_paginator("get_label_detection").paginate(JobId="job-1").build_full_result()
    whole = rl.LabelDetectionClient(fake.client).get_all("job-1").to_boto3()
    assert full["Labels"] == whole["Labels"]
    assert "NextToken" not in full
    # The other members come from the first page; absent ones are None in botocore's result.
    assert {k: v for k, v in full.items() if v is not None} == {
        k: v for k, v in whole.items() if k != "ResponseMetadata"
    }


@functools.cache
def shared_job() -> tuple[Any, list[dict[str, Any]]]:
    """A registered client on a 300-label job, and get_all's labels: built once, read only."""
    fake, client = fake_job(300)
    return client, labels_of(rl.LabelDetectionClient(fake.client).get_all("job-1"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page_size=st.integers(7, 400), max_items=st.integers(1, 400))
def test_max_items_then_starting_token_resumes_losing_and_repeating_nothing(
    page_size: int, max_items: int
) -> None:
    client, everything = shared_job()
    paginator = client.get_paginator("get_label_detection")
    config = {"PageSize": page_size, "MaxItems": max_items}
    first = paginator.paginate(JobId="job-1", PaginationConfig=config).build_full_result()
    assert len(first["Labels"]) == min(max_items, 300)
    rest: list[dict[str, Any]] = []
    if "NextToken" in first:
        config = {"PageSize": page_size, "StartingToken": first["NextToken"]}
        resumed = paginator.paginate(JobId="job-1", PaginationConfig=config)
        rest = resumed.build_full_result()["Labels"]
    else:
        assert max_items >= 300
    assert first["Labels"] + rest == everything


# -- the other seven operations, against before-send stubs serving two pages ------------------


def item(operation: str, n: int) -> dict[str, Any]:
    """One item of the operation's result list: its first integer member set to ``n``."""
    listed = structure(SERVICE.operation_model(operation).output_shape).members
    result = listed[RESULT_KEYS[operation]]
    assert isinstance(result, ListShape)
    shape = structure(result.member)
    member = next(name for name, s in shape.members.items() if s.type_name == "long")
    return {member: n}


class TwoPages:
    """A before-send stub: page 1 with a NextToken, then page 2 without; records requests."""

    def __init__(self, operation: str) -> None:
        self.operation = operation
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: Any, **_: Any) -> Any:
        body = json.loads(request.body)
        self.requests.append(body)
        page: dict[str, Any] = {"JobStatus": "SUCCEEDED", "JobId": body["JobId"]}
        if "NextToken" not in body:
            page.update({"NextToken": "page-2-token", "JobTag": "first-page"})
            page[RESULT_KEYS[self.operation]] = [item(self.operation, 1)]
        else:
            assert body["NextToken"] == "page-2-token"
            page.update({"JobTag": "second-page"})
            page[RESULT_KEYS[self.operation]] = [item(self.operation, 2)]
        return http_response(200, json.dumps(page).encode(), url=request.url)


@pytest.mark.parametrize("operation", [op for op in RESULT_KEYS if op != "GetLabelDetection"])
def test_each_other_video_get_operation_paginates(operation: str) -> None:
    client = registered_client()
    stub = TwoPages(operation)
    client.meta.events.register(f"before-send.rekognition.{operation}", stub)
    paginator = client.get_paginator(botocore.xform_name(operation))
    pages = list(paginator.paginate(JobId="job-7", PaginationConfig={"PageSize": 1}))
    result_key = RESULT_KEYS[operation]
    assert [p[result_key] for p in pages] == [[item(operation, 1)], [item(operation, 2)]]
    assert stub.requests == [
        {"JobId": "job-7", "MaxResults": 1},
        {"JobId": "job-7", "MaxResults": 1, "NextToken": "page-2-token"},
    ]
    full = paginator.paginate(JobId="job-7").build_full_result()
    assert full[result_key] == [item(operation, 1), item(operation, 2)]
    assert (full["JobStatus"], full["JobTag"]) == ("SUCCEEDED", "first-page")
    assert "NextToken" not in full


# -- the LabelDetectionComplete waiter ---------------------------------------------------------


def waiter_for(fake: FakeRekognition) -> Any:
    client = registered_client()
    fake.attach(client)
    return client.get_waiter("label_detection_complete")


FAST = {"Delay": 0, "MaxAttempts": 4}


def test_the_waiter_succeeds_once_the_job_has_succeeded() -> None:
    fake = FakeRekognition()
    fake.add_synthetic_job("job-1", detections=50)
    fake.add_job("later", {"JobStatus": "SUCCEEDED", "Labels": []}, in_progress_polls=2)
    waiter = waiter_for(fake)
    assert waiter.wait(JobId="job-1", MaxResults=1, WaiterConfig=FAST) is None
    assert len(fake.requests) == 1
    waiter.wait(JobId="later", WaiterConfig=FAST)
    assert len(fake.requests) == 1 + 3  # two IN_PROGRESS polls, then SUCCEEDED


def test_the_waiter_fails_on_a_failed_job() -> None:
    fake = FakeRekognition()
    fake.add_job("job-1", {"JobStatus": "FAILED", "StatusMessage": "Unable to access the video"})
    with pytest.raises(WaiterError, match="terminal failure state") as e:
        waiter_for(fake).wait(JobId="job-1", WaiterConfig=FAST)
    # botocore-stubs type last_response as an error response; a waiter's is the operation's.
    last = cast("GetLabelDetectionResponseTypeDef", e.value.last_response)
    assert last["StatusMessage"] == "Unable to access the video"
    assert len(fake.requests) == 1


def test_the_waiter_gives_up_on_a_job_that_stays_in_progress() -> None:
    fake = FakeRekognition()
    fake.add_job("job-1", {"JobStatus": "SUCCEEDED", "Labels": []}, in_progress_polls=1000)
    with pytest.raises(WaiterError, match="Max attempts exceeded") as e:
        waiter_for(fake).wait(JobId="job-1", WaiterConfig=FAST)
    last = cast("GetLabelDetectionResponseTypeDef", e.value.last_response)
    assert last["JobStatus"] == "IN_PROGRESS"
    assert len(fake.requests) == FAST["MaxAttempts"]


def test_the_waiter_stops_at_once_on_an_unknown_job() -> None:
    fake = FakeRekognition()
    with pytest.raises(WaiterError, match="ResourceNotFoundException"):
        waiter_for(fake).wait(JobId="no-such-job", WaiterConfig=FAST)
    assert len(fake.requests) == 1
