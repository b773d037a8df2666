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

from collections.abc import Callable
from enum import Enum
from functools import partial
from operator import add, itemgetter
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Strict,
    ValidationError,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, SchemaValidator, core_schema

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


# -- the fields set, on first use ---------------------------------------------------------------
#
# pydantic stores a set of the fields that were set in every instance: on a page, two or more
# per label, each 216 bytes and tracked by the cyclic GC (a fifth of a page's objects). A page
# validated from the wire holds no null (the wire validator refuses nulls), so there a field is
# set exactly when its value is not None: the wire validator leaves the slot None and the set
# is derived, then stored, the first time anything asks for it (``model_fields_set``, a dump
# with ``exclude_unset``, a copy). Every other path stores pydantic's own set, as before.

_FIELDS_SET = BaseModel.__dict__["__pydantic_fields_set__"]  # BaseModel's slot


def _fields_set(model: BaseModel) -> set[str]:
    fields_set: set[str] | None = _FIELDS_SET.__get__(model, type(model))
    if fields_set is None:
        fields_set = {name for name, value in model.__dict__.items() if value is not None}
        fields_set.update(model.__pydantic_extra__ or ())
        _FIELDS_SET.__set__(model, fields_set)
    return fields_set


# The slot, read through ``_fields_set``; stored as before (the setter is the slot's own, in C).
setattr(_Model, "__pydantic_fields_set__", property(_fields_set, _FIELDS_SET.__set__))  # noqa: B010

# Steps the wire validator appends to every model's fields validation, turning its
# ``(dict, extra, fields_set)`` into ``(dict, extra, None)``: C callables, so no Python runs
# per model, and the set dies young instead of living as long as the page.
_SET_ON_FIRST_USE = (partial(add, (None,)), itemgetter(1, 2, 0))


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


# -- shared leaves ------------------------------------------------------------------------------
#
# Parents, aliases and categories are leaves of one string (``{"Name": "Vehicle"}``) repeated
# across a job: a 1,000-label page holds ~2,500 of them and a few dozen distinct names. Built
# one by one, each is a model instance plus its ``__dict__``, fields-set and extras containers,
# two of them tracked by the cyclic GC: most of a page's objects, its memory and the collector's
# work. So a leaf that is exactly ``{"Name": <str>}`` is looked up by name and the one immutable
# instance for that name is shared (models are frozen); anything else (another member, a
# missing or non-string Name, a model instance) is validated as the model itself, as before.
# The shared instance is the one ``model_validate({"Name": name})`` builds: same type, fields
# set, extras and equality. Both steps of the fast branch are C callables, so a hit runs no
# Python code.

_SHARED_LEAVES_MAX = 10_000
"""Names kept per leaf class: a hostile job of unique names cannot grow the cache further."""


_LEAF_CACHES: dict[type[BaseModel], _LeafCache] = {}


class _LeafCache(dict[str, Any]):
    """name -> the shared leaf of ``cls`` with that Name; bounded, built on first use."""

    def __init__(self, cls: type[BaseModel]) -> None:
        super().__init__()
        self._cls = cls

    def __missing__(self, name: str) -> Any:
        leaf = self._cls.model_validate({"Name": name})
        if len(self) < _SHARED_LEAVES_MAX:
            self[name] = leaf
        return leaf


class _Shared:
    """Field annotation: share the leaves of this model class (see above)."""

    def __get_pydantic_core_schema__(
        self, source: type[BaseModel], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        model = handler(source)
        name_only = core_schema.typed_dict_schema(
            {
                "Name": core_schema.typed_dict_field(
                    core_schema.str_schema(), validation_alias="Name"
                )
            },
            extra_behavior="forbid",
            strict=True,
        )
        shared = core_schema.chain_schema(
            [
                name_only,
                core_schema.no_info_plain_validator_function(itemgetter("Name")),
                core_schema.no_info_plain_validator_function(
                    _LEAF_CACHES.setdefault(source, _LeafCache(source)).__getitem__
                ),
            ]
        )
        return core_schema.union_schema([shared, model], mode="left_to_right")

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # Document the model, not the lookup.
        return handler(schema["choices"][1])


_SHARED = _Shared()


class Label(_Model):
    """A detected label: name, confidence, taxonomy and instances."""

    name: str | None = Field(None, alias="Name")
    """Name of the label, e.g. ``Car``."""
    confidence: float | None = Field(None, alias="Confidence")
    """Confidence (0-100) that the label is present."""
    instances: list[Instance] | None = Field(None, alias="Instances")
    """Boxes around occurrences of the label (common objects only; none with SEGMENTS)."""
    parents: list[Annotated[Parent, _SHARED]] | None = Field(None, alias="Parents")
    """Ancestors of the label in the taxonomy."""
    aliases: list[Annotated[LabelAlias, _SHARED]] | None = Field(None, alias="Aliases")
    """Other names of the label (model 3.0 and later)."""
    categories: list[Annotated[LabelCategory, _SHARED]] | None = Field(None, alias="Categories")
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
        if cls is GetLabelDetectionResponse:
            # botocore's dicts hold no null: the fast validator (fields set on first use) takes
            # them; anything it refuses gets the ordinary validation and its errors.
            try:
                page: GetLabelDetectionResponse = _BOTO3_VALIDATOR.validate_python(response)
            except ValidationError:
                pass
            else:
                return page
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


# -- the fast validator ------------------------------------------------------------------------
#
# A copy of the response's validator that refuses null, so that a field is set exactly when it is
# not None and the fields set is left for first use (above). botocore's dicts never hold null:
# ``from_boto3`` tries it first, and anything it refuses gets the ordinary validation, untouched.
# The wire validator (``_rawpage``) is a copy of the same kind, with its own further changes.


def _fast_schema(
    schema: Any, edit: Callable[[dict[str, Any], bool], None] | None = None, top: bool = True
) -> Any:
    """A copy of a core schema refusing null and leaving fields sets for first use, recursively;
    ``edit(node, top)`` changes each copied node further (``top``: not inside any field)."""
    if isinstance(schema, list):
        return [_fast_schema(item, edit, top) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if schema.get("type") == "nullable":
        return _fast_schema(schema["schema"], edit, top)
    out = {
        key: value
        if key in ("metadata", "cls")
        else _fast_schema(value, edit, top and key != "fields")
        for key, value in schema.items()
    }
    if out.get("type") == "model":
        steps = (core_schema.no_info_plain_validator_function(f) for f in _SET_ON_FIRST_USE)
        out["schema"] = core_schema.chain_schema([out["schema"], *steps])
    if edit is not None:
        edit(out, top)
    return out


def _build_validator(schema: CoreSchema) -> SchemaValidator:
    """A validator of the models built from a changed copy of their core schema.

    pydantic-core reuses a model class's own validator for any ``model`` schema of a complete
    class, which would undo the changes; marking the classes incomplete while building stops
    that. Called at import only, so no other thread can see the classes meanwhile.
    """
    classes = _Model.__subclasses__()
    for cls in classes:
        cls.__pydantic_complete__ = False
    try:
        return SchemaValidator(schema)
    finally:
        for cls in classes:
            cls.__pydantic_complete__ = True


_BOTO3_VALIDATOR = _build_validator(
    _fast_schema(GetLabelDetectionResponse.__pydantic_core_schema__)
)
