"""Open an HTML page in headless Chromium at a given window width and read what the browser laid
out: the DOM after the page's script ran, the console, and measurements taken in the page."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Appended to the page under test: the browser measures the laid-out page and writes the figures
# onto the top <html>, where --dump-dom shows them. The page's policy allows inline scripts.
MEASURE = """<script>
(function () {
  var root = document.documentElement, wide = [];
  var top = window.frameElement ? window.parent.document.documentElement : root;
  Array.prototype.forEach.call(document.body.querySelectorAll("*"), function (el) {
    var box = el.getBoundingClientRect();
    if (box.right > root.clientWidth + 0.5 && wide.length < 8) {
      wide.push(el.tagName.toLowerCase() + "." + (el.getAttribute("class") || ""));
    }
  });
  top.setAttribute("data-scroll-width", String(root.scrollWidth));
  top.setAttribute("data-client-width", String(root.clientWidth));
  top.setAttribute("data-too-wide", wide.join(" "));
  ["data-ready", "data-charts-drawn"].forEach(function (name) {
    top.setAttribute(name, root.getAttribute(name) || "");
  });
})();
</script>"""


@dataclass(frozen=True)
class Rendered:
    dom: str
    console: list[str]

    def number(self, attribute: str) -> int:
        found = re.search(rf'{attribute}="(\d+)"', self.dom)
        assert found, f"{attribute} missing from the rendered page"
        return int(found.group(1))

    def text(self, attribute: str) -> str:
        found = re.search(rf'{attribute}="([^"]*)"', self.dom)
        assert found, f"{attribute} missing from the rendered page"
        return found.group(1)


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


# Headless Chromium keeps its window at least this wide; narrower views go into an iframe.
MIN_WINDOW = 500


def framed(page: str, width: int, height: int) -> str:
    """``page`` in an iframe ``width`` CSS pixels wide (its own viewport, so its media queries
    and scroll width are those of a ``width`` px window)."""
    return (
        '<!DOCTYPE html><html><body style="margin:0">'
        f'<iframe width="{width}" height="{height}" style="border:0;display:block" '
        f'srcdoc="{html.escape(page, quote=True)}"></iframe></body></html>'
    )


def render(page: str, folder: Path, *, width: int, height: int = 1000) -> Rendered:
    """Load ``page`` from a file in ``folder`` in a viewport of ``width`` x ``height`` pixels."""
    binary = chromium()
    assert binary is not None
    path = folder / f"page-{width}.html"
    measured = page.replace("</body>", MEASURE + "\n</body>")
    if width < MIN_WINDOW:
        measured = framed(measured, width, height)
    path.write_text(measured, encoding="utf-8")
    done = subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={folder / f'profile-{width}'}",
            "--enable-logging=stderr",
            "--v=0",
            f"--window-size={max(width, MIN_WINDOW)},{height}",
            "--dump-dom",
            path.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    return Rendered(done.stdout, console)
