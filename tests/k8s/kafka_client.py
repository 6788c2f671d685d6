"""A Kafka client that runs inside a Pod (Krafter image, kafka-python), as a user's application would.

Mounted from a ConfigMap and run by the process kubelet, so it reaches Kafka only through
the cluster's names (the bootstrap Service) and the Secrets the operator wrote. Its last line
is a JSON summary the test reads from the Pod's log.

  produce: an idempotent acks=all producer writing sequence numbers for --seconds (or --count),
           recording which were acknowledged.
  consume: reads the topic from the beginning until --idle seconds pass with nothing new.
  cluster: the broker ids and topics Kafka reports.
A producer also stops early when /control/stop appears (a ConfigMap the test creates), so a
test can run it exactly as long as a roll or an outage lasts.
"""

import argparse
import json
import os
import sys
import time

from kafka import KafkaConsumer, KafkaProducer


def security(args):
    settings = {"bootstrap_servers": args.bootstrap, "client_id": args.client_id}
    if args.tls or args.scram:
        settings["ssl_cafile"] = "/ca/ca.crt"
        settings["ssl_check_hostname"] = True
    if args.tls and args.user_cert:
        settings["ssl_certfile"] = "/user/user.crt"
        settings["ssl_keyfile"] = "/user/user.key"
    if args.scram:
        settings["security_protocol"] = "SASL_SSL" if args.tls else "SASL_PLAINTEXT"
        settings["sasl_mechanism"] = "SCRAM-SHA-512"
        settings["sasl_plain_username"] = args.scram
        settings["sasl_plain_password"] = os.environ["PASSWORD"]
    elif args.tls:
        settings["security_protocol"] = "SSL"
    return settings


def ranges(numbers):
    found, start, last = [], None, None
    for n in sorted(numbers):
        if start is None:
            start = last = n
        elif n == last + 1:
            last = n
        else:
            found.append([start, last])
            start = last = n
    if start is not None:
        found.append([start, last])
    return found


def produce(args):
    producer = KafkaProducer(
        acks="all",
        enable_idempotence=True,
        retries=2**31 - 1,
        delivery_timeout_ms=120000,
        request_timeout_ms=10000,
        max_in_flight_requests_per_connection=5,
        linger_ms=5,
        **security(args),
    )
    acked, failed = set(), []
    deadline = time.monotonic() + args.seconds
    sequence = 0
    interval = 1.0 / args.rate
    next_send = time.monotonic()
    while sequence < args.count and (args.seconds <= 0 or time.monotonic() < deadline):
        if sequence % 100 == 0 and os.path.exists("/control/stop"):
            break
        future = producer.send(args.topic, value=str(sequence).encode(), key=str(sequence % 16).encode())
        future.add_callback(lambda _m, n=sequence: acked.add(n))
        future.add_errback(lambda e, n=sequence: failed.append([n, repr(e)]))
        sequence += 1
        next_send += interval
        time.sleep(max(0.0, next_send - time.monotonic()))
    producer.flush(timeout=180)
    producer.close(timeout=30)
    print(
        json.dumps(
            {
                "sent": sequence,
                "acked": ranges(acked),
                "acked_count": len(acked),
                "failed": failed[:20],
                "failed_count": len(failed),
            }
        ),
        flush=True,
    )


def consume(args):
    consumer = KafkaConsumer(
        args.topic,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=int(args.idle * 1000),
        **security(args),
    )
    seen, duplicates = set(), 0
    for record in consumer:
        number = int(record.value.decode())
        if number in seen:
            duplicates += 1
        seen.add(number)
    consumer.close()
    print(json.dumps({"consumed": ranges(seen), "consumed_count": len(seen), "duplicates": duplicates}), flush=True)


def cluster(args):
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(**security(args))
    described = admin.describe_cluster()
    brokers = sorted(b["broker_id"] for b in described["brokers"])
    topics = sorted(admin.list_topics())
    admin.close()
    print(json.dumps({"brokers": brokers, "topics": topics}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["produce", "consume", "cluster"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", default="")
    parser.add_argument("--tls", action="store_true")
    parser.add_argument("--user-cert", action="store_true")
    parser.add_argument("--scram", default=None)
    parser.add_argument("--seconds", type=float, default=0)
    parser.add_argument("--count", type=int, default=2**62)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--idle", type=float, default=20)
    parser.add_argument("--client-id", default="krafter-test-client")
    args = parser.parse_args()
    {"produce": produce, "consume": consume, "cluster": cluster}[args.mode](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
