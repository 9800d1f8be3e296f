"""Start and stop the ES-compatible server `noida-db` (PyPI) for tests and
benchmarks: a subprocess on a free loopback port, with its own data directory."""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _executable() -> str:
    beside_python = Path(sys.executable).parent / "noida-db"
    found = str(beside_python) if beside_python.exists() else shutil.which("noida-db")
    if not found:
        raise RuntimeError("noida-db is not installed (pip install -e '.[dev]')")
    return found


@contextlib.contextmanager
def running_noida(timeout: float = 20.0):
    """Yield the http:// URL of a fresh noida-db serving the Elasticsearch API."""
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="noida-") as data_dir:
        process = subprocess.Popen(
            [_executable(), "start", "--data-dir", data_dir, "--host", "127.0.0.1", "--only", "elasticsearch",
             "--elasticsearch-port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(url, timeout=1):
                        break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"noida-db did not answer on {url} (exit {process.poll()})")
                    time.sleep(0.05)
            yield url
        finally:
            # The whole session: the noida-db command is a wrapper that
            # starts the server binary, which terminating the wrapper orphans.
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
