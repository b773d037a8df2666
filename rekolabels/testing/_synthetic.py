"""Synthetic GetLabelDetection results that look like what AWS returns.

Real responses are the yardstick (see tests/data): label model 3.0 with Parents, Aliases and
Categories; frame-aligned, irregular sampling (every 12th frame at 23.976 fps gives 500/501 ms
steps) with the odd skipped sample; labels that persist over runs of samples and flicker;
parents that carry their child's confidence; instances only on object labels, boxes in [0, 1]
sorted by confidence; within a timestamp, labels in ordinal name order (AWS's TIMESTAMP order).

Deterministic per seed, and cheap: a few thousand detections take milliseconds, so benchmarks can
ask for hundreds of thousands.
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

__all__ = ["TAXONOMY", "synthetic_response"]

# Curated from real model 3.0 responses: name -> (parents, aliases, categories, has instances).
# Parents are every ancestor, sorted, as AWS lists them.
TAXONOMY: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]] = {
    "Accessories": ((), ("Accessory",), ("Apparel and Accessories",), False),
    "Adult": (("Person",), (), ("Person Description",), True),
    "Alloy Wheel": (
        ("Car", "Car Wheel", "Machine", "Spoke", "Tire", "Transportation", "Vehicle", "Wheel"),
        (),
        ("Vehicles and Automotive",),
        False,
    ),
    "Animal": ((), (), ("Animals and Pets",), False),
    "Architecture": ((), (), ("Buildings and Architecture",), False),
    "Bicycle": (("Transportation", "Vehicle"), ("Bike",), ("Hobbies and Interests",), True),
    "Body Part": ((), (), ("Person Description",), False),
    "Building": (("Architecture",), (), ("Buildings and Architecture",), False),
    "Canine": (("Animal", "Mammal"), (), ("Animals and Pets",), False),
    "Car": (("Transportation", "Vehicle"), ("Automobile",), ("Vehicles and Automotive",), True),
    "Car Wheel": (
        ("Car", "Machine", "Tire", "Transportation", "Vehicle", "Wheel"),
        (),
        ("Vehicles and Automotive",),
        False,
    ),
    "City": ((), ("Town",), ("Buildings and Architecture",), False),
    "Clothing": ((), ("Apparel",), ("Apparel and Accessories",), False),
    "Coat": (("Clothing",), (), ("Apparel and Accessories",), False),
    "Dog": (("Animal", "Canine", "Mammal", "Pet"), (), ("Animals and Pets",), True),
    "Electronics": ((), (), ("Technology and Computing",), False),
    "Face": (("Head", "Person"), (), ("Person Description",), False),
    "Female": (("Person",), (), ("Person Description",), True),
    "Finger": (("Body Part", "Hand", "Person"), (), ("Person Description",), False),
    "Hand": (("Body Part", "Person"), (), ("Person Description",), False),
    "Happy": (("Face", "Head", "Person"), (), ("Expressions and Emotions",), False),
    "Head": (("Person",), (), ("Person Description",), False),
    "Jacket": (("Clothing", "Coat"), (), ("Apparel and Accessories",), True),
    "License Plate": (("Transportation", "Vehicle"), (), ("Vehicles and Automotive",), True),
    "Machine": ((), (), ("Tools and Machinery",), False),
    "Male": (("Person",), (), ("Person Description",), True),
    "Mammal": (("Animal",), (), ("Animals and Pets",), False),
    "Man": (("Adult", "Male", "Person"), (), ("Person Description",), True),
    "Mobile Phone": (
        ("Electronics", "Phone"),
        ("Cell Phone",),
        ("Technology and Computing",),
        True,
    ),
    "Nature": (("Outdoors",), (), ("Nature and Outdoors",), False),
    "Outdoors": ((), (), ("Nature and Outdoors",), False),
    "Person": ((), ("Human",), ("Person Description",), True),
    "Pet": (("Animal",), (), ("Animals and Pets",), False),
    "Phone": (("Electronics",), (), ("Technology and Computing",), False),
    "Road": ((), (), ("Transport and Logistics",), False),
    "Sedan": (("Car", "Transportation", "Vehicle"), (), ("Vehicles and Automotive",), False),
    "Shirt": (("Clothing",), (), ("Apparel and Accessories",), True),
    "Smile": (("Face", "Happy", "Head", "Person"), (), ("Expressions and Emotions",), False),
    "Spoke": (("Machine",), (), ("Vehicles and Automotive",), False),
    "Sport": ((), ("Sports",), ("Sports",), False),
    "Sports Car": (("Car", "Transportation", "Vehicle"), (), ("Vehicles and Automotive",), False),
    "Sunglasses": (("Accessories",), (), ("Apparel and Accessories",), True),
    "Suv": (("Car", "Transportation", "Vehicle"), (), ("Vehicles and Automotive",), False),
    "Tarmac": (("Road",), ("Asphalt",), ("Transport and Logistics",), False),
    "Tennis": (("Sport",), (), ("Sports",), False),
    "Text": ((), (), ("Text and Documents",), False),
    "Tire": ((), (), ("Vehicles and Automotive",), True),
    "Transportation": ((), (), ("Vehicles and Automotive",), False),
    "Urban": ((), (), ("Colors and Visual Composition",), False),
    "VR Headset": ((), (), ("Technology and Computing",), True),
    "Vehicle": (("Transportation",), (), ("Vehicles and Automotive",), False),
    "Water": ((), (), ("Nature and Outdoors",), False),
    "Wheel": (("Machine",), (), ("Vehicles and Automotive",), True),
    "Woman": (("Adult", "Female", "Person"), (), ("Person Description",), True),
}


@dataclass
class _Track:
    """One label's own state: on or off, its confidence and its instances' boxes."""

    on: bool
    confidence: float
    boxes: list[list[float]]


def _f32(value: float) -> float:
    """Round to float32, as Rekognition's confidences and ratios are."""
    rounded: float = struct.unpack("f", struct.pack("f", value))[0]
    return rounded


