#!/usr/bin/env python3
"""McpApi Python client: a small module and a command-line tool over `requests`.

As a module:

    from mcp_client import McpClient, McpError
    client = McpClient("http://localhost:5000")
    reply = client.send("chat", context="user", data="Hello, world!")
    print(reply["data"])
    try:
        client.send("nope")
    except McpError as e:
        print(e.status, e.code, e.message)

From the shell:

    python3 clients/python/mcp_client.py --url http://localhost:5000 echo --context user --data '"hi"'
    python3 clients/python/mcp_client.py chat --action send --context '{"user":"ana","room":"lobby"}' --data '"hello"'
    python3 clients/python/mcp_client.py --models

The CLI prints the response envelope as JSON and exits 0 on success, 1 on an error envelope,
2 on bad arguments and 3 when the server cannot be reached.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

import requests

DEFAULT_URL = os.environ.get("MCPAPI_URL", "http://localhost:5000")
DEFAULT_KEY = os.environ.get("MCPAPI_KEY")
_MISSING = object()


class McpError(Exception):
    """An error envelope from McpApi (or a response that was not one)."""

    def __init__(self, status: int, code: str, message: str, envelope: dict | None = None):
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.envelope = envelope or {}

    @property
    def errors(self) -> dict:
        """Field errors (field path -> messages), when the server sent any."""
        data = self.envelope.get("data") or {}
        return (data.get("errors") or {}) if isinstance(data, dict) else {}

    @property
    def trace_id(self) -> str | None:
        data = self.envelope.get("data") or {}
        return data.get("traceId") if isinstance(data, dict) else None


class McpClient:
    """Sends envelopes to `POST {url}/mcp` and returns the parsed response envelope."""

    def __init__(self, url: str = DEFAULT_URL, timeout: float = 30.0, session: requests.Session | None = None,
                 key: str | None = DEFAULT_KEY):
        """`key`: an API key or token for a server with authentication on (README "Running on a network"),
        sent as `Authorization: Bearer <key>`; default: the MCPAPI_KEY environment variable."""
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        if key:
            self.session.headers["Authorization"] = f"Bearer {key}"

    def send(self, model: str | None = None, action: str | None = None, context: Any = None, data: Any = _MISSING,
             **extra: Any) -> dict:
        """Sends one envelope. Returns the success envelope; raises McpError for an error envelope."""
        envelope: dict[str, Any] = {}
        if model is not None:
            envelope["model"] = model
        if action is not None:
            envelope["action"] = action
        if context is not None:
            envelope["context"] = context
        if data is not _MISSING:
            envelope["data"] = data
        envelope.update(extra)
        return self.post(envelope)

    def post(self, envelope: Any) -> dict:
        """Posts any JSON value as the body (useful for the seed's request shape)."""
        response = self.session.post(f"{self.url}/mcp", json=envelope, timeout=self.timeout,
                                     headers={"Accept": "application/json"})
        return self._parse(response)

    def models(self) -> dict:
        """The catalog from GET /mcp/models: every model, action, schema and example."""
        response = self.session.get(f"{self.url}/mcp/models", timeout=self.timeout)
        if response.status_code != 200:
            raise McpError(response.status_code, "http_error", response.text[:200])
        return response.json()

    def health(self) -> dict:
        return self.session.get(f"{self.url}/health", timeout=self.timeout).json()

    @staticmethod
    def _parse(response: requests.Response) -> dict:
        try:
            body = response.json()
        except ValueError:
            raise McpError(response.status_code, "not_json",
                           f"The server answered with non-JSON content: {response.text[:200]!r}") from None
        if not isinstance(body, dict) or "status" not in body:
            raise McpError(response.status_code, "not_an_envelope", f"Unexpected response: {str(body)[:200]}")
        if body.get("status") == "error" or response.status_code >= 400:
            data = body.get("data") if isinstance(body.get("data"), dict) else {}
            raise McpError(response.status_code, data.get("code", "error"), body.get("message", ""), body)
        return body


def _json_arg(text: str | None, name: str) -> Any:
    """Parses a CLI value as JSON; a bare word that is not JSON is taken as a string."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        if text.strip().startswith(("{", "[", '"')):
            print(f"error: --{name} is not valid JSON: {text}", file=sys.stderr)
            raise SystemExit(2)
        return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Send an envelope to McpApi and print the response envelope.")
    parser.add_argument("--url", default=DEFAULT_URL, help=f"server base URL (default {DEFAULT_URL}, env MCPAPI_URL)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the server")
    parser.add_argument("--key", default=DEFAULT_KEY,
                        help="API key or token, sent as Authorization: Bearer (default: env MCPAPI_KEY; prefer the variable, "
                             "a key on the command line lands in shell history)")
    parser.add_argument("--models", action="store_true", help="list the models and their actions instead")
    parser.add_argument("model", nargs="?", help="model name, e.g. echo, chat, notes, state, move")
    parser.add_argument("--action", help="the model's action (default: the model's default action)")
    parser.add_argument("--context", help='context as JSON or a bare word, e.g. user or \'{"user":"ana","room":"lobby"}\'')
    parser.add_argument("--data", help='data as JSON or a bare word, e.g. \'"hi"\' or \'{"key":"k"}\'')
    parser.add_argument("--raw", help="post this exact JSON body instead of building an envelope")
    args = parser.parse_args(argv)

    client = McpClient(args.url, timeout=args.timeout, key=args.key)
    try:
        if args.models:
            catalog = client.models()
            for model in catalog["models"]:
                actions = ", ".join(a["name"] for a in model["actions"])
                print(f"{model['name']}: {model['description']} [{actions}]")
            return 0
        if args.raw is not None:
            reply = client.post(_json_arg(args.raw, "raw"))
        elif args.model:
            data = _json_arg(args.data, "data") if args.data is not None else _MISSING
            reply = client.send(args.model, args.action, _json_arg(args.context, "context"), data)
        else:
            parser.error("name a model (or use --models / --raw)")
            return 2
    except McpError as error:
        print(json.dumps(error.envelope or {"status": "error", "message": error.message}, indent=2), file=sys.stdout)
        print(f"error: HTTP {error.status} {error.code}: {error.message}", file=sys.stderr)
        return 1
    except requests.Timeout:
        print(f"error: {args.url} did not answer within {args.timeout} s (--timeout)", file=sys.stderr)
        return 3
    except requests.RequestException as error:
        print(f"error: cannot reach {args.url}: {error}", file=sys.stderr)
        return 3
    print(json.dumps(reply, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
