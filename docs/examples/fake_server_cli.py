"""`rekolabels fake-server` in a process of its own: any SDK or the AWS CLI can read it."""

import signal
import subprocess
import sys

from rekolabels.testing import new_client

command = [sys.executable, "-m", "rekolabels", "fake-server", "--port", "0", "--seed", "1"]
command += ["--job", "street=docs/examples/street.json"]
command += ["--synthetic", "big=2345", "--throttle-rate", "0.1"]
with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as server:
    try:
        url = server.stdout.readline().strip()  # the first line is the endpoint URL
        client = new_client(endpoint_url=url)  # or the AWS CLI, with --endpoint-url
        page = client.get_label_detection(JobId="street", MaxResults=5)
        print(url, page["JobStatus"], [d["Label"]["Name"] for d in page["Labels"]])
        assert url.startswith("http://127.0.0.1:")
        assert page["JobStatus"] == "SUCCEEDED"
        assert [d["Label"]["Name"] for d in page["Labels"]] == [
            "Car",
            "Person",
            "Road",
            "Car",
            "Person",
        ]
        client.close()
    finally:
        server.send_signal(signal.SIGTERM)  # or Ctrl-C: exits 0
        print("fake-server exited with", server.wait(timeout=15))
        assert server.returncode == 0
