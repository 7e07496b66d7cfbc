"""A throwaway JupyterLab for the notebook check: its own config, port, token and trust store.

Nothing of the user's Jupyter set-up is read or changed: config, data (the notebook signatures
that make a notebook trusted), settings and workspaces all live in a temporary folder.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

# JupyterLab settings for a check: every cell in the page (not only those on screen), no news
# or update pop-ups over the notebook.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
START_TIMEOUT = 90.0  # seconds; a cold start on a small machine takes about 10


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class JupyterLab:
    """JupyterLab serving `root`, started on entering and stopped on leaving a `with` block.

    `trust` signs the notebooks first (`jupyter trust`, as `make notebooks` does), in this
    server's own signature store; otherwise JupyterLab opens them untrusted.
    """

    def __init__(self, root: Path, home: Path, *, trust: Sequence[Path] = ()) -> None:
        self.root = root
        self.home = home
        self.trust = list(trust)
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.log = home / "jupyterlab.log"
        self._process: subprocess.Popen[bytes] | None = None

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        for name, folder in (
            ("JUPYTER_CONFIG_DIR", "config"),
            ("JUPYTER_DATA_DIR", "data"),
            ("JUPYTER_RUNTIME_DIR", "runtime"),
            ("JUPYTERLAB_SETTINGS_DIR", "settings"),
            ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
            ("IPYTHONDIR", "ipython"),
        ):
            env[name] = str(self.home / folder)
        return env

    def url(self, notebook: str) -> str:
        """The address that opens `notebook` (a path below `root`) in a fresh workspace."""
        return f"http://127.0.0.1:{self.port}/lab/tree/{notebook}?reset&token={self.token}"

    def __enter__(self) -> JupyterLab:
        env = self._env()
        for name, values in SETTINGS.items():
            path = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
        if self.trust:
            jupyter = [sys.executable, "-m", "jupyter", "trust", *map(str, self.trust)]
            subprocess.run(jupyter, env=env, check=True, capture_output=True)
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
        ]
        if hasattr(os, "getuid") and os.getuid() == 0:
            command.append("--allow-root")
        with self.log.open("wb") as log:
            self._process = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=self.root
            )
        self._wait_until_up()
        return self

    def _wait_until_up(self) -> None:
        status = f"http://127.0.0.1:{self.port}/api/status?token={self.token}"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"JupyterLab stopped at start; its log: {self.log}")
            try:
                with urllib.request.urlopen(status, timeout=2):
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        raise RuntimeError(f"JupyterLab did not answer in {START_TIMEOUT:.0f} s; log: {self.log}")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()  # JupyterLab shuts its kernels down on SIGTERM
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
