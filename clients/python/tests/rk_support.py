"""Test support: real `rewardkit serve` processes shared by all test modules, and a stand-in HTTP server.

The servers are started once per test run (on first use) and stopped at exit. They run the built CLI
(`node bin/rewardkit.js serve --port 0`, so `npm run build` must have run: `npm test` does it) and their
URL is read from the "Server listening at ..." log line.

Each replica scores the same reward (R1-style: 0.2 format + 0.8 math answer in <answer>, abstaining when
the reference does not parse) plus a weight-0 component named after the replica, which changes nothing
but shows in every result's components which replica scored it.
"""

import atexit
import collections
import http.server
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT_DIR = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(CLIENT_DIR))
BIN = os.path.join(ROOT, "bin", "rewardkit.js")
# The tests exercise the installed package (`pip install ./clients/python`), never the source folder:
# test/e2e/python-client.test.ts installs it into a fresh venv and runs this suite with that venv's python.
try:
    import rewardkit_client as _installed
except ImportError as e:  # pragma: no cover - a clear message instead of 7 import errors
    raise ImportError("rewardkit_client is not installed: pip install ./clients/python") from e
if os.path.dirname(os.path.abspath(_installed.__file__)) == os.path.join(CLIENT_DIR, "rewardkit_client"):
    raise ImportError("rewardkit_client was imported from the source folder, not the installed package")
CLIENT_FILE = _installed.__file__

# The tests choose URLs and tokens themselves; nothing from the developer's shell may leak in, and
# loopback traffic must not go through a proxy from the environment.
for _name in ("REWARDKIT_URL", "REWARDKIT_TOKEN", "REWARDKIT_TIMEOUT", "REWARDKIT_MAX_RETRIES",
              "REWARDKIT_ABSTAIN_SCORE", "REWARDKIT_ERROR_SCORE"):
    os.environ.pop(_name, None)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

TOKEN = secrets.token_hex(16)


def replica_spec(tag):
    return {
        "type": "weighted",
        "normalize": True,
        "on_abstain": "propagate",
        "terms": [
            {"type": "think_answer", "name": "format", "weight": 0.2},
            {"type": "math", "name": "answer", "weight": 0.8, "input": "{{completion|tag:answer}}"},
            {"type": "think_answer", "name": tag, "weight": 0},
        ],
    }


def replica_of(result):
    """Which replica scored a result (the name of its weight-0 tag component)."""
    tags = [k for k in (result.get("components") or {}) if k.startswith("replica_")]
    return tags[0] if len(tags) == 1 else None


def answer(value, think="let me think"):
    return "<think>{}</think><answer>{}</answer>".format(think, value)


def _node():
    exe = os.environ.get("REWARDKIT_NODE") or shutil.which("node")
    if not exe:
        raise RuntimeError("node is not on PATH (set REWARDKIT_NODE)")
    return exe


def _die_with_parent():  # pragma: no cover - runs in the child
    # Linux: the server gets SIGTERM if this test process dies without cleaning up.
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except Exception:
        pass


class Server:
    """One `rewardkit serve` child process."""

    def __init__(self, spec_path, env=None, args=()):
        child_env = dict(os.environ)
        child_env.update(env or {})
        self.proc = subprocess.Popen(
            [_node(), BIN, "serve", "--spec", spec_path, "--host", "127.0.0.1", "--port", "0",
             "--log-level", "info", *args],
            cwd=ROOT,
            env=child_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        self.url = None
        self.output = collections.deque(maxlen=400)
        self._ready = threading.Event()

    def start_reading(self):
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip()
            self.output.append(line)
            if self.url is None:
                m = re.search(r"listening at (http://[^\s\"]+)", line, re.I)
                if m:
                    self.url = m.group(1)
                    self._ready.set()
        self._ready.set()

    def wait(self, timeout=120.0):
        if not self._ready.wait(timeout) or self.url is None:
            self.stop()
            raise RuntimeError("rewardkit serve did not start:\n" + "\n".join(self.output))
        return self

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


_lock = threading.Lock()
_servers = {}
_tmp = None


def servers():
    """{"a": Server, "b": Server, "auth": Server}: two replicas and one that wants TOKEN, started once."""
    global _tmp
    with _lock:
        if not _servers:
            _tmp = tempfile.mkdtemp(prefix="rk-pytest-")
            plan = {"a": ("replica_a", None), "b": ("replica_b", None), "auth": ("replica_auth", {"REWARDKIT_TOKEN": TOKEN})}
            started = {}
            for name, (tag, env) in plan.items():
                path = os.path.join(_tmp, tag + ".json")
                with open(path, "w") as f:
                    json.dump(replica_spec(tag), f)
                started[name] = Server(path, env)
            for s in started.values():  # all spawned before any reader thread exists (preexec_fn and threads)
                s.start_reading()
            try:
                for s in started.values():
                    s.wait()
            except BaseException:
                for s in started.values():
                    s.stop()
                raise
            _servers.update(started)
        return dict(_servers)


def url(name):
    return servers()[name].url


@atexit.register
def _stop_all():
    for s in _servers.values():
        s.stop()
    if _tmp:
        shutil.rmtree(_tmp, ignore_errors=True)


def dead_url():
    """A loopback URL where nothing listens (connection refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return "http://127.0.0.1:{}".format(port)


class StandIn:
    """A tiny http.server stand-in for fault injection (429, 503, dropped connections, slow answers),
    which the real server cannot be made to produce on demand. Each request takes the next scripted
    action; when the script is used up it forwards the request to a real rewardkit server (`upstream`)
    and relays the answer. Every request it receives is recorded (method, path, headers, JSON body).

    Actions: {"status": 503, "headers": {...}, "body": obj or str} answers that; {"close": True} drops the
    connection without an answer; {"sleep": s} waits s seconds, then drops the connection.
    """

    def __init__(self, script=(), upstream=None):
        self.script = collections.deque(script)
        self.upstream = upstream
        self.requests = []
        self._lock = threading.Lock()
        stand_in = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n) if n else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw
                with stand_in._lock:
                    stand_in.requests.append(
                        {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
                    )
                    action = stand_in.script.popleft() if stand_in.script else None
                if action is None:
                    return self._forward(raw)
                if action.get("sleep"):
                    time.sleep(action["sleep"])
                    self.close_connection = True
                    return
                if action.get("close"):
                    self.close_connection = True
                    return
                payload = action.get("body", {"error": {"kind": "scripted", "message": "scripted fault"}})
                data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
                self._send(action["status"], action.get("headers", {}), data,
                           "text/html" if isinstance(payload, str) else "application/json")

            def _forward(self, raw):
                if stand_in.upstream is None:
                    return self._send(500, {}, b'{"error":{"kind":"no_upstream","message":"script used up"}}')
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "authorization")}
                req = urllib.request.Request(stand_in.upstream + self.path, data=raw if self.command == "POST" else None,
                                             headers=headers, method=self.command)
                opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
                try:
                    with opener.open(req, timeout=60) as resp:
                        self._send(resp.status, {}, resp.read())
                except urllib.error.HTTPError as e:
                    self._send(e.code, {k: v for k, v in e.headers.items() if k.lower() == "retry-after"}, e.read())

            def _send(self, status, headers, data, ctype="application/json"):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = _handle
            do_POST = _handle

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = "http://127.0.0.1:{}".format(self.httpd.server_address[1])
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def bodies(self, path=None):
        return [r["body"] for r in self.requests if path is None or r["path"] == path]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
