"""Body decoding for the detail panel: SOAP/XML, JSON, MIME with attachments, XDM zips, VIHF."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage

from simulators.dashboard.decode import decode_body, xml_documents
from simulators.dashboard.vihf import decode_assertions

SOAP_WITH_VIHF = """<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"
 xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
 xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:hl7="urn:hl7-org:v3"><soap:Header><wsse:Security>
<saml:Assertion ID="a1" Version="2.0" IssueInstant="2026-11-22T03:00:00Z"><saml:Issuer>DUI-TEST</saml:Issuer>
<saml:Subject><saml:NameID>CN=Dr Petit</saml:NameID></saml:Subject>
<saml:Conditions NotBefore="2026-11-22T03:00:00Z" NotOnOrAfter="2026-11-22T04:00:00Z"/>
<saml:AttributeStatement>
<saml:Attribute Name="urn:oasis:names:tc:xacml:2.0:subject:role"><saml:AttributeValue>
<hl7:Role code="10" codeSystem="1.2.250.1.71.1.2.7" displayName="Médecin"/></saml:AttributeValue></saml:Attribute>
<saml:Attribute Name="Secteur_Activite"><saml:AttributeValue>SA07^1.2.250.1.71.4.2.4</saml:AttributeValue></saml:Attribute>
<saml:Attribute Name="Custom"><saml:AttributeValue>x</saml:AttributeValue></saml:Attribute>
</saml:AttributeStatement></saml:Assertion></wsse:Security></soap:Header><soap:Body><a/></soap:Body></soap:Envelope>""".encode()


def xdm_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("IHE_XDM/SUBSET01/METADATA.XML", "<x/>")
        archive.writestr("IHE_XDM/SUBSET01/DOC0001.XML", "<ClinicalDocument/>")
        archive.writestr("INDEX.HTM", "<html/>")
    return buffer.getvalue()


def test_soap_is_pretty_printed_and_vihf_attributes_are_decoded() -> None:
    view = decode_body(SOAP_WITH_VIHF, {"Content-Type": "application/soap+xml; charset=utf-8"})
    assert view.kind == "xml" and "\n  <soap:Header>" in view.text
    (assertion,) = decode_assertions(xml_documents(view, SOAP_WITH_VIHF))
    assert assertion.issuer == "DUI-TEST" and assertion.subject == "CN=Dr Petit" and not assertion.signed
    attrs = {a["name"]: a for a in assertion.attributes}
    role = attrs["urn:oasis:names:tc:xacml:2.0:subject:role"]
    assert role["label"] == "Rôle (profession, spécialité)"
    assert role["values"] == ["10 — Médecin (1.2.250.1.71.1.2.7)"]
    assert attrs["Secteur_Activite"]["values"] == ["SA07^1.2.250.1.71.4.2.4"]
    assert attrs["Custom"]["label"] == "Custom"


def test_malformed_or_hostile_xml_is_shown_as_text_with_a_french_note() -> None:
    view = decode_body(b"<a><b></a>", {"Content-Type": "text/xml"})
    assert view.kind == "xml" and view.note.startswith("XML illisible") and view.text == "<a><b></a>"
    doctype = b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'
    assert "DOCTYPE" in decode_body(doctype, {"Content-Type": "application/xml"}).note
    assert decode_assertions([doctype]) == []


def test_fhir_json_is_indented() -> None:
    view = decode_body(b'{"resourceType":"Bundle","total":1}', {"content-type": "application/fhir+json"})
    assert view.kind == "json" and '\n  "total": 1' in view.text
    assert decode_body(b"{oops", {"Content-Type": "application/json"}).note.startswith("JSON illisible")


def test_mtom_multipart_lists_parts_and_opens_the_xdm_attachment() -> None:
    boundary = "uuid:b1"
    body = (f"--{boundary}\r\nContent-Type: application/xop+xml; type=\"application/soap+xml\"\r\n"
            f"Content-ID: <root>\r\n\r\n<e><x/></e>\r\n--{boundary}\r\nContent-Type: application/zip\r\n"
            f"Content-ID: <doc1>\r\nContent-Transfer-Encoding: binary\r\n"
            f"Content-Disposition: attachment; filename=\"xdm.zip\"\r\n\r\n").encode() + xdm_zip() + \
        f"\r\n--{boundary}--\r\n".encode()
    ctype = f'multipart/related; type="application/xop+xml"; boundary="{boundary}"'
    view = decode_body(body, {"Content-Type": ctype})
    assert view.kind == "multipart" and len(view.parts) == 2
    root, attachment = view.parts
    assert root.kind == "xml" and root.headers["Content-ID"] == "<root>"
    assert attachment.kind == "zip" and attachment.title == "pièce jointe : xdm.zip"
    assert next(e["name"] for e in attachment.entries) == "IHE_XDM/SUBSET01/METADATA.XML"
    assert attachment.note.startswith("archive XDM")


def test_smtp_message_shows_headers_and_attachments() -> None:
    message = EmailMessage()
    message["From"] = "ide@ac.mssante.fr"
    message["To"] = "juge@justice.fr"
    message["Subject"] = "Rapport de situation"
    message.set_content("Bonjour,\nci-joint le rapport.")
    message.add_attachment(b"%PDF-1.4 fake", maintype="application", subtype="pdf", filename="rapport.pdf")
    view = decode_body(message.as_bytes(), {}, protocol="smtp")
    assert view.kind == "message" and view.headers["To"] == "juge@justice.fr"
    kinds = [(p.kind, p.title) for p in view.parts]
    assert kinds[0][0] == "text" and kinds[1] == ("binary", "pièce jointe : rapport.pdf")


def test_empty_and_binary_bodies() -> None:
    assert decode_body(b"", {}).kind == "empty"
    view = decode_body(bytes(range(256)) * 4, {"Content-Type": "application/octet-stream"})
    assert view.kind == "binary" and "binaire" in view.note


def test_smtp_replies_and_commands_are_text_not_messages() -> None:
    reply = decode_body(b"554 5.7.1 Destinataire hors de l'espace de confiance MSSante", {}, protocol="smtp")
    assert reply.kind == "text" and reply.text.startswith("554 5.7.1")
    auth = decode_body(b"AUTH PLAIN depuis ('127.0.0.1', 4242)", {}, protocol="smtp")
    assert auth.kind == "text"
    message = decode_body(b"Received: from x\r\nSubject: t\r\n\r\nbonjour", {}, protocol="smtp")
    assert message.kind == "message" and message.headers["Subject"] == "t"
