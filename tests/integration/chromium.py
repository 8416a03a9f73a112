"""Debian's headless Chromium driven over the DevTools protocol through a pipe (`--remote-debugging-pipe`).

No driver package and no browser download: the protocol's JSON messages go over file descriptors 3 (to the
browser) and 4 (from it), each ended by a NUL byte. A page records what a reader would see go wrong: console
errors, uncaught exceptions and Content-Security-Policy violations (Chromium logs those as `security` errors).

    with Chromium() as browser:
        page = browser.page(width=390, height=844, mobile=True, headers={"Authorization": f"Bearer {KEY}"})
        page.open(url)
        assert page.problems() == []
        page.screenshot(path)
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BINARY_NAMES = ("chromium", "chromium-browser")


def chromium_binary() -> str:
    """Debian's `chromium` (installed by `make install`: Makefile .system-deps)."""
    for name in BINARY_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("no chromium on PATH: `make install` installs Debian's (apt-get install chromium)")


class Chromium:
    """One headless browser process; `page()` opens tabs in it."""

    def __init__(self, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self._next_id = 0
        self._lock = threading.Lock()
        self._pending: dict[int, dict[str, Any]] = {}
        self._events: dict[str, list[dict[str, Any]]] = {}
        self._arrived = threading.Condition()
        self.process: subprocess.Popen[bytes] | None = None
        self.profile = tempfile.mkdtemp(prefix="chromium-profile-")

    def __enter__(self) -> Chromium:
        to_browser_read, to_browser_write = os.pipe()
        from_browser_read, from_browser_write = os.pipe()

        def wire() -> None:  # in the child: its fd 3 reads our messages, its fd 4 writes its answers
            # Copies above 9 first: a pipe end may itself be fd 3 or 4.
            reading, writing = (fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser_read, from_browser_write))
            os.dup2(reading, 3)
            os.dup2(writing, 4)

        self.process = subprocess.Popen(
            [
                chromium_binary(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-pipe",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--hide-scrollbars",
                "--font-render-hinting=none",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            pass_fds=(3, 4),  # kept open past exec (subprocess closes the others after preexec_fn)
            preexec_fn=wire,  # only dup2 between fork and exec
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._out = os.fdopen(to_browser_write, "wb", buffering=0)
        self._in = os.fdopen(from_browser_read, "rb", buffering=0)
        self._reader = threading.Thread(target=self._read, name="chromium-pipe", daemon=True)
        self._reader.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self.process is not None:
            with contextlib.suppress(RuntimeError, TimeoutError, OSError):
                self.send("Browser.close", timeout=5)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for stream in (getattr(self, "_out", None), getattr(self, "_in", None)):
            if stream is not None:
                stream.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    # ---- the protocol --------------------------------------------------------------------------------------

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = self._in.read(1 << 16)
            except (OSError, ValueError):
                chunk = b""
            if not chunk:
                with self._arrived:
                    self._pending[-1] = {"closed": True}
                    self._arrived.notify_all()
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                with self._arrived:
                    if "id" in message:
                        self._pending[message["id"]] = message
                    else:
                        self._events.setdefault(message.get("sessionId", ""), []).append(message)
                    self._arrived.notify_all()

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        with self._lock:
            self._next_id += 1
            message_id = self._next_id
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._out.write(json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._arrived:
            while message_id not in self._pending:
                if -1 in self._pending:
                    raise RuntimeError(f"chromium closed its pipe before answering {method}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"chromium did not answer {method} in time")
                self._arrived.wait(left)
            answer = self._pending.pop(message_id)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return dict(answer.get("result", {}))

    def events(self, session: str) -> list[dict[str, Any]]:
        with self._arrived:
            return list(self._events.get(session, []))

    def wait_for(self, session: str, method: str, after: int, timeout: float | None = None) -> dict[str, Any]:
        """The first `method` event of the session past the first `after` events."""
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._arrived:
            while True:
                for event in self._events.get(session, [])[after:]:
                    if event.get("method") == method:
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no {method} within the timeout")
                self._arrived.wait(left)

    def page(self, width: int, height: int, mobile: bool = False, headers: dict[str, str] | None = None) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
            session=session,
        )
        if headers:
            self.send("Network.setExtraHTTPHeaders", {"headers": headers}, session=session)
        return Page(self, session)


@dataclass
class Page:
    browser: Chromium
    session: str
    responses: list[dict[str, Any]] = field(default_factory=list)

    def open(self, url: str) -> None:
        """Navigate and wait for the load event."""
        seen = len(self.browser.events(self.session))
        self.browser.send("Page.navigate", {"url": url}, session=self.session)
        self.browser.wait_for(self.session, "Page.loadEventFired", seen)

    def evaluate(self, expression: str) -> Any:
        """A JavaScript expression's value, evaluated by DevTools (the page's CSP does not apply to DevTools)."""
        answer = self.browser.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=self.session
        )
        if "exceptionDetails" in answer:
            raise RuntimeError(f"{expression}: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def status(self) -> int | None:
        """The HTTP status of the last document loaded."""
        documents = [
            event["params"]["response"]["status"]
            for event in self.browser.events(self.session)
            if event.get("method") == "Network.responseReceived" and event["params"].get("type") == "Document"
        ]
        return int(documents[-1]) if documents else None

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions and CSP violations so far."""
        found = []
        for event in self.browser.events(self.session):
            method, params = event.get("method"), event.get("params", {})
            if method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(f"{params['entry']['source']}: {params['entry']['text']}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
                found.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails'].get('text')}")
        return found

    def csp_violations(self) -> list[str]:
        return [problem for problem in self.problems() if "Content Security Policy" in problem]

    def emulate_media(self, media: str) -> None:
        self.browser.send("Emulation.setEmulatedMedia", {"media": media}, session=self.session)

    def screenshot(self, path: Path, full_page: bool = True) -> Path:
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": full_page}
        if full_page:
            size = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}
        data = self.browser.send("Page.captureScreenshot", params, session=self.session)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def pdf(self, path: Path) -> Path:
        """What "Print to PDF" makes of the page (A4, backgrounds as the print stylesheet says)."""
        data = self.browser.send(
            "Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": True}, session=self.session
        )["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path
