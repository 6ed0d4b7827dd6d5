"""Hostile-input tests for the one hardened XML parser.

Every hostile case asserts the specific error *and* its reason code, and runs under a short
pytest-timeout so an expansion or a quadratic scan would fail loudly instead of hanging CI.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from simulators.core.errors import ProtocolError, XmlRejected
from simulators.codecs.xmlsafe import parse_xml, to_bytes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "codecs"
hostile = pytest.mark.timeout(5)


def _rejected(data: bytes, reason: str, **kwargs: object) -> XmlRejected:
    with pytest.raises(XmlRejected) as info:
        parse_xml(data, **kwargs)  # type: ignore[arg-type]
    assert info.value.reason == reason, info.value.message
    assert isinstance(info.value, ProtocolError)
    return info.value


def test_parses_realistic_insi_request() -> None:
    root = parse_xml((FIXTURES / "insi_rechercher_traits_request.xml").read_bytes())
    assert root.tag == "{http://www.w3.org/2003/05/soap-envelope}Envelope"
    assert root.findtext(".//{http://www.cnamts.fr/INSiRecSans}NomNaissance") == "MARTINEAU"


@hostile
def test_xxe_file_entity_is_rejected_and_file_never_read() -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    err = _rejected(data, "doctype")
    assert "root:" not in err.message
    assert "DOCTYPE" in err.message


@hostile
def test_xxe_http_entity_is_rejected() -> None:
    _rejected(b'<!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:9/evil">]><r>&x;</r>', "doctype")


@hostile
def test_billion_laughs_is_rejected() -> None:
    ents = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    data = ('<?xml version="1.0"?><!DOCTYPE lolz [' + "".join(ents) + "]><lolz>&lol9;</lolz>").encode()
    _rejected(data, "doctype")


@hostile
def test_external_dtd_is_rejected() -> None:
    _rejected(b'<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>', "doctype")


@hostile
def test_parameter_entities_are_rejected() -> None:
    data = b'<!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><r/>'
    _rejected(data, "doctype")


@hostile
def test_doctype_behind_bom_comment_and_pi_is_rejected() -> None:
    data = b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- c --><?pi x?>\n<!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>'
    _rejected(data, "doctype")


@hostile
def test_doctype_in_utf16_document_is_rejected_after_parse() -> None:
    data = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>'
    _rejected(data.encode("utf-16"), "doctype")


@hostile
def test_doctype_refused_before_parsing_even_if_rest_is_broken() -> None:
    # The prolog scan answers first: a DTD attempt is reported as such, not as a syntax error.
    _rejected(b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "file:///etc/passwd"><r><unclosed>', "doctype")


def test_doctype_text_inside_cdata_is_not_a_false_positive() -> None:
    root = parse_xml(b"<r><![CDATA[<!DOCTYPE html><html/>]]></r>")
    assert root.text == "<!DOCTYPE html><html/>"


@hostile
def test_oversized_document_is_rejected_before_parsing() -> None:
    _rejected(b"<r>" + b"x" * 2000 + b"</r>", "too_large", max_bytes=1000)


@hostile
def test_100k_nested_elements_rejected_without_recursion_error() -> None:
    data = b"<a>" * 100_000 + b"</a>" * 100_000
    _rejected(data, "too_deep")


@hostile
def test_configured_depth_limit_counts_root_as_one() -> None:
    assert parse_xml(b"<a><b><c/></b></a>", max_depth=3).tag == "a"
    _rejected(b"<a><b><c><d/></c></b></a>", "too_deep", max_depth=3)


@hostile
def test_deep_tree_with_huge_tree_still_bounded() -> None:
    data = b"<a>" * 5000 + b"</a>" * 5000
    _rejected(data, "too_deep", huge_tree=True, max_depth=1000)


@hostile
@pytest.mark.parametrize(
    "data",
    [b"<soap:Envelope xmlns:soap='urn:x'><soap:Body>", b"<r><a></r>", b"<r", b"just text"],
    ids=["truncated", "mismatched", "cut-tag", "not-xml"],
)
def test_ill_formed_xml_is_rejected_with_lxml_message(data: bytes) -> None:
    err = _rejected(data, "malformed")
    assert "mal formé" in err.message and "line" in err.message


@hostile
def test_non_utf8_garbage_is_rejected() -> None:
    _rejected(b"<r>\xff\xfe\xfa\xc3\x28</r>", "malformed")


@hostile
@pytest.mark.parametrize("data", [b"", b"  \r\n\t"])
def test_empty_input_is_rejected(data: bytes) -> None:
    _rejected(data, "empty")


def test_str_input_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        parse_xml("<r/>")  # type: ignore[arg-type]


def test_stylesheet_pi_is_kept_but_harmless() -> None:
    root = parse_xml(b'<?xml-stylesheet href="http://127.0.0.1:9/x.xsl" type="text/xsl"?><r/>')
    assert root.tag == "r"
    assert isinstance(root.getprevious(), etree._ProcessingInstruction)


def test_comments_kept_by_default_and_removable() -> None:
    assert len(parse_xml(b"<r><!-- c --><a/></r>")) == 2
    assert len(parse_xml(b"<r><!-- c --><a/></r>", remove_comments=True)) == 1


def test_latin1_declared_document_is_decoded() -> None:
    root = parse_xml('<?xml version="1.0" encoding="ISO-8859-1"?><r>Élise</r>'.encode("latin-1"))
    assert root.text == "Élise"


def test_to_bytes_round_trip_and_declaration() -> None:
    root = parse_xml(b'<r xmlns="urn:x"><a b="1">\xc3\xa9</a></r>')
    out = to_bytes(root)
    assert out == '<r xmlns="urn:x"><a b="1">é</a></r>'.encode()
    assert to_bytes(root, xml_declaration=True).startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert to_bytes(parse_xml(out)) == out


@pytest.mark.timeout(10)
def test_30kb_envelope_parses_quickly_many_times() -> None:
    items = b"".join(
        b"<ins:Item><ins:Code>%d</ins:Code><ins:Label>libell\xc3\xa9 %d</ins:Label></ins:Item>" % (i, i)
        for i in range(500)
    )
    data = (
        b'<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:ins="urn:x">'
        b"<soap:Body><ins:List>" + items + b"</ins:List></soap:Body></soap:Envelope>"
    )
    assert len(data) > 30_000
    for _ in range(200):
        root = parse_xml(data, max_depth=64)
    assert len(root[0][0]) == 500
