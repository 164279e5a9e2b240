#!/usr/bin/python3
"""A scripted stand-in for remote LLM APIs, for mlgym's tests and benchmarks.

It speaks the OpenAI chat-completions and the Anthropic messages protocols on
127.0.0.1, so the production HTTP client (libcurl) is what gets exercised, and it
answers from a script instead of a model:

    fake_llm.py --script SCRIPT.json --port-file PATH --log REQUESTS.jsonl

SCRIPT.json is {"replies": [REPLY, ...], "cycle": false, "fallback": REPLY or null}.
Replies are used one per model request, in arrival order, whichever protocol asks.
When they run out: start over if "cycle" is true, else answer with "fallback" if one
is given, else answer 500 ("script exhausted"). A REPLY is an object with the
optional keys
    content     assistant text (default "")
    status      HTTP status (default 200); from 400 on the body is the protocol's
                error shape, built from error_type (default "server_error"),
                error_code (OpenAI's "code") and message
    headers     extra response headers, e.g. {"Retry-After": "0"}
    usage       {"prompt_tokens": P, "completion_tokens": C}; estimated when absent
    delay       seconds to wait before answering
    raw         a body sent verbatim (as application/json) with status

Every POST is appended to the log as one JSON line before it is answered:
    {"n", "path", "authorization", "x_api_key", "anthropic_version", "body"}
A body that is not JSON or has no "messages" list is answered 400 in the protocol's
error shape and does not use up a reply. The port (chosen by the kernel) is written to
PATH once the server listens; SIGTERM or SIGINT stops it with status 0.

Python 3 standard library only; written for mlgym.
"""

import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import loopback  # Tests/Servers/loopback.py: serving until SIGTERM, the port file


class Script:
    """The scripted replies and the request log, shared by all handler threads."""

    def __init__(self, script_path, log_path):
        with open(script_path, encoding="utf-8") as handle:
            script = json.load(handle)
        if not isinstance(script, dict) or not isinstance(script.get("replies", []), list):
            raise ValueError(f"{script_path}: expected an object with a 'replies' list")
        self.replies = script.get("replies", [])
        self.cycle = bool(script.get("cycle", False))
        self.fallback = script.get("fallback")
        self.used = 0          # replies handed out so far
        self.requests = 0      # POSTs logged so far (the log's "n")
        self.lock = threading.Lock()
        self.log = open(log_path, "a", encoding="utf-8")

    def record(self, entry):
        """Numbers the request, appends it to the log and returns its number."""
        with self.lock:
            self.requests += 1
            entry = {"n": self.requests, **entry}
            self.log.write(json.dumps(entry) + "\n")
            self.log.flush()
            return self.requests

    def next_reply(self):
        """The reply for the next model request, or None when the script is exhausted."""
        with self.lock:
            index = self.used
            self.used += 1
        if index < len(self.replies):
            return self.replies[index]
        if self.cycle and self.replies:
            return self.replies[index % len(self.replies)]
        return self.fallback


def openai_success(n, model, content, usage):
    return {
        "id": f"chatcmpl-{n}", "object": "chat.completion", "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1],
                  "total_tokens": usage[0] + usage[1]},
    }


def openai_error(error_type, message, code=None):
    return {"error": {"message": message, "type": error_type, "code": code}}


def anthropic_success(n, model, content, usage):
    return {
        "id": f"msg_{n}", "type": "message", "role": "assistant", "model": model,
        "content": [{"type": "text", "text": content}],
        "stop_reason": "end_turn", "stop_sequence": None,
        "usage": {"input_tokens": usage[0], "output_tokens": usage[1]},
    }


def anthropic_error(error_type, message, code=None):
    # Anthropic's error shape has no code; it is accepted and dropped.
    return {"type": "error", "error": {"type": error_type, "message": message}}


PROTOCOLS = {
    "openai": (openai_success, openai_error),
    "anthropic": (anthropic_success, anthropic_error),
}


def protocol_for(path):
    if path.endswith("/chat/completions"):
        return "openai"
    if path.endswith("/messages"):
        return "anthropic"
    return None


class Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 so that libcurl keeps its connection alive as it does with real APIs;
    # every answer therefore carries a Content-Length.
    protocol_version = "HTTP/1.1"
    script = None  # set in main()

    def log_message(self, format, *args):
        pass  # the JSON log is the record; keep stderr quiet

    def do_GET(self):
        if self.path.split("?")[0] == "/health":
            self.send(200, b"ok", "text/plain")
        else:
            self.send_json(404, openai_error("not_found_error", f"no such path: {self.path}"))

    def do_POST(self):
        path = self.path.split("?")[0]
        raw = self.read_body()
        try:
            body = logged = json.loads(raw)
        except ValueError:  # also invalid UTF-8
            body, logged = None, raw.decode("utf-8", "replace")
        n = self.script.record({
            "path": path,
            "authorization": self.headers.get("Authorization"),
            "x_api_key": self.headers.get("x-api-key"),
            "anthropic_version": self.headers.get("anthropic-version"),
            "body": logged,
        })

        protocol = protocol_for(path)
        if protocol is None:
            self.send_json(404, openai_error("not_found_error", f"no such path: {path}"))
            return
        success, error = PROTOCOLS[protocol]
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            self.send_json(400, error("invalid_request_error",
                                      "request body must be a JSON object with a 'messages' list"))
            return

        reply = self.script.next_reply()
        if reply is None:
            self.send_json(500, error("server_error", "fake_llm: the script is exhausted"))
            return
        time.sleep(float(reply.get("delay", 0)))
        status = int(reply.get("status", 200))
        headers = reply.get("headers") or {}
        if "raw" in reply:
            self.send(status, reply["raw"].encode("utf-8"), "application/json", headers)
        elif status >= 400:
            self.send_json(status, error(reply.get("error_type", "server_error"),
                                         reply.get("message", f"scripted error {status}"),
                                         reply.get("error_code")), headers)
        else:
            content = reply.get("content", "")
            usage = reply.get("usage")
            if usage:
                counts = (usage["prompt_tokens"], usage["completion_tokens"])
            else:
                # A rough chars/4 estimate, enough for cost accounting to see tokens.
                counts = (len(json.dumps(body["messages"])) // 4, max(1, len(content) // 4))
            self.send_json(status, success(n, body.get("model"), content, counts), headers)

    def read_body(self):
        """The request body by Content-Length, or de-chunked if the client streams it."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    # Skip any trailers up to the blank line that ends the message.
                    while self.rfile.readline().strip():
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()  # the CRLF after each chunk
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def send_json(self, status, obj, headers=None):
        self.send(status, json.dumps(obj).encode("utf-8"), "application/json", headers)

    def send(self, status, data, content_type, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        self.end_headers()
        self.wfile.write(data)


def main():
    parser = argparse.ArgumentParser(description="Scripted OpenAI/Anthropic API server")
    parser.add_argument("--script", required=True, help="the replies, as JSON")
    parser.add_argument("--port-file", required=True, help="where to write the port")
    parser.add_argument("--log", required=True, help="JSON-lines log of the requests")
    args = parser.parse_args()

    try:
        Handler.script = Script(args.script, args.log)
    except (OSError, ValueError) as error:
        print(f"fake_llm: {error}", file=sys.stderr)
        return 2

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    return loopback.serve(server, args.port_file)


if __name__ == "__main__":
    sys.exit(main())
