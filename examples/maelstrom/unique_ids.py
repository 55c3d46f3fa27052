#!/usr/bin/env python3
"""An id generator for Maelstrom's unique-ids protocol, written for faultline's examples.

Each node answers `generate` on its own, with no messages to other nodes, so it stays available under any
partition. What keeps its ids unique is what goes into them:
  - by default: the node's id, the time the process started (ns) and a counter, so two nodes never collide
    and a node restarted after a kill never hands out an id it handed out before;
  - with --counter-only: the counter alone, as a first attempt often does. Every node counts 0, 1, 2, ...,
    so two nodes hand out the same ids, which faultline's unique-ids checker catches.
Plain Python 3, no dependencies: reads messages on stdin, writes them on stdout, logs on stderr.
"""
import json
import sys
import time

counter_only = "--counter-only" in sys.argv[1:]
started_ns = time.time_ns()
node_id = None
next_msg_id = 0
issued = 0


def reply(request, body):
    global next_msg_id
    next_msg_id += 1
    body = dict(body, msg_id=next_msg_id, in_reply_to=request["body"]["msg_id"])
    sys.stdout.write(json.dumps({"src": node_id, "dest": request["src"], "body": body}) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    if not line.strip():
        continue
    message = json.loads(line)
    body = message["body"]
    if body["type"] == "init":
        node_id = body["node_id"]
        print(f"{node_id} initialised ({'counter only' if counter_only else 'node, start time and counter'})",
              file=sys.stderr, flush=True)
        reply(message, {"type": "init_ok"})
    elif body["type"] == "generate":
        issued += 1
        new_id = issued if counter_only else f"{node_id}-{started_ns}-{issued}"
        reply(message, {"type": "generate_ok", "id": new_id})
    else:
        reply(message, {"type": "error", "code": 10, "text": f"unsupported request {body['type']}"})
