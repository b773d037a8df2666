"""The fake on loopback HTTP: start a job, wait for it and read it through real sockets."""

import rekolabels as rl
from rekolabels.testing import FakeRekognition, new_client

with FakeRekognition(seed=1) as fake:  # close() stops the server
    url = fake.serve(port=0)  # http://127.0.0.1:PORT; any SDK can use it as its endpoint
    fake.configure_start(detections=2345, in_progress_polls=2)
    boto3_client = new_client(endpoint_url=url)  # boto3 with dummy credentials

    video = {"S3Object": {"Bucket": "my-bucket", "Name": "videos/street.mp4"}}
    job_id = boto3_client.start_label_detection(Video=video, ClientRequestToken="run-1")["JobId"]
    # The same ClientRequestToken starts nothing new: same job.
    again = boto3_client.start_label_detection(Video=video, ClientRequestToken="run-1")["JobId"]
    assert again == job_id

    lc = rl.LabelDetectionClient(boto3_client)
    done = lc.wait_for_job(job_id, poll_interval_s=0.01)  # two IN_PROGRESS polls, then done
    print("job", job_id[:12], done.job_status, "at", url)
    assert done.job_status == rl.VideoJobStatus.SUCCEEDED
    assert url.startswith("http://127.0.0.1:")

    fake.fault_rate(throttling=0.2, latency=0.1, latency_s=0.01)  # seeded by FakeRekognition(seed)
    lc = rl.LabelDetectionClient(boto3_client, retry=rl.RetryPolicy(initial_backoff_s=0.01))
    labels = list(lc.iter_labels(job_id, max_results=200))
    print(len(labels), "labels;", fake.request_count, "requests; faults:", fake.fault_counts)
    assert len(labels) == 2345
    assert fake.fault_counts["ThrottlingException"] > 0  # ridden out by the retries
    boto3_client.close()
