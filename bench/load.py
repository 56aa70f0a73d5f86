"""Load generation with wrk (Lua scripts for percentiles and for the support toggle) and RSS sampling."""
import os
import re
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

WRK = os.environ.get("WRK", "/usr/bin/wrk")

# wrk's own --latency table stops at 90 % and 99 %; done() reports exactly what we need.
DONE = """
function done(summary, latency, requests)
  io.write(string.format("BENCH requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d "
    .. "status=%d connect=%d read=%d write=%d timeout=%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout))
end
"""

# Each thread owns every THREADS-th (session, idea) pair and flips it: support, withdraw, support ...
# so every request after a pair's first is a real INSERT or DELETE plus a counter UPDATE.
TOGGLE = """
local sessions = {%(sessions)s}
local ideas = {%(ideas)s}
local threads = %(threads)d
local next_id = 0
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end
function init(args)
  step = 0
  supported = {}
end
function request()
  local pair = (tid + step * threads) %% (#sessions * #ideas)
  step = step + 1
  local s = sessions[(pair %% #sessions) + 1]
  local idea = ideas[math.floor(pair / #sessions) + 1]
  local action = supported[pair] and "remove" or "add"
  supported[pair] = not supported[pair]
  return wrk.format("POST", "/ideas/" .. idea .. "/vote",
    {["Cookie"] = s[1], ["X-CSRFToken"] = s[2], ["HX-Request"] = "true",
     ["Content-Type"] = "application/x-www-form-urlencoded"}, "action=" .. action)
end
"""


@dataclass
class Result:
    requests: int = 0
    seconds: float = 0.0
    p50: float | None = None   # milliseconds
    p95: float | None = None
    p99: float | None = None
    errors: int = 0            # non-2xx/3xx answers plus socket errors and timeouts
    note: str = ""

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def parse(output: str) -> Result:
    found = re.search(r"^BENCH (.*)$", output, re.M)
    if not found:
        return Result(note="wrk gave no result: " + output.strip()[-200:])
    v = {k: int(x) for k, x in (pair.split("=") for pair in found.group(1).split())}
    errors = v["status"] + v["connect"] + v["read"] + v["write"] + v["timeout"]
    if not v["requests"]:
        return Result(errors=errors, note="no request finished in time")
    return Result(requests=v["requests"], seconds=v["duration_us"] / 1e6, p50=v["p50_us"] / 1000,
                  p95=v["p95_us"] / 1000, p99=v["p99_us"] / 1000, errors=errors)


def _script(text: str) -> str:
    handle = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    handle.write(text)
    handle.close()
    return handle.name


def wrk(url: str, seconds: float, connections: int, threads: int = 2, headers: dict | None = None,
        lua: str = "", timeout: int = 30) -> Result:
    """Run wrk against one URL; headers (e.g. the session cookie) go with every request."""
    script = _script(lua + DONE)
    threads = max(1, min(threads, connections))
    command = [WRK, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
               f"--timeout={timeout}s", "-s", script]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    try:
        done = subprocess.run(command + [url], capture_output=True, text=True, timeout=seconds + timeout + 30)
    finally:
        os.unlink(script)
    return parse(done.stdout + done.stderr)


def toggle_script(sessions: list[tuple[str, str]], ideas: list[int], threads: int) -> str:
    quoted = ", ".join('{"%s", "%s"}' % (cookie.replace('"', ""), token) for cookie, token in sessions)
    # threads must divide the number of pairs, or two threads would flip the same pair.
    ideas = ideas[: len(ideas) - len(ideas) % threads] if len(ideas) >= threads else ideas
    return TOGGLE % {"sessions": quoted, "ideas": ", ".join(map(str, ideas)), "threads": threads}


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry.name))
    return kids


def _rss_mb(pid: int) -> float:
    """The process's peak RSS so far (VmHWM): a document built between two samples still counts."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class RssSampler(threading.Thread):
    """Samples every gunicorn worker's peak RSS twice a second; remembers the largest per worker.

    The kernel's high-water mark covers the whole life of a worker (from its start, logins
    included), so a peak shorter than the interval is not missed.
    """

    def __init__(self, master_pid: int, interval: float = 0.5):
        super().__init__(daemon=True)
        self.master, self.interval = master_pid, interval
        self.peak: dict[int, float] = {}
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            for pid in _children(self.master):
                self.peak[pid] = max(self.peak.get(pid, 0.0), _rss_mb(pid))
            time.sleep(self.interval)

    def stop(self) -> float:
        self._halt.set()
        self.join()
        return max(self.peak.values(), default=0.0)
