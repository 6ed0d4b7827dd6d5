"""The WSDL the simulator serves at `/lps?wsdl`, built from the files of `wsdl/`.

A standard SOAP client (zeep, CXF, .NET) must work unchanged against the bench, so the served WSDL
is self-contained (the XSDs are inlined: nothing else to fetch) and points at the port that answers.
Its structure is the official WSDL 1.5.0's (message and part names, NO1_Security declared on both
profiles as in the official file): stubs generated from `?wsdl` are the production stubs. On the
mutual-TLS profile a client simply leaves `wsse:Security` out (insi.md §1).
"""

from __future__ import annotations

import functools
from importlib import resources

from lxml import etree

from simulators.codecs.xmlsafe import parse_xml

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
SOAP12_WSDL_NS = "http://schemas.xmlsoap.org/wsdl/soap12/"
XS_NS = "http://www.w3.org/2001/XMLSchema"
PROFILES = ("mtls", "cpx")
SCHEMA_FILES = ("INSi_RECSANS.xsd", "INSi_RECVITALE.xsd", "INSi_RESULTAT.xsd", "CTXLPS.xsd", "CTXBAM.xsd",
                "SIRAM.xsd", "WSA.xsd", "WSSE.xsd")


def _read(name: str) -> bytes:
    return resources.files("simulators.ins").joinpath("wsdl", name).read_bytes()


def schema(name: str) -> bytes:
    """One of the XSD files, for vendors who want them separately (`/lps?xsd=<name>`)."""
    if name not in SCHEMA_FILES:
        raise KeyError(name)
    return _read(name)


@functools.lru_cache(maxsize=32)
def served_wsdl(profile: str, address: str) -> bytes:
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}")
    root = parse_xml(_read("insi.wsdl"), remove_comments=False)
    types = root.find(f"{{{WSDL_NS}}}types")
    for wrapper in list(types):
        types.remove(wrapper)
    types.text = "@SCHEMAS@"
    address_el = root.find(f".//{{{SOAP12_WSDL_NS}}}address")
    address_el.set("location", address)
    # Schemas are spliced in as text: moving them into the tree would drop the prefix declarations
    # they use only inside attribute values (type="tns:CodSexe"), which lxml considers unused.
    schemas = b"".join(etree.tostring(parse_xml(_read(name)), encoding="UTF-8")
                       for name in SCHEMA_FILES)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").replace(b"@SCHEMAS@", schemas, 1)
