#!/usr/bin/env python3
"""McpApi's raw TCP door from Python, standard library only.

One JSON envelope per line goes in, one reply per line comes out (with the envelope's "id" echoed),
and subscribed events arrive as lines with "status": "event".

    python3 tcp_client.py send '{"model":"echo","data":"hi"}'
    python3 tcp_client.py subscribe chat:lobby move:g1 --count 1
    python3 tcp_client.py --host 127.0.0.1 --port 5050 send '{"model":"chat","context":{"user":"ana","room":"lobby"},"data":"hi"}'

As a library:

    with McpTcpClient("127.0.0.1", 5050) as client:
        print(client.request({"model": "echo", "data": "hi"}))
        client.subscribe(["chat:lobby"])
        for event in client.events(timeout=30):
            print(event["data"]["text"])
"""
import argparse
import collections
import itertools
import json
import os
import socket
import sys
import time


class McpTcpClient:
    def __init__(self, host="127.0.0.1", port=5050, timeout=10.0, key=None):
        """`key`: an API key or token for a server with authentication on; sent first as
        {"model":"auth","data":{"key":...}} (default: the MCPAPI_KEY environment variable)."""
        self._socket = socket.create_connection((host, port), timeout=timeout)
        self._file = self._socket.makefile("rwb")
        self._ids = itertools.count(1)
        self._pending_events = collections.deque()
        key = key if key is not None else os.environ.get("MCPAPI_KEY")
        if key:
            reply = self.request({"model": "auth", "data": {"key": key}})
            if reply.get("status") != "success":
                self.close()
                raise PermissionError(reply.get("message", "authentication failed"))

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.close()

    def close(self):
        try:
            self._file.close()
        finally:
            self._socket.close()

    def send(self, envelope):
        """Writes one envelope as one line."""
        self._file.write(json.dumps(envelope, separators=(",", ":")).encode("utf-8") + b"\n")
        self._file.flush()

    def receive(self, timeout=None):
        """Reads the next line as JSON; None when the server closed the connection."""
        self._socket.settimeout(timeout)
        line = self._file.readline()
        if not line:
            return None
        return json.loads(line)

    def request(self, envelope, timeout=10.0):
        """Sends an envelope with a fresh id and returns the reply with that id; events read meanwhile are kept."""
        envelope = dict(envelope)
        envelope.setdefault("id", f"py-{next(self._ids)}")
        self.send(envelope)
        deadline = time.monotonic() + timeout
        while True:
            message = self.receive(max(0.01, deadline - time.monotonic()))
            if message is None:
                raise ConnectionError("The server closed the connection before replying.")
            if message.get("status") == "event":
                self._pending_events.append(message)
            elif message.get("id") == envelope["id"] or "id" not in message:
                return message

    def subscribe(self, topics):
        reply = self.request({"model": "subscribe", "data": {"topics": list(topics)}})
        if reply.get("status") != "success":
            raise ValueError(reply.get("message"))
        return reply

    def unsubscribe(self, topics=None):
        envelope = {"model": "subscribe", "action": "remove"}
        if topics:
            envelope["data"] = {"topics": list(topics)}
        return self.request(envelope)

    def events(self, timeout=None):
        """Yields pushed events until the connection closes or no event arrives within timeout seconds."""
        while True:
            if self._pending_events:
                yield self._pending_events.popleft()
                continue
            try:
                message = self.receive(timeout)
            except socket.timeout:
                return
            if message is None:
                return
            if message.get("status") == "event":
                yield message
            elif message.get("status") == "error":
                # A final line such as event_queue_overflow or server_stopping says why the server hangs up.
                yield message


def main(argv=None):
    parser = argparse.ArgumentParser(description="Talk to McpApi's TCP door (newline-delimited JSON envelopes).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5050)
    parser.add_argument("--key", default=None, help="API key or token, sent as the first line's auth message (default: env MCPAPI_KEY)")
    commands = parser.add_subparsers(dest="command", required=True)
    send = commands.add_parser("send", help="send one envelope and print the reply")
    send.add_argument("envelope", help='JSON, e.g. \'{"model":"echo","data":"hi"}\'')
    subscribe = commands.add_parser("subscribe", help="subscribe to topics and print events as they come")
    subscribe.add_argument("topics", nargs="+", help="e.g. chat:lobby move:g1")
    subscribe.add_argument("--count", type=int, default=0, help="stop after this many events (0: run until closed)")
    subscribe.add_argument("--timeout", type=float, default=None, help="stop when no event comes for this many seconds")
    args = parser.parse_args(argv)

    try:
        envelope = json.loads(args.envelope) if args.command == "send" else None
    except json.JSONDecodeError as error:
        print(f"The envelope is not valid JSON: {error}", file=sys.stderr)
        return 2

    try:
        client = McpTcpClient(args.host, args.port, key=args.key)
    except PermissionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    with client:
        if args.command == "send":
            reply = client.request(envelope)
            print(json.dumps(reply), flush=True)
            return 0 if reply.get("status") == "success" else 1
        print(json.dumps(client.subscribe(args.topics)), flush=True)
        for seen, event in enumerate(client.events(timeout=args.timeout), start=1):
            print(json.dumps(event), flush=True)
            if event.get("status") != "event":
                return 1
            if args.count and seen >= args.count:
                return 0
        return 0 if not args.count else 1


if __name__ == "__main__":
    sys.exit(main())
