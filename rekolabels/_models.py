"""Typed models of every GetLabelDetection field.

One class per structure shape that botocore's service model reaches from
``GetLabelDetectionRequest`` and ``GetLabelDetectionResponse``, named exactly as the shape,
plus ``ResponseMetadata`` (which botocore adds to every response).

- Attributes are botocore's ``xform_name`` of the member; the AWS member name is the alias.
- Every response field is optional: real responses omit many (v2.0 has no Aliases, an
  IN_PROGRESS job has no VideoMetadata).
- Lossless and forward compatible: unknown fields at any depth are kept (``extra="allow"``)
  and dumped back; an enum value this release does not know stays a plain ``str``.
- Strict types: a response whose fields have the wrong types is rejected rather than coerced,
  because coercion (``"5"`` -> ``5``) would silently change what AWS sent.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError

from ._errors import ResponseValidationError

__all__ = [
    "BoundingBox",
    "DominantColor",
    "GetLabelDetectionRequest",
    "GetLabelDetectionRequestMetadata",
    "GetLabelDetectionResponse",
    "Instance",
    "Label",
    "LabelAlias",
    "LabelCategory",
    "LabelDetection",
    "LabelDetectionAggregateBy",
    "LabelDetectionSortBy",
    "Parent",
    "ResponseMetadata",
    "S3Object",
    "Video",
    "VideoColorRange",
    "VideoJobStatus",
    "VideoMetadata",
]


class _AwsEnum(str, Enum):
    """A str-mixin Enum that prints as its AWS value on every Python version."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, format_spec: str) -> str:
        return format(str(self.value), format_spec)


class VideoJobStatus(_AwsEnum):
    """State of an asynchronous Rekognition Video job."""

    IN_PROGRESS = "IN_PROGRESS"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class LabelDetectionSortBy(_AwsEnum):
    """Order of the labels in a response."""

    NAME = "NAME"
    TIMESTAMP = "TIMESTAMP"


class LabelDetectionAggregateBy(_AwsEnum):
    """Whether labels are returned per sampled frame or as time segments."""

    TIMESTAMPS = "TIMESTAMPS"
    SEGMENTS = "SEGMENTS"


class VideoColorRange(_AwsEnum):
    """Color range of the video (full 0-255 or limited 16-235)."""

    FULL = "FULL"
    LIMITED = "LIMITED"


# Enum fields are open: known values become members; a value a later API version adds is kept
# as a plain str. left_to_right, or pydantic's smart mode would pick ``str`` for known values too.
_OPEN = Field(union_mode="left_to_right")
_JobStatus = Annotated[Annotated[VideoJobStatus, Strict(False)] | str | None, _OPEN]
_SortBy = Annotated[Annotated[LabelDetectionSortBy, Strict(False)] | str | None, _OPEN]
_AggregateBy = Annotated[Annotated[LabelDetectionAggregateBy, Strict(False)] | str | None, _OPEN]
_ColorRange = Annotated[Annotated[VideoColorRange, Strict(False)] | str | None, _OPEN]


class _Model(BaseModel):
    """Shared base: AWS names as aliases, unknown fields kept, strict types, immutable."""

    model_config = ConfigDict(
        extra="allow",
        strict=True,
        frozen=True,
        validate_by_name=True,
        validate_by_alias=True,
        use_attribute_docstrings=True,
        # repr shows values, not the noise of unset optional fields
    )

    def to_boto3(self) -> dict[str, Any]:
        """The dict boto3 would return: AWS member names, only the fields that were set."""
        return self.model_dump(by_alias=True, exclude_unset=True, mode="json")


class BoundingBox(_Model):
    """Box around an instance, as ratios of the frame's width and height (0 to 1)."""

    width: float | None = Field(None, alias="Width")
    """Width of the box as a ratio of the frame width."""
    height: float | None = Field(None, alias="Height")
    """Height of the box as a ratio of the frame height."""
    left: float | None = Field(None, alias="Left")
    """Left edge as a ratio of the frame width."""
    top: float | None = Field(None, alias="Top")
    """Top edge as a ratio of the frame height."""


