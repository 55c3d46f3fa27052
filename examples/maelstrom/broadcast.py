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
import sys
import threading

from maelstrom_node import Node

once = "--once" in sys.argv[1:]
# The gossip thread reads the set while the main thread adds to it.
lock = threading.Lock()
neighbours = []
messages = set()
node = Node(describe=lambda n: "tell once" if once else "anti-entropy every 50 ms")


def gossip_forever():
    while True:
        threading.Event().wait(0.05)
        with lock:
            known = sorted(messages)
        if known:
            for n in neighbours:
                node.send(n, {"type": "gossip", "messages": known})


@node.on("topology")
def topology(message):
    global neighbours
    neighbours = message["body"]["topology"].get(node.node_id, [])
    node.reply(message, {"type": "topology_ok"})
    if not once:
        threading.Thread(target=gossip_forever, daemon=True).start()


@node.on("broadcast")
def broadcast(message):
    new = message["body"]["message"]
    with lock:
        fresh = new not in messages
        messages.add(new)
    node.reply(message, {"type": "broadcast_ok"})
    if once and fresh:
        for n in neighbours:
            node.send(n, {"type": "gossip", "messages": [new]})


@node.on("gossip")
def gossip(message):
    with lock:
        messages.update(message["body"]["messages"])


@node.on("read")
def read(message):
    with lock:
        known = sorted(messages)
    node.reply(message, {"type": "read_ok", "messages": known})


node.run()
