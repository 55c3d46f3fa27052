#!/usr/bin/env python3
"""A transactional key-value node for Maelstrom's txn-list-append and txn-rw-register protocols, written for
faultline's examples.

By default it is serializable (strict serializable, even): node n1 (the first of node_ids) holds the data and
applies each txn whole, one at a time; every other node forwards a client's txn to n1 and relays n1's answer
(maelstrom_node.serve_through_primary, which applies each txn once, so a late duplicate never appends twice).

With --local, every node applies a txn to its own copy at once, answers, and tells the other nodes of its
writes once, never again (no primary, no order, no retry). Nodes then apply concurrent appends in different
orders, and writes lost or cut off by a partition are never applied there: reads are stale, lists differ
between nodes, and the transactional checker finds cycles between txns.
Plain Python 3, no dependencies: reads messages on stdin, writes them on stdout, logs on stderr.
"""
import json
import sys

from maelstrom_node import Node, serve_through_primary

local = "--local" in sys.argv[1:]
# Key (as JSON, since Maelstrom's keys may be of any type) -> a list-append key's list or a register's value.
data = {}


def write(f, key, value):
    if f == "append":
        data.setdefault(key, []).append(value)
    else:
        data[key] = value


def apply(txn):
    """Applies a txn's micro-ops in order; returns them with each read filled in (null for a key never written)."""
    done = []
    for f, k, v in txn:
        key = json.dumps(k)
        if f == "r":
            value = data.get(key)
            done.append([f, k, list(value) if isinstance(value, list) else value])
        else:
            write(f, key, v)
            done.append([f, k, v])
    return done


node = Node(describe=lambda n: "each node applies locally, tells the others once" if local else f"primary {n.node_ids[0]}")

if local:
    @node.on("txn")
    def txn_locally(message):
        done = apply(message["body"]["txn"])
        node.reply(message, {"type": "txn_ok", "txn": done})
        writes = [m for m in done if m[0] != "r"]
        for other in node.node_ids:
            if writes and other != node.node_id:
                node.send(other, {"type": "replicate", "writes": writes})

    @node.on("replicate")
    def replicate(message):
        for f, k, v in message["body"]["writes"]:
            write(f, json.dumps(k), v)
else:
    serve_through_primary(node, ("txn",), lambda request: {"type": "txn_ok", "txn": apply(request["txn"])})

node.run()
