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
import sys
import time

from maelstrom_node import Node

counter_only = "--counter-only" in sys.argv[1:]
started_ns = time.time_ns()
issued = 0
node = Node(describe=lambda n: "counter only" if counter_only else "node, start time and counter")


@node.on("generate")
def generate(message):
    global issued
    issued += 1
    new_id = issued if counter_only else f"{node.node_id}-{started_ns}-{issued}"
    node.reply(message, {"type": "generate_ok", "id": new_id})


node.run()
