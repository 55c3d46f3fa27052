#!/usr/bin/env python3
"""A lin-kv node that keeps nothing itself, written for faultline's examples: every read, write and cas a
client sends is forwarded to the lin-kv service (faultline's, as Maelstrom's), and the service's answer,
errors included, relayed to the client. The nodes never talk to each other, so a partition between them
changes nothing; a kill loses nothing, since the data is in the service. Linearizable because the service is.
It never retries: a request or answer lost on the way leaves the client to time out (an indeterminate op),
where a retried cas could be applied twice.
Plain Python 3, no dependencies: reads messages on stdin, writes them on stdout, logs on stderr.
"""
from maelstrom_node import Node

node = Node(describe=lambda n: "storing everything in lin-kv")


def forward(message):
    body = message["body"]
    request = {k: v for k, v in body.items() if k != "msg_id"}
    node.rpc("lin-kv", request, lambda answer: node.reply(message, {k: v for k, v in answer.items()
                                                                    if k not in ("msg_id", "in_reply_to")}))


for kind in ("read", "write", "cas"):
    node.handlers[kind] = forward
node.run()
