"""`GET <endpoint>?wsdl` describes each DMP endpoint: a SOAP client (zeep) loads it and finds the operations,
actions and address; anything else on GET is still a 405 SOAP fault."""

from __future__ import annotations

import pytest
import requests
import zeep
from lxml import etree
from zeep.transports import Transport

from simulators.core.tls import requests_verify
from simulators.dmp.codec import wsdl
from simulators.dmp.journey import identity_for
from simulators.dmp.server import ROUTES

WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSAW = "http://www.w3.org/2006/05/addressing/wsdl"


def test_every_served_action_is_in_the_wsdl_of_its_endpoint() -> None:
    for action, route in ROUTES.items():
        root = etree.fromstring(wsdl.build_wsdl(route.endpoint, "https://dmp.test/x"))
        inputs = {el.get(f"{{{WSAW}}}Action") for el in root.iter(f"{{{WSDL}}}input")}
        outputs = {el.get(f"{{{WSAW}}}Action") for el in root.iter(f"{{{WSDL}}}output")}
        assert action in inputs and route.response_action in outputs, (route.endpoint, action)


def test_unknown_endpoint_has_no_wsdl() -> None:
    with pytest.raises(KeyError):
        wsdl.build_wsdl("nope", "https://x")


@pytest.mark.parametrize("endpoint", wsdl.endpoints())
def test_zeep_loads_each_endpoint_wsdl(dmp_bench, pki, world, endpoint: str) -> None:
    identity = identity_for(pki, world, "medecin-elise")
    url = f"{dmp_bench.url('dmp').rstrip('/')}/{endpoint}"
    session = requests.Session()
    session.trust_env = False
    session.verify, session.cert = requests_verify(pki), identity.tls_cert
    client = zeep.Client(url + "?wsdl", transport=Transport(session=session))
    service = next(iter(client.wsdl.services.values()))
    port = next(iter(service.ports.values()))
    assert port.binding_options["address"] == url
    names = set(port.binding._operations)
    assert names == {op.name for op in wsdl.OPERATIONS[endpoint]}
    plain = session.get(url, timeout=10)
    assert plain.status_code == 405 and plain.headers["Allow"] == "POST"