class DominantColor(_Model):
    """A dominant color of an instance."""

    red: int | None = Field(None, alias="Red")
    """Red component, 0-255."""
    blue: int | None = Field(None, alias="Blue")
    """Blue component, 0-255."""
    green: int | None = Field(None, alias="Green")
    """Green component, 0-255."""
    hex_code: str | None = Field(None, alias="HexCode")
    """Hex code of the color, e.g. ``#ffffff``."""
    css_color: str | None = Field(None, alias="CSSColor")
    """Name of the nearest CSS color."""
    simplified_color: str | None = Field(None, alias="SimplifiedColor")
    """One of a small set of simplified color names."""
    pixel_percent: float | None = Field(None, alias="PixelPercent")
    """Percentage of the instance's pixels that have this color."""


class Instance(_Model):
    """One occurrence of a label in a frame, with its box."""

    bounding_box: BoundingBox | None = Field(None, alias="BoundingBox")
    """Where the instance is in the frame."""
    confidence: float | None = Field(None, alias="Confidence")
    """Confidence (0-100) that the box holds the label."""
    dominant_colors: list[DominantColor] | None = Field(None, alias="DominantColors")
    """Dominant colors of the instance."""


class Parent(_Model):
    """An ancestor label in Rekognition's taxonomy (``Car`` -> ``Vehicle``)."""

    name: str | None = Field(None, alias="Name")
    """Name of the parent label."""


class LabelAlias(_Model):
    """Another name for the label."""

    name: str | None = Field(None, alias="Name")
    """The alias."""


class LabelCategory(_Model):
    """The category a label belongs to (e.g. ``Vehicles and Automotive``)."""

    name: str | None = Field(None, alias="Name")
    """Name of the category."""


class Label(_Model):
    """A detected label: name, confidence, taxonomy and instances."""

    name: str | None = Field(None, alias="Name")
    """Name of the label, e.g. ``Car``."""
    confidence: float | None = Field(None, alias="Confidence")
    """Confidence (0-100) that the label is present."""
    instances: list[Instance] | None = Field(None, alias="Instances")
    """Boxes around occurrences of the label (common objects only; none with SEGMENTS)."""
    parents: list[Parent] | None = Field(None, alias="Parents")
    """Ancestors of the label in the taxonomy."""
    aliases: list[LabelAlias] | None = Field(None, alias="Aliases")
    """Other names of the label (model 3.0 and later)."""
    categories: list[LabelCategory] | None = Field(None, alias="Categories")
    """Categories of the label (model 3.0 and later)."""


class LabelDetection(_Model):
    """A label seen at a timestamp (TIMESTAMPS) or over a time segment (SEGMENTS)."""

    timestamp: int | None = Field(None, alias="Timestamp")
    """Milliseconds from the start of the video (the segment's start with SEGMENTS)."""
    label: Label | None = Field(None, alias="Label")
    """The detected label."""
    start_timestamp_millis: int | None = Field(None, alias="StartTimestampMillis")
    """Start of the segment in milliseconds (SEGMENTS only)."""
    end_timestamp_millis: int | None = Field(None, alias="EndTimestampMillis")
    """End of the segment in milliseconds (SEGMENTS only)."""
    duration_millis: int | None = Field(None, alias="DurationMillis")
    """Length of the segment in milliseconds (SEGMENTS only)."""

    @property
    def name(self) -> str | None:
        """Shortcut to ``label.name``."""
        return self.label.name if self.label is not None else None

    @property
    def confidence(self) -> float | None:
        """Shortcut to ``label.confidence``."""
        return self.label.confidence if self.label is not None else None


class VideoMetadata(_Model):
    """Format and size of the analysed video."""

    codec: str | None = Field(None, alias="Codec")
    """Video codec, e.g. ``h264``."""
    duration_millis: int | None = Field(None, alias="DurationMillis")
    """Length of the video in milliseconds."""
    format: str | None = Field(None, alias="Format")
    """Container format, e.g. ``QuickTime / MOV``."""
    frame_rate: float | None = Field(None, alias="FrameRate")
    """Frames per second."""
    frame_height: int | None = Field(None, alias="FrameHeight")
    """Frame height in pixels."""
    frame_width: int | None = Field(None, alias="FrameWidth")
    """Frame width in pixels."""
    color_range: _ColorRange = Field(None, alias="ColorRange")
    """Color range; an unknown value is kept as a plain string."""


class S3Object(_Model):
    """Location of an object in S3."""

    bucket: str | None = Field(None, alias="Bucket")
    """Bucket name."""
    name: str | None = Field(None, alias="Name")
    """Object key."""
    version: str | None = Field(None, alias="Version")
    """Object version, if versioning is on."""


