"""Responses generated from botocore's service model round-trip exactly, directly and via boto3."""

from __future__ import annotations

import json
from typing import Any, Literal

import botocore.session
from botocore.model import ListShape, MapShape, Shape, StructureShape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rekolabels as rl
from tests.helpers import via_boto3

OUTPUT = (
    botocore.session.get_session()
    .get_service_model("rekognition")
    .operation_model("GetLabelDetection")
    .output_shape
)

SURROGATES: tuple[Literal["Cs"]] = ("Cs",)  # not text: utf-8 cannot encode them
_text = st.text(st.characters(codec="utf-8", exclude_categories=SURROGATES), max_size=12)
_unsigned = st.integers(min_value=0, max_value=2**53)


def strategy_for(shape: Shape, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values botocore could return for ``shape``: every member optional, enums from the model."""
    if isinstance(shape, StructureShape):
        members = {name: strategy_for(member, depth + 1) for name, member in shape.members.items()}
        return st.fixed_dictionaries({}, optional=members)
    if isinstance(shape, ListShape):
        return st.lists(strategy_for(shape.member, depth + 1), max_size=4 if depth < 2 else 2)
    if isinstance(shape, MapShape):
        return st.dictionaries(_text, strategy_for(shape.value, depth + 1), max_size=2)
    enum = getattr(shape, "enum", None)
    if enum:
        return st.sampled_from(list(enum))
    if shape.type_name == "string":
        return _text
    if shape.type_name in ("integer", "long"):
        return _unsigned if shape.metadata.get("min") == 0 else st.integers(-(2**53), 2**53)
    if shape.type_name in ("float", "double"):
        return st.floats(allow_nan=False, allow_infinity=False, width=64)
    if shape.type_name == "boolean":
        return st.booleans()
    raise AssertionError(f"no strategy for {shape.type_name}")  # pragma: no cover


assert OUTPUT is not None
responses = strategy_for(OUTPUT)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(responses)
def test_generated_responses_round_trip(d: dict[str, Any]) -> None:
    model = rl.GetLabelDetectionResponse.from_boto3(d)
    assert model.to_boto3() == d


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(responses)
def test_generated_responses_round_trip_through_boto3(d: dict[str, Any]) -> None:
    parsed = via_boto3(json.dumps(d).encode())
    assert {k: v for k, v in parsed.items() if k != "ResponseMetadata"} == d
    assert rl.GetLabelDetectionResponse.from_boto3(parsed).to_boto3() == parsed


@settings(max_examples=100)
@given(responses, st.dictionaries(st.sampled_from(["Xa", "Yb", "Zc"]), _text, min_size=1))
def test_unknown_fields_survive_on_generated_responses(
    d: dict[str, Any], unknown: dict[str, str]
) -> None:
    extended = {**d, **unknown}
    for det in extended.get("Labels") or []:
        det.update(unknown)
    assert rl.GetLabelDetectionResponse.from_boto3(extended).to_boto3() == extended
