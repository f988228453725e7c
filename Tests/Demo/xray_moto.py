"""AWS X-Ray as moto's emulator serves it, with signature checks on.

Starts moto's server on a free loopback port, creates an IAM user allowed everything and writes its access key
to --credentials as JSON ({"accessKeyId": ..., "secretAccessKey": ...}); from then on every request must be
signed (SigV4) with a key moto knows. Prints `listening <port>` once it serves; stops on SIGTERM or SIGINT.
"""
import argparse
import json
import os
import signal
import threading

# Requests before authentication is enforced: the three IAM calls below and the policy.
os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "4"

import boto3  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--credentials", required=True, help="where to write the access key (JSON)")
    arguments = parser.parse_args()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    port = server._server.server_port
    iam = boto3.client("iam", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                       aws_access_key_id="setup", aws_secret_access_key="setup")
    iam.create_user(UserName="tracetest")
    key = iam.create_access_key(UserName="tracetest")["AccessKey"]
    policy = iam.create_policy(PolicyName="everything", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    iam.attach_user_policy(UserName="tracetest", PolicyArn=policy["Policy"]["Arn"])
    with open(arguments.credentials, "w") as f:
        json.dump({"accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]}, f)
    stop = threading.Event()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"listening {port}", flush=True)
    stop.wait()
    server.stop()


if __name__ == "__main__":
    main()
