"""Drives an MCP server with the official MCP Python SDK and prints what it saw.

    drive.py stdio COMMAND [ARG...]   the server is COMMAND, spoken to on stdin/stdout
    drive.py http URL                 the server is a Streamable HTTP endpoint

Reads a scenario from stdin, ``{"calls": [{"name": ..., "arguments": {...}, "arguments_from": {...}}, ...]}``
(``arguments_from`` maps an argument to ``[i, field]``: that field of call i's
result, e.g. a query handle an earlier call returned),
initializes, lists the tools and makes each call in order. Prints one JSON object:
``{"protocol_version", "server_info", "tools", "results"}``, where each result is
``{"is_error", "text", "structured"}`` or, for a JSON-RPC error,
``{"error": {"code", "message"}}``; a failure inside the SDK (a result that does not
match the tool's output schema, say) is ``{"client_error": "..."}``. The Rust tests
hold the assertions; this script only speaks the protocol.
"""

import json
import os
import sys
import time

import anyio
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError


def dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


async def session_run(read, write, scenario):
    out = {"results": []}
    async with ClientSession(read, write) as session:
        init = await session.initialize()
        out["protocol_version"] = init.protocol_version
        out["server_info"] = dump(init.server_info)
        out["capabilities"] = dump(init.capabilities)
        listed = await session.list_tools()
        out["tools"] = [dump(tool) for tool in listed.tools]
        for call in scenario.get("calls", []):
            arguments = call.get("arguments")
            for name, (i, field) in call.get("arguments_from", {}).items():
                earlier = out["results"][i]
                value = (earlier.get("structured") or json.loads(earlier.get("text") or "{}")).get(field)
                arguments = {**(arguments or {}), name: value}
            started = time.perf_counter()
            try:
                result = await session.call_tool(call["name"], arguments)
                text = "".join(c.text for c in result.content if getattr(c, "type", "") == "text")
                entry = {"is_error": bool(result.is_error), "text": text}
                if result.structured_content is not None:
                    entry["structured"] = result.structured_content
            except MCPError as e:
                entry = {"error": {"code": e.error.code, "message": e.error.message}}
            except Exception as e:  # the SDK refused the answer: report it, don't hide it
                entry = {"client_error": f"{type(e).__name__}: {e}"}
            entry["micros"] = int((time.perf_counter() - started) * 1e6)
            out["results"].append(entry)
    return out


async def main():
    mode, *rest = sys.argv[1:]
    scenario = json.loads(sys.stdin.read() or "{}")
    if mode == "stdio":
        params = StdioServerParameters(command=rest[0], args=rest[1:], env=dict(os.environ))
        async with stdio_client(params) as (read, write):
            out = await session_run(read, write, scenario)
    elif mode == "http":
        async with streamable_http_client(rest[0]) as streams:
            read, write = streams[0], streams[1]
            out = await session_run(read, write, scenario)
    else:
        raise SystemExit(f"unknown mode {mode!r}: expected stdio or http")
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    anyio.run(main)
