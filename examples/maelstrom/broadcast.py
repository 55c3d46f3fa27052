#!/usr/bin/env python3
"""A broadcast node for Maelstrom's broadcast protocol, written for faultline's examples.

Each node keeps the set of messages it has seen and answers `read` with it. A `broadcast` is acknowledged at
once (the message is in this node's set), and spreads by anti-entropy: every 50 ms each node sends its whole
set to each neighbour (from the topology message), which merges it. Nothing waits for an answer, so a lost or
duplicated gossip does no harm and a partition only delays: once it heals, the next rounds carry everything
across, and every node's final read holds every acknowledged message.

With --once, it tells its neighbours of each new message once, as it arrives, and never again: a message sent
across a partition, or lost on the way, never arrives, so that node's reads miss it for good.
Plain Python 3, no dependencies: reads messages on stdin, writes them on stdout, logs on stderr.
"""
import json
import sys
import threading

once = "--once" in sys.argv[1:]
lock = threading.Lock()
node_id = None
neighbours = []
messages = set()
next_msg_id = 0


def send(dest, body):
    global next_msg_id
    with lock:
        next_msg_id += 1
        body = dict(body, msg_id=next_msg_id)
        sys.stdout.write(json.dumps({"src": node_id, "dest": dest, "body": body}) + "\n")
        sys.stdout.flush()


def reply(request, body):
    send(request["src"], dict(body, in_reply_to=request["body"]["msg_id"]))


def gossip_forever():
    while True:
        threading.Event().wait(0.05)
        with lock:
            known = sorted(messages)
        if known:
            for n in neighbours:
                send(n, {"type": "gossip", "messages": known})


for line in sys.stdin:
    if not line.strip():
        continue
    message = json.loads(line)
    body = message["body"]
    kind = body["type"]
    if kind == "init":
        node_id = body["node_id"]
        print(f"{node_id} initialised ({'tell once' if once else 'anti-entropy every 50 ms'})", file=sys.stderr,
              flush=True)
        reply(message, {"type": "init_ok"})
    elif kind == "topology":
        neighbours = body["topology"].get(node_id, [])
        reply(message, {"type": "topology_ok"})
        if not once:
            threading.Thread(target=gossip_forever, daemon=True).start()
    elif kind == "broadcast":
        new = body["message"]
        with lock:
            fresh = new not in messages
            messages.add(new)
        reply(message, {"type": "broadcast_ok"})
        if once and fresh:
            for n in neighbours:
                send(n, {"type": "gossip", "messages": [new]})
    elif kind == "gossip":
        with lock:
            messages.update(body["messages"])
    elif kind == "read":
        with lock:
            known = sorted(messages)
        reply(message, {"type": "read_ok", "messages": known})
    else:
        reply(message, {"type": "error", "code": 10, "text": f"unsupported request {kind}"})
