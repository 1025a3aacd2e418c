#!/usr/bin/env python3
"""End-to-end check of the Python client against a live server (URL in argv[1] or MCPAPI_URL).

Run by the xunit test PythonClientTests; prints one line per check and exits non-zero on the first failure.
"""

import subprocess
import sys
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mcp_client import McpClient, McpError  # noqa: E402

url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("MCPAPI_URL", "http://localhost:5000")
client = McpClient(url, timeout=10)


def check(name, condition, detail=""):
    if not condition:
        print(f"FAIL {name} {detail}")
        sys.exit(1)
    print(f"ok {name}")


seed = {"action": "test", "parameters": {"key1": "value1", "key2": "value2"}}
reply = client.post(seed)
check("seed shape echoed", reply == {"status": "success", "message": "MCP request processed successfully",
                                     "data": {"echo": seed}}, str(reply))

reply = client.send("echo", context="user", data="hi")
check("echo with context", reply["data"]["echo"]["context"] == "user" and reply["data"]["echo"]["data"] == "hi")

try:
    client.send("no_such_model")
    check("unknown model raises", False)
except McpError as error:
    check("unknown model raises McpError", error.status == 404 and error.code == "unknown_model" and "echo" in error.message,
          repr(error))
    check("error carries trace id", bool(error.trace_id))

try:
    client.post([1, 2, 3])
    check("array body raises", False)
except McpError as error:
    check("array body is a 400 envelope_not_object", error.status == 400 and error.code == "envelope_not_object")

catalog = client.models()
check("models lists echo", any(m["name"] == "echo" for m in catalog["models"]))

script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mcp_client.py")
cli = subprocess.run([sys.executable, script, "--url", url, "echo", "--context", "user", "--data", '"hi"'],
                     capture_output=True, text=True, timeout=30)
check("CLI echo exits 0", cli.returncode == 0, cli.stderr)
check("CLI prints the envelope", '"status": "success"' in cli.stdout and '"hi"' in cli.stdout, cli.stdout)

cli = subprocess.run([sys.executable, script, "--url", url, "nope"], capture_output=True, text=True, timeout=30)
check("CLI error exits 1 with code", cli.returncode == 1 and "unknown_model" in cli.stderr, cli.stderr)

cli = subprocess.run([sys.executable, script, "--url", url, "echo", "--data", "{broken"], capture_output=True, text=True, timeout=30)
check("CLI bad --data JSON exits 2 (bad arguments)", cli.returncode == 2 and "not valid JSON" in cli.stderr, f"{cli.returncode} {cli.stderr}")

check("errors of a non-object error data is empty", McpError(500, "x", "m", {"status": "error", "data": "text"}).errors == {})

cli = subprocess.run([sys.executable, script, "--url", "http://127.0.0.1:9", "echo"], capture_output=True, text=True, timeout=30)
check("CLI unreachable server exits 3", cli.returncode == 3, cli.stderr)

import socket  # noqa: E402

silent = socket.socket()
silent.bind(("127.0.0.1", 0))
silent.listen(1)  # accepts connections (in the backlog) but never answers
cli = subprocess.run([sys.executable, script, "--url", f"http://127.0.0.1:{silent.getsockname()[1]}", "--timeout", "1", "echo"],
                     capture_output=True, text=True, timeout=30)
silent.close()
check("CLI timeout exits 3 saying so", cli.returncode == 3 and "did not answer within 1" in cli.stderr, cli.stderr)

print("python client: all checks passed")
