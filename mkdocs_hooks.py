"""Build hook for the docs site: ```python notest and ```bash notest fences (shown, not run by
the doc tests) are plain code blocks to Markdown."""

from __future__ import annotations

import re
from typing import Any

_NOTEST = re.compile(r"^(?P<fence> *(?:`{3,}|~{3,})(?:python|bash)) +notest *$", re.MULTILINE)


def on_page_markdown(markdown: str, **_: Any) -> str:
    return _NOTEST.sub(r"\g<fence>", markdown)