def _new_box(rng: random.Random) -> list[float]:
    width = rng.uniform(0.05, 0.6)
    height = rng.uniform(0.05, 0.6)
    return [width, height, rng.uniform(0.0, 1.0 - width), rng.uniform(0.0, 1.0 - height)]


def _drift(rng: random.Random, box: list[float]) -> None:
    """Move a box a little, clamped to the frame (edges at exactly 0.0 and 1.0 happen)."""
    width, height, left, top = box
    box[2] = min(max(left + rng.uniform(-0.02, 0.02), 0.0), 1.0 - width)
    box[3] = min(max(top + rng.uniform(-0.02, 0.02), 0.0), 1.0 - height)


def synthetic_response(
    detections: int,
    *,
    seed: int = 0,
    job_id: str | None = None,
    frame_rate: float = 24000 / 1001,
    frame_step: int = 12,
    skip_rate: float = 0.02,
) -> dict[str, Any]:
    """A SUCCEEDED GetLabelDetection response holding exactly ``detections`` labels.

    Samples are every ``frame_step``-th frame at ``frame_rate`` (default: 23.976 fps, every
    12th frame, so 500/501 ms steps; ``frame_rate=25, frame_step=5`` gives 200 ms);
    ``skip_rate`` is the chance a sample is missing. Same arguments, same response.
    """
    if detections < 0:
        raise ValueError("detections must be >= 0")
    if frame_rate <= 0 or frame_step < 1:
        raise ValueError("frame_rate must be > 0 and frame_step >= 1")
    return _generate(detections, seed, job_id, frame_rate, frame_step, skip_rate)


