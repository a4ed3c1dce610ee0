"""No secret of a URL or a header reaches a message: ``ticketsla.redaction`` and its users.

A marker secret is placed in every position a secret can take (the userinfo password, with or
without characters that confuse a parser; a secret-looking query parameter; a bare query word;
the fragment; anywhere in a text that is not a URL at all) and every path that shows a database
URL is run on it: ``redact_url``, ``scrub_secrets``, ``SLAEngine(url)``, ``SLAEngine.url``,
and the CLI commands that take ``--db``. The marker must appear in none of what they say.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ticketsla import SLAEngine
from ticketsla.cli import main
from ticketsla.errors import ConfigurationError, StoreError, TicketSLAError
from ticketsla.redaction import REDACTED, redact_headers, redact_url, scrub_secrets

MARKER = "Zq7SECRETmark"

PROFILE = settings.get_profile("ticketsla-redaction")  # tests/conftest.py

# Characters that make URL parsers disagree about where a part ends.
_TRICKY = st.text(alphabet="ab1@:/?#&=;%+ []", max_size=4)
_NAMES = st.sampled_from(
    ["password", "sslpassword", "PASSWORD", "pwd", "api_token", "secret", "sslkey", "x-auth"]
)
_PLAIN_PARAMS = st.sampled_from(["", "sslmode=require", "connect_timeout=1", "application_name=x"])
# Where a connection attempt fails at once, without the network: nothing listens on port 1.
_HOSTS = st.sampled_from(["127.0.0.1:1", "localhost:1", "127.0.0.1:notaport", "[::1]:1"])
_SCHEMES = st.sampled_from(["postgresql", "postgresql+psycopg", "mysql", "postgresql+nodriver"])


@st.composite
def secret_urls(draw: st.DrawFn) -> str:
    """A URL or URL-like text holding ``MARKER`` in one of the places a secret can be."""
    secret = draw(_TRICKY) + MARKER + draw(_TRICKY)
    scheme, host = draw(_SCHEMES), draw(_HOSTS)
    plain = draw(_PLAIN_PARAMS)
    sep = "&" if plain else ""
    place = draw(st.integers(0, 6))
    if place == 0:  # the userinfo password
        return f"{scheme}://user:{secret}@{host}/db" + (f"?{plain}" if plain else "")
    if place == 1:  # a secret-looking query parameter, raw or percent-encoded
        value = draw(st.sampled_from([MARKER, f"{MARKER}%21", f"a%20{MARKER}"]))
        return f"{scheme}://user@{host}/db?{plain}{sep}{draw(_NAMES)}={value}"
    if place == 2:  # a bare word in the query
        return f"{scheme}://user@{host}/db?{plain}{sep}{MARKER}"
    if place == 3:  # the fragment
        return f"{scheme}://user@{host}/db#{secret}"
    if place == 4:  # a password in a URL a parser cannot read
        broken = draw(st.sampled_from(["postgresql//u:{}@h/db", "postgresql:/u:{}@h", "{}"]))
        return broken.format(secret)
    if place == 5:  # SQLite never takes a query: still no echo
        return f"sqlite:///sla.db?{draw(_NAMES)}={MARKER}"
    # A '/' before the userinfo's ':' leaves no telling where the user ends: all of it is hidden.
    return f"{scheme}://u/{secret}:{secret}@{host}/db"


def _cli(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue() + err.getvalue()


@PROFILE
@given(url=secret_urls())
def test_redact_url_and_scrub_never_show_the_marker(url: str) -> None:
    """The URL as shown, and any text quoting the URL once scrubbed, lack the marker."""
    assert MARKER not in redact_url(url)
    quoted = f"driver says: cannot connect to {url}; check it"
    assert MARKER not in scrub_secrets(quoted, url)


@PROFILE
@given(url=secret_urls())
def test_engine_errors_never_show_the_marker(url: str) -> None:
    """Opening an engine on the URL fails with a typed error that names no secret."""
    with pytest.raises(TicketSLAError) as caught:
        SLAEngine(url)
    assert MARKER not in str(caught.value)
    assert MARKER not in repr(caught.value.subject)


@PROFILE
@given(url=secret_urls(), command=st.sampled_from([["db", "current"], ["status", "T-1"]]))
def test_cli_never_prints_the_marker(url: str, command: list[str]) -> None:
    """A CLI command given the URL says one line, exits 2 and names no secret."""
    status, said = _cli([*command, "--db", url])
    assert status == 2
    assert MARKER not in said
    assert said.count("\n") == 1
    assert "Traceback" not in said


def test_a_real_server_refusing_the_password_does_not_echo_it() -> None:
    """The real driver's message for a wrong password, through the engine and the CLI."""
    base = os.environ.get("TICKETSLA_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("needs TICKETSLA_TEST_POSTGRES_URL (source .ci/postgres.sh to start one)")
    import sqlalchemy as sa

    wrong = sa.engine.make_url(base).set(password=MARKER)
    url = wrong.update_query_dict({"sslpassword": MARKER}).render_as_string(hide_password=False)
    with pytest.raises(StoreError) as caught:
        SLAEngine(url)
    assert MARKER not in str(caught.value)
    assert "password authentication failed" in str(caught.value)
    status, said = _cli(["db", "upgrade", "--db", url])
    assert (status, MARKER in said) == (2, False)


def test_engine_url_hides_query_passwords(tmp_path: Path) -> None:
    """``SLAEngine.url`` is the redacted URL."""
    with SLAEngine(f"sqlite:///{tmp_path / 'sla.db'}") as engine:
        assert engine.url == f"sqlite:///{tmp_path / 'sla.db'}"
    assert redact_url("postgresql://u@h/db?password=x") == "postgresql://u@h/db?password=***"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql://sla:pw@db.internal:5432/sla?sslpassword=k&sslmode=require",
            "postgresql://sla:***@db.internal:5432/sla?sslpassword=***&sslmode=require",
        ),
        ("postgresql://sla@db/sla?password=pw", "postgresql://sla@db/sla?password=***"),
        ("postgresql://sla:p@ss/w@db/sla", "postgresql://sla:***@db/sla"),
        ("postgresql://sla:p@ss/w?rd@db/sla", "<unreadable postgresql URL>"),
        ("postgresql://sla@db/sla?password=a@b", "<unreadable postgresql URL>"),
        (
            "postgresql://sla@db/sla?api_token=t;mode=x",
            "postgresql://sla@db/sla?api_token=***;mode=x",
        ),
        ("postgresql://sla@db/sla#frag", "postgresql://sla@db/sla"),
        ("postgresql://a/b:pw@db/sla", "postgresql://***@db/sla"),
        ("sqlite:///var/lib/sla.db", "sqlite:///var/lib/sla.db"),
        ("postgresql//sla:pw@db", "<unreadable URL>"),
        ("postgresql:sla:pw@db", "<unreadable postgresql URL>"),
        ("hunter2:stuff", "<unreadable URL>"),
        ("postgresql://u:pw@db/\nsla", "<unreadable postgresql URL>"),
    ],
)
def test_redact_url_examples(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_redact_url_takes_anything() -> None:
    """Not text: shown as unreadable, never as its repr."""
    assert redact_url(None) == "<unreadable URL>"
    assert redact_url(b"postgresql://u:pw@h/db") == "<unreadable URL>"


def test_scrub_leaves_short_secrets_and_other_text_alone() -> None:
    """Free text is only touched where a secret of four characters or more occurs."""
    url = "postgresql://u:ab@h/db?password=longsecret"
    assert scrub_secrets("ab longsecret cd", url) == f"ab {REDACTED} cd"
    assert scrub_secrets("nothing to hide", None, 5) == "nothing to hide"


def test_redact_headers_hides_secret_looking_values() -> None:
    shown = redact_headers(
        {
            "Authorization": "Bearer abc",
            "X-Zendesk-Webhook-Signature": "sig",
            "X-Hub-Signature-256": "sha256=...",
            "Cookie": "s=1",
            "X-Api-Key": "k",
            "Content-Type": "application/json\r\nX: y",
        }
    )
    assert shown == {
        "Authorization": REDACTED,
        "X-Zendesk-Webhook-Signature": REDACTED,
        "X-Hub-Signature-256": REDACTED,
        "Cookie": REDACTED,
        "X-Api-Key": REDACTED,
        "Content-Type": "application/json??X: y",
    }
    assert redact_headers([("Token", "t")]) == {"Token": REDACTED}
    assert redact_headers(None) == {}


def test_unsupported_urls_name_the_supported_ones() -> None:
    for url in ("mysql://u:pw@h/db", "postgresql+nodriver://u:pw@h/db", "postgres://u@h/db"):
        with pytest.raises(ConfigurationError, match=r"sqlite:///.*postgresql://") as caught:
            SLAEngine(url)
        assert ":pw@" not in str(caught.value)
