"""`flask_app`: URL builders compiled on first `url_for`, with werkzeug's own results."""

from __future__ import annotations

import pytest
from flask import Flask, url_for
from werkzeug.routing import Rule

from simulators.core.flaskapp import flask_app


def _routes(app: Flask) -> Flask:
    app.add_url_rule("/s/<session>/lps", "lps", lambda session: session)
    app.add_url_rule("/doc/<int:n>/<path:rest>", "doc", lambda n, rest: rest)
    app.add_url_rule("/plain", "plain", lambda: "")
    return app


@pytest.mark.parametrize(("endpoint", "values"), [
    ("lps", {"session": "démo 1"}), ("doc", {"n": 7, "rest": "a/b c"}), ("plain", {}),
    ("lps", {"session": "x", "extra": "1", "autre": "é"}),  # unknown values: the query string
])
def test_urls_are_werkzeugs_own(endpoint: str, values: dict) -> None:
    ours, plain = _routes(flask_app("ours")), _routes(Flask("plain"))
    with ours.test_request_context():
        built = url_for(endpoint, **values), url_for(endpoint, _external=True, **values)
    with plain.test_request_context():
        expected = url_for(endpoint, **values), url_for(endpoint, _external=True, **values)
    assert built == expected


def test_builders_compile_on_first_use_only(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[bool] = []
    real = Rule._compile_builder

    def counting(self, append_unknown=True):
        compiled.append(append_unknown)
        return real(self, append_unknown)

    monkeypatch.setattr(Rule, "_compile_builder", counting)
    app = _routes(flask_app("ours"))
    assert compiled == []  # three routes registered (and the static one), nothing compiled
    with app.test_request_context():
        assert url_for("lps", session="a") == "/s/a/lps" and url_for("lps", session="b") == "/s/b/lps"
    assert len(compiled) == 1  # one builder, compiled once, reused
    assert app.test_client().get("/s/z/lps").text == "z"  # matching is untouched
