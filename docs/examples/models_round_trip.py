"""Turn a boto3 GetLabelDetection response into typed models and back."""

import json
from pathlib import Path

import rekolabels as rl

# A response exactly as boto3's client.get_label_detection() returned it (recorded from AWS).
raw = json.loads(Path("tests/data/boto3-2024-kfir-tennis-page1-maxresults1-v3.json").read_text())

page = rl.GetLabelDetectionResponse.from_boto3(raw)
assert page.job_status is rl.VideoJobStatus.SUCCEEDED  # an enum member, and == "SUCCEEDED"
for det in page.labels or []:
    print(f"{det.timestamp:>6} ms  {det.name:<12} {det.confidence:6.2f}%")
    parents = [p.name for p in det.label.parents or []] if det.label else []
    print("          parents:", ", ".join(str(p) for p in parents))

assert page.video_metadata is not None
print("video:", page.video_metadata.frame_width, "x", page.video_metadata.frame_height)
assert (page.video_metadata.frame_width, page.video_metadata.frame_height) == (1920, 1080)
print("more pages:", page.next_token is not None)
assert [(d.name, d.timestamp) for d in page.labels or []] == [("Boy", 0)]

# Back to the dict boto3 returned: AWS names, only the fields that were there. Lossless.
assert page.to_boto3() == raw
