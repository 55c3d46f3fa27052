"""What faultline's example Maelstrom nodes in Python share: messages read from stdin and written to stdout,
one JSON object a line, init, and (for nodes whose n1 holds the data) requests forwarded to n1 and applied
there once each. The nodes import it from their own folder (Python puts a script's folder first on its path),
so copy it along with a node. Plain Python 3, no dependencies; a node logs on stderr.
"""
import json
import sys
import threading


class Node:
    """One node: `on(kind)` registers a handler for a message type; `run()` serves stdin until it closes."""

    def __init__(self, describe):
        self.node_id = None
        self.node_ids = []
        # What the node is, for its log line at init (given the node, once it knows its id).
        self.describe = describe
        self.handlers = {}
        self._next_msg_id = 0
        # Callbacks waiting for the answer to a request this node sent (rpc): its msg_id -> callback.
        self._callbacks = {}
        # A node may send from a thread of its own (gossip): one line at a time on stdout.
        self._lock = threading.Lock()

    def log(self, text):
        print(text, file=sys.stderr, flush=True)

    def send(self, dest, body):
        """Sends a message; returns its msg_id."""
        with self._lock:
            self._next_msg_id += 1
            msg_id = self._next_msg_id
            sys.stdout.write(json.dumps({"src": self.node_id, "dest": dest, "body": dict(body, msg_id=msg_id)}) + "\n")
            sys.stdout.flush()
        return msg_id

    def rpc(self, dest, body, callback):
        """Sends a request and calls `callback(reply body)` when its answer arrives. No timeout and no retry: an
        answer lost on the network leaves the request unanswered, and the client that asked times out."""
        # Answers are handled on the thread that reads stdin, so registering after the send cannot miss one.
        self._callbacks[self.send(dest, body)] = callback

    def reply(self, request, body):
        return self.send(request["src"], dict(body, in_reply_to=request["body"]["msg_id"]))

    def on(self, kind):
        def register(handler):
            self.handlers[kind] = handler
            return handler
        return register

    def run(self):
        for line in sys.stdin:
            if line.strip():
                self._handle(json.loads(line))

    def _handle(self, message):
        body = message["body"]
        kind = body["type"]
        callback = self._callbacks.pop(body.get("in_reply_to"), None) if "in_reply_to" in body else None
        if callback is not None:
            callback(body)
        elif kind == "init":
            self.node_id, self.node_ids = body["node_id"], body["node_ids"]
            self.log(f"{self.node_id} initialised; {self.describe(self)}")
            self.reply(message, {"type": "init_ok"})
        elif kind in self.handlers:
            self.handlers[kind](message)
        elif "msg_id" in body:
            self.reply(message, {"type": "error", "code": 10, "text": f"unsupported request {kind}"})
        else:
            self.log(f"ignoring {kind}")


def serve_through_primary(node, kinds, apply):
    """Requests of `kinds` are applied by n1 (the first of node_ids), one at a time: `apply(request body)`
    returns the reply body. Every other node forwards a client's request to n1 and relays n1's answer. Two
    things keep one copy applied in one order correct on a network that loses, duplicates and reorders:
      - n1 applies each request once: it remembers the answer to every (client, msg_id) it has applied and
        answers a duplicate with it, so a late duplicate of an old write never overwrites a newer value;
      - a follower that gets no answer from n1 says nothing: the client times out and records the op as
        indeterminate, which is the truth (n1 may have applied it).
    Losing n1 (a kill) loses the data: such a node is meant for pauses, partitions and kills of the others."""
    # (client, client msg_id) -> the reply body n1 gave.
    applied = {}
    # A follower's forwards waiting for n1: its msg_id -> (client, client msg_id).
    forwarded = {}

    def apply_once(client, client_msg_id, request):
        token = (client, client_msg_id)
        if token not in applied:
            applied[token] = apply(request)
        return applied[token]

    def on_request(message):
        body = message["body"]
        primary = node.node_ids[0]
        if node.node_id == primary:
            node.reply(message, apply_once(message["src"], body["msg_id"], body))
            return
        request = {k: v for k, v in body.items() if k != "msg_id"}
        forward = {"type": "forward", "client": message["src"], "client_msg_id": body["msg_id"], "op": request}
        forwarded[node.send(primary, forward)] = (message["src"], body["msg_id"])

    def on_forward(message):
        body = message["body"]
        answer = apply_once(body["client"], body["client_msg_id"], body["op"])
        node.reply(message, {"type": "forward_ok", "answer": answer, "client": body["client"],
                             "client_msg_id": body["client_msg_id"]})

    def on_forward_ok(message):
        body = message["body"]
        origin = forwarded.get(body["in_reply_to"])
        # A duplicate answer (the client already has it), or one meant for this node's previous life: msg_ids
        # start again at 1 after a restart, so the answer must also name the request it answers.
        if origin != (body["client"], body["client_msg_id"]):
            return
        del forwarded[body["in_reply_to"]]
        client, client_msg_id = origin
        node.send(client, dict(body["answer"], in_reply_to=client_msg_id))

    for kind in kinds:
        node.handlers[kind] = on_request
    node.handlers["forward"] = on_forward
    node.handlers["forward_ok"] = on_forward_ok
