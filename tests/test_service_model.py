"""Every member botocore's installed service model knows has a field, with the right alias and
the right type.

CI installs botocore from constraints.txt, so a botocore release that adds a member turns this
red only when we bump the pin; then we add the field.
"""

from __future__ import annotations

import types
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin

import botocore.session
import pytest
from botocore import xform_name
from botocore.model import ListShape, MapShape, Shape, StringShape, StructureShape
from pydantic import BaseModel

import rekolabels

OPERATION = (
    botocore.session.get_session()
    .get_service_model("rekognition")
    .operation_model("GetLabelDetection")
)
# botocore's scalar type names, as the Python type of the field.
SCALARS: dict[str, type] = {
    "integer": int,
    "long": int,
    "float": float,
    "double": float,
    "string": str,
    "boolean": bool,
}


def reachable_shapes(*roots: Shape | None) -> tuple[list[StructureShape], list[StringShape]]:
    structures: dict[str, StructureShape] = {}
    enums: dict[str, StringShape] = {}

    def walk(shape: Shape) -> None:
        if isinstance(shape, StructureShape):
            if shape.name in structures:
                return
            structures[shape.name] = shape
            for member in shape.members.values():
                walk(member)
        elif isinstance(shape, ListShape):
            walk(shape.member)
        elif isinstance(shape, MapShape):
            walk(shape.value)
        elif isinstance(shape, StringShape) and shape.enum:
            enums[shape.name] = shape

    for root in roots:
        assert root is not None
        walk(root)
    return list(structures.values()), list(enums.values())


STRUCTURES, ENUMS = reachable_shapes(OPERATION.input_shape, OPERATION.output_shape)


def shape_type(shape: Shape) -> object:
    """What a field for ``shape`` must hold: a model or enum class, a scalar type, or
    ``("list", item)`` / ``("map", key, value)``."""
    if isinstance(shape, StructureShape):
        return getattr(rekolabels, shape.name)
    if isinstance(shape, ListShape):
        return ("list", shape_type(shape.member))
    if isinstance(shape, MapShape):
        return ("map", shape_type(shape.key), shape_type(shape.value))
    if isinstance(shape, StringShape) and shape.enum:
        return getattr(rekolabels, shape.name)
    return SCALARS[shape.type_name]


def field_type(annotation: Any) -> object:
    """The same description read from a field's annotation: Optional and Annotated dropped, an
    open enum (``TheEnum | str``) as the enum class."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return field_type(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        kinds = [field_type(arg) for arg in get_args(annotation) if arg is not type(None)]
        if len(kinds) == 2 and kinds[1] is str:
            enum = kinds[0]
            assert isinstance(enum, type), annotation
            assert issubclass(enum, Enum), annotation
            return enum
        assert len(kinds) == 1, annotation
        return kinds[0]
    if origin is list:
        return ("list", field_type(get_args(annotation)[0]))
    if origin is dict:
        key, value = get_args(annotation)
        return ("map", field_type(key), field_type(value))
    return annotation


def test_walk_reaches_every_shape_design_names() -> None:
    names = {s.name for s in STRUCTURES}
    assert names >= {"GetLabelDetectionResponse", "DominantColor", "S3Object"}
    assert {s.name for s in ENUMS} == {
        "VideoJobStatus", "LabelDetectionSortBy", "LabelDetectionAggregateBy", "VideoColorRange"
    }  # fmt: skip


def test_field_type_reads_what_the_models_declare() -> None:
    fields = rekolabels.VideoMetadata.model_fields
    assert field_type(fields["frame_height"].annotation) is int
    assert field_type(fields["frame_rate"].annotation) is float
    assert field_type(fields["color_range"].annotation) is rekolabels.VideoColorRange
    labels = rekolabels.GetLabelDetectionResponse.model_fields["labels"].annotation
    assert field_type(labels) == ("list", rekolabels.LabelDetection)


@pytest.mark.parametrize("shape", STRUCTURES, ids=lambda s: s.name)
def test_structure_has_a_model_with_every_member(shape: StructureShape) -> None:
    model = getattr(rekolabels, shape.name, None)
    assert isinstance(model, type), f"rekolabels has no class {shape.name}"
    assert issubclass(model, BaseModel)
    by_alias = {f.alias: name for name, f in model.model_fields.items()}
    for member in shape.members:
        assert member in by_alias, f"{shape.name}.{member} has no field"
        assert by_alias[member] == xform_name(member), f"{shape.name}.{member} misnamed"
        field = model.model_fields[by_alias[member]]
        assert field.description, f"{shape.name}.{member} has no docstring"
    required = {f.alias for f in model.model_fields.values() if f.is_required()}
    assert required == set(shape.required_members)


@pytest.mark.parametrize("shape", STRUCTURES, ids=lambda s: s.name)
def test_every_field_has_the_type_of_its_member(shape: StructureShape) -> None:
    model: type[BaseModel] = getattr(rekolabels, shape.name)
    by_alias = {f.alias: f for f in model.model_fields.values()}
    for member, member_shape in shape.members.items():
        got = field_type(by_alias[member].annotation)
        assert got == shape_type(member_shape), f"{shape.name}.{member}: {got}"


@pytest.mark.parametrize("shape", ENUMS, ids=lambda s: s.name)
def test_enum_has_every_value(shape: StringShape) -> None:
    enum = getattr(rekolabels, shape.name, None)
    assert isinstance(enum, type)
    assert issubclass(enum, str)
    assert issubclass(enum, Enum)
    assert {e.value for e in enum} == set(shape.enum)
    for value in shape.enum:
        assert enum(value) == value


def test_response_metadata_model_has_botocore_keys() -> None:
    fields = {f.alias for f in rekolabels.ResponseMetadata.model_fields.values()}
    assert fields == {
        "RequestId", "HostId", "HTTPStatusCode", "HTTPHeaders", "RetryAttempts",
        "MaxAttemptsReached",
    }  # fmt: skip
