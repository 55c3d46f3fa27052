#!/usr/bin/env python3
"""A linearizable key-value node for Maelstrom's lin-kv protocol, written for faultline's examples.

Node n1 (the first of node_ids) holds the data and applies every read, write and cas, one at a time; every
other node forwards a client's request to n1 and relays n1's answer. One copy of the data, applied in one
order, is linearizable. Two things keep it so on faultline's network, which loses, duplicates and reorders:
  - n1 applies each request once: it remembers the answer to every (client, msg_id) it has applied and
    answers a duplicate with it, so a late duplicate of an old write never overwrites a newer value;
  - a follower that gets no answer from n1 says nothing: the client times out and records the op as
    indeterminate, which is the truth (n1 may have applied it).
Losing n1 (a kill) loses the data: this node is meant for pause faults and kills of the other nodes.
Plain Python 3, no dependencies: reads messages on stdin, writes them on stdout, logs on stderr.
"""
import json
import sys

node_id = None
node_ids = []
next_msg_id = 0
data = {}
# (client, client msg_id) -> the reply body n1 gave, so a duplicate is answered and not applied again.
applied = {}
# A follower's forwards waiting for n1: its msg_id -> (client, client msg_id).
forwarded = {}


def log(text):
    print(text, file=sys.stderr, flush=True)


def send(dest, body):
    global next_msg_id
    next_msg_id += 1
    body = dict(body, msg_id=next_msg_id)
    sys.stdout.write(json.dumps({"src": node_id, "dest": dest, "body": body}) + "\n")
    sys.stdout.flush()
    return next_msg_id


def reply(request, body):
    send(request["src"], dict(body, in_reply_to=request["body"]["msg_id"]))


def apply(op):
    """Applies a lin-kv request body at n1; returns the reply body (without in_reply_to)."""
    key = json.dumps(op.get("key"))
    if op["type"] == "read":
        if key not in data:
            return {"type": "error", "code": 20, "text": "key does not exist"}
        return {"type": "read_ok", "value": data[key]}
    if op["type"] == "write":
        data[key] = op["value"]
        return {"type": "write_ok"}
    if op["type"] == "cas":
        if key not in data:
            return {"type": "error", "code": 20, "text": "key does not exist"}
        if data[key] != op["from"]:
            return {"type": "error", "code": 22, "text": f"expected {op['from']}, found {data[key]}"}
        data[key] = op["to"]
        return {"type": "cas_ok"}
    return {"type": "error", "code": 10, "text": f"unsupported request {op['type']}"}


def apply_once(client, client_msg_id, op):
    token = (client, client_msg_id)
    if token not in applied:
        applied[token] = apply(op)
    return applied[token]


def handle(message):
    global node_id, node_ids
    body = message["body"]
    kind = body["type"]
    if kind == "init":
        node_id, node_ids = body["node_id"], body["node_ids"]
        log(f"{node_id} initialised; primary {node_ids[0]}")
        reply(message, {"type": "init_ok"})
    elif kind in ("read", "write", "cas"):
        primary = node_ids[0]
        if node_id == primary:
            reply(message, apply_once(message["src"], body["msg_id"], body))
        else:
            op = {k: v for k, v in body.items() if k != "msg_id"}
            forward_id = send(primary, {"type": "forward", "client": message["src"], "client_msg_id": body["msg_id"], "op": op})
            forwarded[forward_id] = (message["src"], body["msg_id"])
    elif kind == "forward":
        answer = apply_once(body["client"], body["client_msg_id"], body["op"])
        reply(message, {"type": "forward_ok", "answer": answer, "client": body["client"], "client_msg_id": body["client_msg_id"]})
    elif kind == "forward_ok":
        origin = forwarded.get(body["in_reply_to"])
        # A duplicate answer (the client already has it), or one meant for this node's previous life: msg_ids
        # start again at 1 after a restart, so the answer must also name the request it answers.
        if origin != (body["client"], body["client_msg_id"]):
            return
        del forwarded[body["in_reply_to"]]
        client, client_msg_id = origin
        send(client, dict(body["answer"], in_reply_to=client_msg_id))
    else:
        log(f"ignoring {kind}")


for line in sys.stdin:
    if line.strip():
        handle(json.loads(line))
