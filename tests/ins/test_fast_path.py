"""`POST /lps` skips Flask (`LookupFastPath`); the answer is the one the Flask view gives, byte for byte."""

from __future__ import annotations

import requests

from simulators.core.bench import Bench
from simulators.ins.server import LookupFastPath
from tests.ins.conftest import session_url
from tests.ins.helpers import CONTENT_TYPE, post, request_bytes

SOAP11 = (b'<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
          b"<s:Body><x/></s:Body></s:Envelope>")


def test_the_fast_path_answers_as_the_flask_view(http_bench: Bench, monkeypatch) -> None:
    url = session_url(http_bench, "fast-path")
    flask_app = next(s for s in http_bench.servers if s.name == "ins").app.app
    fast = flask_app.wsgi_app
    assert isinstance(fast, LookupFastPath)
    calls: list[str] = []
    real_flask = fast.wsgi_app

    def flask_only(environ, start_response):
        calls.append(environ["PATH_INFO"])
        return real_flask(environ, start_response)

    fast.wsgi_app = flask_only
    good = request_bytes()
    cases = [(good, CONTENT_TYPE), (good, CONTENT_TYPE + ';action="urn:autre"'), (good, "text/xml"),
             (SOAP11, CONTENT_TYPE), (b"<pas-du-soap", CONTENT_TYPE)]
    fast_answers = [post(url, body, ct) for body, ct in cases]
    assert calls == []  # every POST /lps took the fast path
    monkeypatch.setattr(flask_app, "wsgi_app", flask_only)  # now through Flask's view
    flask_answers = [post(url, body, ct) for body, ct in cases]
    assert len(calls) == len(cases)
    for a, b in zip(fast_answers, flask_answers, strict=True):
        assert (a.status_code, a.headers["Content-Type"], a.content) == \
            (b.status_code, b.headers["Content-Type"], b.content)
    assert {a.status_code for a in fast_answers} == {200, 500}
    wsdl = requests.get(url + "?wsdl", timeout=10)  # other routes reach Flask
    assert wsdl.status_code == 200 and b"definitions" in wsdl.content and calls[-1] == "/lps"
