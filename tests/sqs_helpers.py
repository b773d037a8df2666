"""SNS -> SQS on moto for the notification tests, and SQS clients whose socket is replaced."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ConnectionClosedError, ReadTimeoutError
from moto import mock_aws

from rekolabels.testing import FakeClock, http_response

if TYPE_CHECKING:
    from types_boto3_sns import SNSClient
    from types_boto3_sqs import SQSClient

NOTES = Path(__file__).parent / "data" / "notifications"
REGION = "us-east-1"
DUMMY_KEY_ID = "AKIAREKOLABELSTESTING"
DUMMY_SECRET = "not-a-secret"


def message(name: str = "message-startlabeldetection-succeeded.json", **changes: Any) -> str:
    """A message variant from tests/data/notifications, as SNS's Message text."""
    text = (NOTES / name).read_text(encoding="utf-8")
    if not changes:
        return text
    return json.dumps({**json.loads(text), **changes}, separators=(",", ":"))


@overload
def aws_client(service: Literal["sns"], config: Config | None = None) -> SNSClient: ...
@overload
def aws_client(service: Literal["sqs"], config: Config | None = None) -> SQSClient: ...
def aws_client(
    service: Literal["sns", "sqs"], config: Config | None = None
) -> SNSClient | SQSClient:
    """A real boto3 client with dummy credentials (moto answers it inside ``mock_aws``)."""
    return boto3.client(
        service,
        region_name=REGION,
        aws_access_key_id=DUMMY_KEY_ID,
        aws_secret_access_key=DUMMY_SECRET,
        config=config,
    )


@dataclass
class Wiring:
    """A topic subscribed by a queue (with a dead-letter queue) on moto."""

    sns: SNSClient
    sqs: SQSClient
    topic_arn: str
    queue_url: str
    dlq_url: str

    def publish(self, text: str) -> None:
        self.sns.publish(TopicArn=self.topic_arn, Message=text)

    def counts(self, url: str | None = None) -> tuple[int, int]:
        """(visible, in flight) messages on the queue (default: the main one)."""
        attrs = self.sqs.get_queue_attributes(
            QueueUrl=url or self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return (
            int(attrs["ApproximateNumberOfMessages"]),
            int(attrs["ApproximateNumberOfMessagesNotVisible"]),
        )


def wire(
    *, raw: bool = False, visibility_timeout_s: int = 1, max_receive_count: int = 5, name: str = "q"
) -> Wiring:
    """Inside ``mock_aws``: an SNS topic, an SQS queue subscribed to it, and its DLQ."""
    sns, sqs = aws_client("sns"), aws_client("sqs")
    topic_arn = sns.create_topic(Name=f"{name}-topic")["TopicArn"]
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receive_count)}
    queue_url = sqs.create_queue(
        QueueName=name,
        Attributes={
            "VisibilityTimeout": str(visibility_timeout_s),
            "RedrivePolicy": json.dumps(redrive),
        },
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"} if raw else {},
    )
    return Wiring(sns, sqs, topic_arn, queue_url, dlq_url)


@pytest.fixture
def moto_aws() -> Iterator[None]:
    with mock_aws():
        yield


# -- an SQS client whose socket is replaced: scripted answers, for errors moto cannot make ------

QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/scripted"


@dataclass
class ScriptedSqs:
    """Answers each SQS call with the next scripted reply; records the operations called.

    A reply is ``("ok", body_dict)``, ``("error", status, query_code, message)`` or
    ``("drop",)`` / ``("timeout",)``; past the script, ReceiveMessage finds nothing.
    """

    script: list[tuple[Any, ...]]
    calls: list[str] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    """Every request body, parsed."""
    times: list[float] = field(default_factory=list)
    """The clock's monotonic time at each call (with a clock)."""
    clock: FakeClock | None = None
    """A FakeClock that an empty ReceiveMessage advances by its WaitTimeSeconds, as SQS does."""
    client: SQSClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = aws_client("sqs", config=Config(retries={"total_max_attempts": 1}))
        self.client.meta.events.register("before-send.sqs", self._answer)

    def _answer(self, request: Any, **_: Any) -> Any:
        target = request.headers.get("X-Amz-Target", b"")
        operation = (target.decode() if isinstance(target, bytes) else target).split(".")[-1]
        body = json.loads(request.body or b"{}")
        self.calls.append(operation)
        self.bodies.append(body)
        if self.clock is not None:
            self.times.append(self.clock.monotonic())
        reply = self.script.pop(0) if self.script else ("ok", {})
        empty = reply[0] == "ok" and not reply[1].get("Messages")
        if self.clock is not None and operation == "ReceiveMessage" and empty:
            self.clock.advance(body.get("WaitTimeSeconds", 0))
        headers = {"content-type": "application/x-amz-json-1.0", "x-amzn-RequestId": "req-1"}
        if reply[0] == "drop":
            raise ConnectionClosedError(endpoint_url=request.url)
        if reply[0] == "timeout":
            raise ReadTimeoutError(endpoint_url=request.url)
        if reply[0] == "error":
            _, status, code, text = reply
            headers["x-amzn-query-error"] = f"{code};Sender"
            error = {"__type": f"com.amazonaws.sqs#{code}", "message": text}
            return http_response(status, json.dumps(error).encode(), headers, url=request.url)
        return http_response(200, json.dumps(reply[1]).encode(), headers, url=request.url)


def received(body: str, handle: str = "rh-1", *more: tuple[str, str]) -> tuple[str, dict[str, Any]]:
    """A scripted ReceiveMessage answer holding a message (and ``more`` (body, handle) pairs)."""
    messages = [
        {"MessageId": f"id-{h}", "ReceiptHandle": h, "MD5OfBody": "x", "Body": b}
        for b, h in [(body, handle), *more]
    ]
    return ("ok", {"Messages": messages})


# -- a loopback SQS for the CLI in a subprocess (moto lives in this process only) --------------


class LoopbackSqs:
    """SQS's JSON protocol on http://127.0.0.1:PORT, for ``AWS_ENDPOINT_URL_SQS``.

    ``queues`` maps a queue URL to the message bodies it still holds; ReceiveMessage hands the
    first of them out (it is not hidden: the CLI deletes what it decides on), a URL it does not
    know answers QueueDoesNotExist, as SQS does. ``requests`` lists (operation, body).
    """

    def __init__(self, queues: dict[str, list[str]]) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.queues = queues
        self.requests: list[tuple[str, dict[str, Any]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                operation = str(self.headers.get("X-Amz-Target", "")).rpartition(".")[2]
                outer.requests.append((operation, body))
                status, answer, headers = outer.answer(operation, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/x-amz-json-1.0")
                self.send_header("content-length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def answer(self, operation: str, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        held = self.queues.get(body.get("QueueUrl", ""))
        if held is None:
            error = {"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "No queue."}
            return (
                400,
                error,
                {"x-amzn-query-error": "AWS.SimpleQueueService.NonExistentQueue;Sender"},
            )
        if operation == "ReceiveMessage" and held:
            text = held[0]
            one = {"MessageId": "m-1", "ReceiptHandle": "rh-1", "MD5OfBody": "x", "Body": text}
            return 200, {"Messages": [one]}, {}
        if operation == "DeleteMessage" and held:
            held.pop(0)
        return 200, {}, {}

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
