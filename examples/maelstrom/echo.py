#!/usr/bin/env python3
"""An echo node for Maelstrom's echo protocol, written for faultline's examples.

Each node answers `echo` with `echo_ok` carrying the same payload, on its own, with no messages to other
nodes. With --buffer N, it copies a string payload through a fixed buffer of N characters, as a first attempt
in C might, so a payload longer than N comes back cut, which faultline's echo checker catches.
Plain Python 3, no dependencies: reads messages on stdin, writes them on stdout, logs on stderr.
"""
import sys

from maelstrom_node import Node

args = sys.argv[1:]
buffer_size = int(args[args.index("--buffer") + 1]) if "--buffer" in args else None
node = Node(describe=lambda n: f"a {buffer_size}-character buffer" if buffer_size else "echoes whole")


@node.on("echo")
def echo(message):
    payload = message["body"]["echo"]
    if buffer_size is not None and isinstance(payload, str):
        payload = payload[:buffer_size]
    node.reply(message, {"type": "echo_ok", "echo": payload})


node.run()
