"""Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`).

No WebSocket library and no network: Chromium reads NUL-terminated JSON commands on fd 3 and
writes answers and events on fd 4. Enough to load a page at a given viewport width, read the
laid-out page (element boxes, visible text) and take a full-page screenshot.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def executable() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    """One headless Chromium; `page()` loads a URL in a fresh tab of the given width."""

    def __init__(self, profile: Path, timeout: float = 60.0) -> None:
        path = executable()
        if path is None:
            raise RuntimeError("Debian `chromium` is needed: apt-get install -y chromium")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # The child must see them as fds 3 (commands in) and 4 (answers out).
        self._proc = subprocess.Popen(
            [path, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "HOME": str(profile)},
            pass_fds=(3, 4),
            preexec_fn=lambda: (os.dup2(to_browser_r, 3), os.dup2(from_browser_w, 4)),
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self._timeout = timeout
        self.events: list[dict[str, Any]] = []

    def close(self) -> None:
        with contextlib.suppress(OSError, RuntimeError):
            self.send("Browser.close")
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read_message(self) -> dict[str, Any]:
        import select

        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_browser], [], [], self._timeout)
            if not ready:
                raise RuntimeError(f"Chromium sent nothing for {self._timeout}s")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self._next_id += 1
        command: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            command["sessionId"] = session
        os.write(self._to_browser, json.dumps(command).encode() + b"\0")
        while True:
            message = self._read_message()
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method: str, session: str) -> dict[str, Any]:
        for i, event in enumerate(self.events):
            if event.get("method") == method and event.get("sessionId") == session:
                return self.events.pop(i)
        while True:
            message = self._read_message()
            if message.get("method") == method and message.get("sessionId") == session:
                return message
            self.events.append(message)

    def page(self, url: str, width: int, height: int = 1000) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
        self.send("Emulation.setDeviceMetricsOverride", metrics, session)
        self.send("Page.enable", session=session)
        self.send("Network.enable", session=session)
        self.send("Page.navigate", {"url": url}, session)
        self.wait_for("Page.loadEventFired", session)
        return Page(self, session, width)


class Page:
    def __init__(self, browser: Browser, session: str, width: int) -> None:
        self._browser = browser
        self._session = session
        self.width = width

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression run by the test (the page itself has no scripts)."""
        result = self._browser.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, self._session
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:80]}...: {result['exceptionDetails']}")
        return result["result"].get("value")

    def boxes(self, selector: str) -> list[dict[str, float]]:
        """Laid-out boxes (x, y, width, height in CSS pixels) of the elements matching `selector`."""
        return self.evaluate(
            f"Array.from(document.querySelectorAll({json.dumps(selector)})).map(e => {{"
            "const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height}; })"
        )

    def texts(self, selector: str) -> list[str]:
        """What a reader sees of each element matching `selector` (rendered text; SVG: its text)."""
        return self.evaluate(
            f"Array.from(document.querySelectorAll({json.dumps(selector)}))"
            ".map(e => (e.innerText ?? e.textContent).trim())"
        )

    def requests(self) -> list[str]:
        """URLs the page asked the network for, the page itself included."""
        return [
            e["params"]["request"]["url"]
            for e in self._browser.events
            if e.get("method") == "Network.requestWillBeSent" and e.get("sessionId") == self._session
        ]

    def screenshot(self) -> bytes:
        """A PNG of the whole page at this width."""
        size = self._browser.send("Page.getLayoutMetrics", session=self._session)["cssContentSize"]
        metrics = {"width": self.width, "height": int(size["height"]) + 1, "deviceScaleFactor": 1, "mobile": False}
        self._browser.send("Emulation.setDeviceMetricsOverride", metrics, self._session)
        shot = self._browser.send("Page.captureScreenshot", {"format": "png"}, self._session)
        return base64.b64decode(shot["data"])