def _generate(
    detections: int,
    seed: int,
    job_id: str | None,
    frame_rate: float,
    frame_step: int,
    skip_rate: float,
) -> dict[str, Any]:
    rng = random.Random(seed)
    # Exact frame times: 24000/1001 fps puts frame 24 at 1001 ms, as AWS reports it.
    ms_per_frame = 1000 / Fraction(frame_rate).limit_denominator(10_000)
    # Every label switches on and off by itself; an ancestor also appears because a child does.
    tracks = {name: _Track(rng.random() < 0.2, rng.uniform(55.0, 99.5), []) for name in TAXONOMY}
    # Per-label persistence: common labels stay long, rare ones come and go.
    stay = {name: rng.uniform(0.85, 0.99) for name in TAXONOMY}
    appear = {name: rng.uniform(0.003, 0.05) for name in TAXONOMY}
    labels: list[dict[str, Any]] = []
    frame = 0
    while len(labels) < detections:
        timestamp = int(frame * ms_per_frame)
        frame += frame_step
        seen: dict[str, float] = {}
        boxes: dict[str, list[list[float]]] = {}
        for name, track in tracks.items():
            if track.on:
                track.on = rng.random() < stay[name]
            else:
                track.on = rng.random() < appear[name]
                if track.on:
                    track.confidence = rng.uniform(55.0, 99.5)
                    track.boxes = []
            # Flicker: a present label is sometimes not reported in one sample.
            if not track.on or rng.random() < 0.08:
                continue
            track.confidence = min(max(track.confidence + rng.gauss(0.0, 2.0), 50.0), 99.99)
            seen[name] = max(seen.get(name, 0.0), track.confidence)
            if TAXONOMY[name][3]:
                _update_boxes(rng, track)
                boxes[name] = track.boxes
            for parent in TAXONOMY[name][0]:
                # A parent reported only because of its child carries the child's confidence.
                seen[parent] = max(seen.get(parent, 0.0), track.confidence)
        if rng.random() < skip_rate:
            continue
        for name in sorted(seen):
            if len(labels) == detections:
                break
            labels.append(_detection(rng, timestamp, name, seen[name], boxes.get(name)))
    return {
        "JobStatus": "SUCCEEDED",
        "VideoMetadata": {
            "Codec": "h264",
            "DurationMillis": int(frame * ms_per_frame),
            "Format": "QuickTime / MOV",
            "FrameRate": _f32(frame_rate),
            "FrameHeight": 720,
            "FrameWidth": 1280,
            "ColorRange": "LIMITED",
        },
        "Labels": labels,
        "LabelModelVersion": "3.0",
        **({"JobId": job_id} if job_id is not None else {}),
        "Video": {"S3Object": {"Bucket": "rekolabels-fake", "Name": f"synthetic-{seed}.mp4"}},
    }


def _update_boxes(rng: random.Random, track: _Track) -> None:
    if not track.boxes or rng.random() < 0.05:
        track.boxes = [_new_box(rng) for _ in range(1 + int(rng.expovariate(1.2)))]
    for box in track.boxes:
        _drift(rng, box)


def _detection(
    rng: random.Random,
    timestamp: int,
    name: str,
    confidence: float,
    boxes: list[list[float]] | None,
) -> dict[str, Any]:
    parents, aliases, categories, _ = TAXONOMY[name]
    instances: list[dict[str, Any]] = []
    if boxes:
        scores = sorted((rng.uniform(confidence - 10.0, 99.99) for _ in boxes), reverse=True)
        instances = [
            {
                "BoundingBox": {
                    "Width": _f32(w),
                    "Height": _f32(h),
                    "Left": _f32(left),
                    "Top": _f32(top),
                },
                "Confidence": _f32(min(max(score, 50.0), 99.99)),
            }
            for (w, h, left, top), score in zip(boxes, scores, strict=True)
        ]
    return {
        "Timestamp": timestamp,
        "Label": {
            "Name": name,
            "Confidence": _f32(confidence),
            "Instances": instances,
            "Parents": [{"Name": p} for p in parents],
            "Aliases": [{"Name": a} for a in aliases],
            "Categories": [{"Name": c} for c in categories],
        },
    }
