#!/usr/bin/env python3
"""A g-counter on the seq-kv service, Gossip Glomers challenge 4 style, written for faultline's examples: the
count is one key in seq-kv that every node updates. An add reads the key and cas-es it from what it read to
that plus the delta (creating it if missing), and on precondition-failed (22: another add got there first, or
the read was stale) reads and tries again. A read reads the key.

seq-kv is sequentially consistent, not linearizable: a node may be served a past state, so a read can miss
adds other nodes had acknowledged before it began, and the counter checker, which checks every read, says so.
With --sync, a read first writes a token of its own (node, process, start and a count) to a key of its own: a write that
changes the store lands on the latest state, and seq-kv never serves a node a state older than one it saw, so
the read that follows sees every add acknowledged before it began.
The adds are not retried when an answer is lost: the client times out (an indeterminate add).
Plain Python 3, no dependencies: reads messages on stdin, writes them on stdout, logs on stderr.
"""
import os
import sys
import time

from maelstrom_node import Node

SYNC = "--sync" in sys.argv[1:]
KEY = "counter"

node = Node(describe=lambda n: "counting in seq-kv" + (", a write before each read" if SYNC else ""))
tokens = [0]
# A restarted node must not write a token its previous life wrote: a write of the value a past state already
# holds changes nothing there, so seq-kv may serve it on that past state.
life = f"{os.getpid()}-{time.time_ns()}"


def value_of(answer):
    """The counter in a read's answer: a key nobody has written yet holds 0."""
    if answer["type"] == "read_ok":
        return answer["value"]
    if answer.get("code") == 20:
        return 0
    return None


@node.on("add")
def add(message):
    delta = message["body"]["delta"]

    def attempt():
        node.rpc("seq-kv", {"type": "read", "key": KEY}, with_read)

    def with_read(answer):
        current = value_of(answer)
        if current is None:
            node.reply(message, answer_of(answer))
            return
        node.rpc("seq-kv", {"type": "cas", "key": KEY, "from": current, "to": current + delta,
                            "create_if_not_exists": True}, with_cas)

    def with_cas(answer):
        if answer["type"] == "cas_ok":
            node.reply(message, {"type": "add_ok"})
        elif answer.get("code") == 22:
            attempt()
        else:
            node.reply(message, answer_of(answer))

    attempt()


@node.on("read")
def read(message):
    def with_read(answer):
        current = value_of(answer)
        node.reply(message, answer_of(answer) if current is None else {"type": "read_ok", "value": current})

    if not SYNC:
        node.rpc("seq-kv", {"type": "read", "key": KEY}, with_read)
        return
    tokens[0] += 1
    token = {"type": "write", "key": f"sync-{node.node_id}", "value": f"{node.node_id}-{life}-{tokens[0]}"}
    node.rpc("seq-kv", token, lambda _: node.rpc("seq-kv", {"type": "read", "key": KEY}, with_read))


def answer_of(answer):
    """An answer of the service's passed on to the client as it is (an error keeps its code)."""
    return {k: v for k, v in answer.items() if k not in ("msg_id", "in_reply_to")}


node.run()
