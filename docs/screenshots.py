"""Regenerate the screenshots of the HTML report shown in docs/reading-the-report.md.

    .venv/bin/python docs/screenshots.py            # writes docs/images/report-*.png

It runs the demo (the README's first command, same seed and size), opens its report.html in
headless Chromium (Debian: ``apt-get install chromium``) and saves the page at 1400 px and at
400 px wide. Headless Chromium will not make its window narrower than 500 px, so the 400 px view
is the page in an iframe 400 px wide, drawn at 1.25x so the picture is 500 px wide.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ticketsla._demo import run_demo

HERE = Path(__file__).resolve().parent
MIN_WINDOW = 500
# Writes the page's laid-out height onto the top <html>, where --dump-dom shows it.
HEIGHT = (
    "<script>(window.frameElement ? parent.document : document).documentElement.setAttribute("
    "'data-height', String(document.documentElement.scrollHeight));</script>"
)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    sys.exit("no chromium on PATH (Debian: apt-get install -y chromium)")


def browse(page: Path, work: Path, width: int, height: int, *extra: str) -> str:
    done = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-background-networking",
            f"--user-data-dir={work / 'profile'}",
            f"--window-size={width},{height}",
            *extra,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    return done.stdout


def framed(page: str, width: int, height: int) -> str:
    """The page in an iframe ``width`` px wide, scaled up to fill a window MIN_WINDOW wide."""
    scale = MIN_WINDOW / width
    return (
        '<!DOCTYPE html><html><body style="margin:0;overflow:hidden">'
        f'<iframe width="{width}" height="{height}" srcdoc="{html.escape(page, quote=True)}" '
        f'style="border:0;display:block;transform:scale({scale});transform-origin:0 0">'
        "</iframe></body></html>"
    )


def screenshot(report: Path, out: Path, width: int, work: Path, max_height: int) -> None:
    """Save the whole page (up to ``max_height`` CSS px) as laid out ``width`` px wide."""
    page = report.read_text(encoding="utf-8")
    measured = page.replace("</body>", HEIGHT + "</body>")
    probe = work / f"probe-{width}.html"
    probe.write_text(
        framed(measured, width, 1000) if width < MIN_WINDOW else measured, encoding="utf-8"
    )
    dom = browse(probe, work, max(width, MIN_WINDOW), 1000, "--dump-dom")
    found = re.search(r'data-height="(\d+)"', dom)
    height = min(int(found.group(1)) if found else 2000, max_height)
    shot = work / f"shot-{width}.html"
    if width < MIN_WINDOW:
        shot.write_text(framed(page, width, height), encoding="utf-8")
        window = (MIN_WINDOW, round(height * MIN_WINDOW / width))
    else:
        shot.write_text(page, encoding="utf-8")
        window = (width, height)
    browse(shot, work, *window, f"--screenshot={out}")
    print(f"{out} ({window[0]}x{window[1]})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "images")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--tickets", type=int, default=3000)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        result = run_demo(work / "demo", seed=args.seed, tickets=args.tickets)
        screenshot(result.html, args.out / "report-1400.png", 1400, work, max_height=6000)
        screenshot(result.html, args.out / "report-400.png", 400, work, max_height=2000)


if __name__ == "__main__":
    main()