class Video(_Model):
    """The video a job analysed."""

    s3_object: S3Object | None = Field(None, alias="S3Object")
    """Where the video is stored."""


class GetLabelDetectionRequestMetadata(_Model):
    """The SortBy and AggregateBy the request asked for, echoed by the service."""

    sort_by: _SortBy = Field(None, alias="SortBy")
    """Order of the labels."""
    aggregate_by: _AggregateBy = Field(None, alias="AggregateBy")
    """TIMESTAMPS or SEGMENTS."""


class ResponseMetadata(_Model):
    """What botocore adds to every response: request id, HTTP status and headers, retries."""

    request_id: str | None = Field(None, alias="RequestId")
    """AWS request id; quote it in support cases."""
    host_id: str | None = Field(None, alias="HostId")
    """Host id (S3-style services; normally absent here)."""
    http_status_code: int | None = Field(None, alias="HTTPStatusCode")
    """HTTP status of the response."""
    http_headers: dict[str, str] | None = Field(None, alias="HTTPHeaders")
    """HTTP response headers, lower-cased names."""
    retry_attempts: int | None = Field(None, alias="RetryAttempts")
    """Retries botocore itself made for this call."""
    max_attempts_reached: bool | None = Field(None, alias="MaxAttemptsReached")
    """Set by botocore when its own retry budget ran out."""


class GetLabelDetectionRequest(_Model):
    """Parameters of a GetLabelDetection call."""

    job_id: str = Field(alias="JobId")
    """Job id returned by StartLabelDetection."""
    max_results: int | None = Field(None, alias="MaxResults")
    """Page size (AWS caps it at 1000)."""
    next_token: str | None = Field(None, alias="NextToken")
    """Token of the page to fetch, from the previous page."""
    sort_by: _SortBy = Field(None, alias="SortBy")
    """Order of the labels: TIMESTAMP (default) or NAME."""
    aggregate_by: _AggregateBy = Field(None, alias="AggregateBy")
    """TIMESTAMPS (default) or SEGMENTS."""


class GetLabelDetectionResponse(_Model):
    """One page of a label detection job's results (or, from ``get_all``, every page merged)."""

    job_status: _JobStatus = Field(None, alias="JobStatus")
    """IN_PROGRESS, SUCCEEDED or FAILED."""
    status_message: str | None = Field(None, alias="StatusMessage")
    """Why the job failed, when it did."""
    video_metadata: VideoMetadata | None = Field(None, alias="VideoMetadata")
    """Format and size of the video (absent while the job runs)."""
    next_token: str | None = Field(None, alias="NextToken")
    """Token of the next page; absent on the last page."""
    labels: list[LabelDetection] | None = Field(None, alias="Labels")
    """The labels of this page."""
    label_model_version: str | None = Field(None, alias="LabelModelVersion")
    """Version of the detection model, e.g. ``3.0``."""
    job_id: str | None = Field(None, alias="JobId")
    """Id of the job."""
    video: Video | None = Field(None, alias="Video")
    """The analysed video."""
    job_tag: str | None = Field(None, alias="JobTag")
    """Tag given to StartLabelDetection."""
    get_request_metadata: GetLabelDetectionRequestMetadata | None = Field(
        None, alias="GetRequestMetadata"
    )
    """The SortBy and AggregateBy this response was made with."""
    response_metadata: ResponseMetadata | None = Field(None, alias="ResponseMetadata")
    """Request id, HTTP status and headers, as botocore reports them."""

    @classmethod
    def from_boto3(cls, response: Any) -> GetLabelDetectionResponse:
        """Parse the dict ``client.get_label_detection()`` returned.

        Raises ResponseValidationError (never a bare pydantic error) when a field has the wrong
        type.
        """
        try:
            return cls.model_validate(response)
        except ValidationError as exc:
            raise ResponseValidationError(
                f"GetLabelDetection response does not match the service model: {exc}"
            ) from exc


# Every class here is exported: each says ``rekolabels.X`` (reprs, tracebacks, pickles, docs),
# the name users import. Set here, once the classes are built, not in their bodies: pydantic
# reads ``cls.__module__`` while building a model (attribute docstrings, annotations), and not
# in ``__init__``, which imports lazily.
for _name in __all__:
    globals()[_name].__module__ = "rekolabels"
