"""Journaled secrets are masked by default: bearer tokens lose their signature, passwords and client secrets
are replaced; `journal.keep_secrets` keeps them for debugging."""

from __future__ import annotations

import json
from pathlib import Path

import requests

from simulators.core.bench import Bench
from simulators.core.config import JournalConfig
from simulators.core.exchange import Exchange
from simulators.core.journal import ExchangeQuery
from simulators.core.redact import MASK, redact_exchange
from tests.conftest import make_config
from tests.support.echo import EchoSimulator

JWT = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJlLXNlY3JldGU"


def test_tokens_passwords_and_secrets_are_masked() -> None:
    ex = Exchange(session="s", service="psc", operation="token", started_at=0.0,
                  request_headers={"Authorization": f"Bearer {JWT}", "Content-Type": "application/x-www-form-urlencoded"},
                  request_body=b"grant_type=password&username=a%40b.fr&password=hunter2&client_secret=cs-42",
                  response_headers={"Content-Type": "application/json"},
                  response_body=json.dumps({"access_token": JWT, "refresh_token": "opaque-r", "expires_in": 60}).encode())
    redact_exchange(ex)
    assert ex.request_headers["Authorization"] == f"Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.{MASK}"
    text = ex.request_body.decode() + ex.response_body.decode()
    for secret in ("hunter2", "cs-42", "c2lnbmF0dXJlLXNlY3JldGU", "opaque-r"):
        assert secret not in text, secret
    assert "username=a%40b.fr" in ex.request_body.decode()  # the rest stays as evidence
    assert json.loads(ex.response_body)["expires_in"] == 60


def test_documents_are_left_alone() -> None:
    body = b"<xml>password=not-a-form</xml>"
    ex = Exchange(session="s", service="dmp", operation="x", started_at=0.0,
                  request_headers={"Content-Type": "application/soap+xml"}, request_body=body)
    assert redact_exchange(ex).request_body == body


def _journaled(tmp_path: Path, keep: bool) -> Exchange:
    config = make_config(tmp_path, journal=JournalConfig(keep_secrets=keep))
    with Bench(config, [EchoSimulator()]) as bench:
        r = requests.post(bench.url("echo") + "/s/red/echo", data={"password": "hunter2"},
                          headers={"Authorization": "Bearer opaque-token-123"}, timeout=5)
        assert r.status_code == 200
        [ex] = bench.runtime.journal.query(ExchangeQuery(session="red"))  # type: ignore[union-attr]
        return ex


def test_the_journal_masks_by_default(tmp_path: Path) -> None:
    ex = _journaled(tmp_path, keep=False)
    assert ex.request_headers["Authorization"] == f"Bearer {MASK}"
    assert b"hunter2" not in ex.request_body


def test_keep_secrets_keeps_them(tmp_path: Path) -> None:
    ex = _journaled(tmp_path, keep=True)
    assert ex.request_headers["Authorization"] == "Bearer opaque-token-123"
    assert b"hunter2" in ex.request_body


def test_masked_copies_only_when_there_is_a_secret():
    from simulators.core.redact import masked

    clean = Exchange(session="s", service="x", operation="op", started_at=0.0,
                     request_headers={"Content-Type": "application/json"}, request_body=b'{"a": 1}')
    assert masked(clean) is clean
    secret = Exchange(session="s", service="x", operation="op", started_at=0.0,
                      request_headers={"Authorization": "Bearer abc"}, request_body=b'{"password": "pw"}')
    secret.request_headers["Content-Type"] = "application/json"
    stored = masked(secret)
    assert stored is not secret and stored.request_headers["Authorization"] == f"Bearer {MASK}"
    assert b"pw" not in stored.request_body
    assert secret.request_headers["Authorization"] == "Bearer abc" and b"pw" in secret.request_body


def test_fhir_bodies_are_stored_as_sent_and_json_is_rewritten_only_to_mask_a_secret() -> None:
    from simulators.core.redact import masked

    observation = b'{"resourceType": "Observation",  "code": {"text": "poids"}, "status": "final"}'
    fhir = Exchange(session="s", service="ror", operation="x", started_at=0.0,
                    request_headers={"Content-Type": "application/fhir+json"}, request_body=observation,
                    response_headers={"Content-Type": "application/json"}, response_body=b'{"code": {"a": 1},  "x": 2}')
    assert masked(fhir) is fhir  # nothing to mask: neither body re-encoded (spacing kept)
    token = Exchange(session="s", service="psc", operation="token", started_at=0.0,
                     response_headers={"Content-Type": "application/json"},
                     response_body=b'{"access_token": "a.b.c", "code": "xyz", "token_type": "Bearer"}')
    stored = masked(token)
    assert b"a.b.c" not in stored.response_body and b"xyz" not in stored.response_body
