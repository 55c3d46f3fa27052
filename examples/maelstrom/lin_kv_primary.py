#!/usr/bin/env python3
"""A linearizable key-value node for Maelstrom's lin-kv protocol, written for faultline's examples.

Node n1 (the first of node_ids) holds the data and applies every read, write and cas, one at a time; every
other node forwards a client's request to n1 and relays n1's answer (maelstrom_node.serve_through_primary,
which applies each request once). One copy of the data, applied in one order, is linearizable.
Plain Python 3, no dependencies: reads messages on stdin, writes them on stdout, logs on stderr.
"""
import json

from maelstrom_node import Node, serve_through_primary

data = {}


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


node = Node(describe=lambda n: f"primary {n.node_ids[0]}")
serve_through_primary(node, ("read", "write", "cas"), apply)
node.run()
