"""What the fake's handle() answers (testing/_reply): AWS JSON 1.1 errors as botocore reads them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from rekolabels.testing import Reply, http_response, new_client
from rekolabels.testing._reply import CONTENT_TYPE, BadRequest, error_reply


def test_an_error_reply_is_what_botocore_reads_as_that_error() -> None:
    reply = error_reply("rid-9", "InvalidParameterException", "Bad JobId.", 400)
    assert reply == Reply(
        400,
        {"x-amzn-RequestId": "rid-9", "content-type": CONTENT_TYPE},
        json.dumps({"__type": "InvalidParameterException", "message": "Bad JobId."}).encode(),
    )
    client = new_client()

    def answer(**_: Any) -> Any:
        return http_response(reply.status, reply.body, reply.headers)

    client.meta.events.register("before-send.rekognition.GetLabelDetection", answer)
    with pytest.raises(ClientError) as info:
        client.get_label_detection(JobId="job-1")
    response = info.value.response
    assert response["Error"] == {"Code": "InvalidParameterException", "Message": "Bad JobId."}
    assert response["ResponseMetadata"]["RequestId"] == "rid-9"


def test_bad_request_carries_the_aws_code() -> None:
    error = BadRequest("ResourceNotFoundException", "The job does not exist.")
    assert (error.code, error.message, str(error)) == (
        "ResourceNotFoundException", "The job does not exist.", "The job does not exist.",
    )  # fmt: skip
