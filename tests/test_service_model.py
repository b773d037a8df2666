"""Every member botocore's installed service model knows has a field, with the right alias.

CI installs botocore from constraints.txt, so a botocore release that adds a member turns this
red only when we bump the pin; then we add the field.
"""

from __future__ import annotations

from enum import Enum

import botocore.session
import pytest
from botocore import xform_name
from botocore.model import ListShape, MapShape, Shape, StructureShape
from pydantic import BaseModel

import rekolabels

OPERATION = (
    botocore.session.get_session()
    .get_service_model("rekognition")
    .operation_model("GetLabelDetection")
)


def reachable_shapes() -> tuple[list[StructureShape], list[Shape]]:
    structures: dict[str, StructureShape] = {}
    enums: dict[str, Shape] = {}

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
        elif getattr(shape, "enum", None):
            enums[shape.name] = shape

    walk(OPERATION.input_shape)
    walk(OPERATION.output_shape)
    return list(structures.values()), list(enums.values())


STRUCTURES, ENUMS = reachable_shapes()


def test_walk_reaches_every_shape_design_names() -> None:
    names = {s.name for s in STRUCTURES}
    assert names >= {"GetLabelDetectionResponse", "DominantColor", "S3Object"}
    assert {s.name for s in ENUMS} == {
        "VideoJobStatus", "LabelDetectionSortBy", "LabelDetectionAggregateBy", "VideoColorRange"
    }  # fmt: skip


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


@pytest.mark.parametrize("shape", ENUMS, ids=lambda s: s.name)
def test_enum_has_every_value(shape: Shape) -> None:
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
