"""Hostile bodies and queries on every PSC endpoint: always an OAuth error or page, never a 500 or a trace."""

from __future__ import annotations

import itertools
import random

from simulators.psc.client import PscClient
from simulators.psc.codec import OIDC

BODIES = [b"\xff\xfe\x00", b"grant_type=authorization_code&code=%ff%fe", b'{"grant_type":"password"}', b"a" * 100_000,
          b"grant_type=password&username=x&password=socle-bench&expires_in=99999999999999999999",
          b"grant_type=password&username=x&password=socle-bench&expires_in=-",
          b"grant_type=refresh_token&refresh_token=" + b"e" * 9000,
          b"grant_type=urn:openid:params:grant-type:ciba&client_id=socle-bench-dui&auth_req_id[]=1",
          b"scope=openid&login_hint=%00&client_id=socle-bench-dui", b"request_id=&identifier=x&code=y",
          b"token=" + b"." * 5000, b"id_token_hint=a.b.c&post_logout_redirect_uri=javascript:alert(1)"]
TYPES = ["application/x-www-form-urlencoded", "application/json", "text/plain", "multipart/form-data; boundary=x"]
AUTHS = ["Basic Zm9v", "Bearer x", "Basic ", "Basic " + "A" * 50, ""]
PATHS = [OIDC + "/token", OIDC + "/ext/ciba/auth", OIDC + "/token/introspect", OIDC + "/userinfo", OIDC + "/auth",
         "/auth", OIDC + "/logout"]
QUERIES = ["?id_token_hint=a.b.c", "?post_logout_redirect_uri=javascript:alert(1)",
           "?code_challenge=%ff&code_challenge_method=S256&client_id=socle-bench-dui&redirect_uri=http://x/"
           "&response_type=code&scope=openid",
           "?client_id=socle-bench-dui&redirect_uri=http://x/%0d%0aSet-Cookie:a&response_type=code&scope=openid"
           "&state=%0d%0a<script>"]


def test_no_input_reaches_an_exception(psc: PscClient) -> None:
    rng = random.Random(17)
    answered = 0
    for path, body, content_type in itertools.product(PATHS, BODIES, TYPES):
        answer = psc.http.post(psc.base_url + path, data=body, timeout=10, allow_redirects=False,
                               headers={"Content-Type": content_type, "Authorization": rng.choice(AUTHS)})
        assert answer.status_code < 500 and "Traceback" not in answer.text, (path, body[:40], answer.text[:200])
        answered += 1
    for path, query in itertools.product(PATHS, QUERIES):
        answer = psc.http.get(psc.base_url + path + query, timeout=10, allow_redirects=False)
        assert answer.status_code < 500 and "Traceback" not in answer.text and "<script>" not in answer.text
        assert "\r" not in answer.headers.get("Location", "") and "Set-Cookie" not in answer.headers
        answered += 1
    assert answered == len(PATHS) * (len(BODIES) * len(TYPES) + len(QUERIES))
