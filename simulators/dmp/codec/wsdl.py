"""The WSDL of each DMP endpoint (``GET .../<endpoint>?wsdl``), written from the routes the simulator serves.

The structure follows the IHE ITI WSDLs for XDS.b (DocumentRepository_* / DocumentRegistry_* port types and
operations, wsaw:Action in and out, SOAP 1.2 document/literal, MTOM on the repository) and names the HL7v3
interactions of the patient endpoint after their interaction ids. The payload elements are declared by
name in their real namespaces, typed ``xs:anyType``: a generated client gets the right operations,
actions and element names; the full ebRIM/HL7v3 schemas (several hundred kB, published by IHE and HL7)
are not inlined.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

HL7 = "urn:hl7-org:v3"
XDSB = "urn:ihe:iti:xds-b:2007"
QUERY = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"
RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
HAB = "urn:si-dmp-habilitations"


@dataclass(frozen=True)
class Operation:
    name: str
    action: str
    response_action: str
    request: tuple[str, str]  # (namespace, element)
    response: tuple[str, str]


PORT_TYPES = {"repository": "DocumentRepository_PortType", "registry": "DocumentRegistry_PortType",
              "patients": "DMP_Patients_PortType", "habilitations": "HabilitationsEndPoint_PortType"}

OPERATIONS: dict[str, tuple[Operation, ...]] = {
    "repository": (
        Operation("DocumentRepository_ProvideAndRegisterDocumentSet-b", "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b",
                  "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse",
                  (XDSB, "ProvideAndRegisterDocumentSetRequest"), (RS, "RegistryResponse")),
        Operation("DocumentRepository_RetrieveDocumentSet", "urn:ihe:iti:2007:RetrieveDocumentSet",
                  "urn:ihe:iti:2007:RetrieveDocumentSetResponse",
                  (XDSB, "RetrieveDocumentSetRequest"), (XDSB, "RetrieveDocumentSetResponse")),
    ),
    "registry": (
        Operation("DocumentRegistry_RegistryStoredQuery", "urn:ihe:iti:2007:RegistryStoredQuery",
                  "urn:ihe:iti:2007:RegistryStoredQueryResponse", (QUERY, "AdhocQueryRequest"),
                  (QUERY, "AdhocQueryResponse")),
        Operation("DocumentRegistry_UpdateDocumentSet", "urn:ihe:iti:2010:UpdateDocumentSet",
                  "urn:ihe:iti:2010:UpdateDocumentSetResponse", (LCM, "SubmitObjectsRequest"), (RS, "RegistryResponse")),
    ),
    "patients": tuple(
        Operation(f"DMP_{request}", f"urn:hl7-org:v3:{request}", f"urn:hl7-org:v3:{response}", (HL7, request),
                  (HL7, response))
        for request, response in (("PRPA_IN201307UV02", "PRPA_IN201308UV02"), ("PRPA_IN201305UV02", "PRPA_IN201306UV02"),
                                  ("PRPA_IN201311UV02", "PRPA_IN201312UV02"), ("PRPA_IN201314UV02", "PRPA_IN201315UV02"))),
    "habilitations": tuple(
        Operation(name, f"urn:si-dmp-habilitations:HabilitationsEndPoint:{name}",
                  f"urn:si-dmp-habilitations:HabilitationsEndPoint:{name}Response", (HAB, name), (HAB, f"{name}Response"))
        for name in ("setAuthorization", "listAuthorizationByPatient")),
}


def endpoints() -> tuple[str, ...]:
    return tuple(OPERATIONS)


def build_wsdl(endpoint: str, address: str) -> bytes:
    """WSDL 1.1 of one endpoint; KeyError for an endpoint the DMP does not have."""
    operations = OPERATIONS[endpoint]
    port_type = PORT_TYPES[endpoint]
    service = port_type.replace("_PortType", "_Service")
    binding = port_type.replace("_PortType", "_Binding_Soap12")
    namespaces = sorted({ns for op in operations for ns, _ in (op.request, op.response)})
    prefixes = {ns: f"p{i}" for i, ns in enumerate(namespaces)}
    schemas = []
    for ns in namespaces:
        names = sorted({local for op in operations for n, local in (op.request, op.response) if n == ns})
        elements = "".join(f'<xs:element name="{name}" type="xs:anyType"/>' for name in names)
        schemas.append(f'<xs:schema targetNamespace={quoteattr(ns)} elementFormDefault="qualified">{elements}</xs:schema>')
    messages, port_ops, binding_ops = [], [], []
    for op in operations:
        for suffix, (ns, local) in (("_Message", op.request), ("Response_Message", op.response)):
            messages.append(f'<wsdl:message name="{op.name}{suffix}"><wsdl:part name="body" '
                            f'element="{prefixes[ns]}:{local}"/></wsdl:message>')
        port_ops.append(f'<wsdl:operation name="{op.name}">'
                        f'<wsdl:input message="tns:{op.name}_Message" wsaw:Action={quoteattr(op.action)}/>'
                        f'<wsdl:output message="tns:{op.name}Response_Message" wsaw:Action={quoteattr(op.response_action)}/>'
                        "</wsdl:operation>")
        binding_ops.append(f'<wsdl:operation name="{op.name}"><soap12:operation soapAction={quoteattr(op.action)}/>'
                           '<wsdl:input><soap12:body use="literal"/></wsdl:input>'
                           '<wsdl:output><soap12:body use="literal"/></wsdl:output></wsdl:operation>')
    mtom = ('<wsp:Policy wsu:Id="MtomPolicy"><wsoma:OptimizedMimeSerialization/></wsp:Policy>'
            if endpoint == "repository" else "")
    policy_ref = '<wsp:PolicyReference URI="#MtomPolicy"/>' if mtom else ""
    declarations = "".join(f" xmlns:{p}={quoteattr(ns)}" for ns, p in prefixes.items())
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" '
        'xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl" xmlns:wsp="http://www.w3.org/ns/ws-policy" '
        'xmlns:wsoma="http://www.w3.org/2007/08/soap12-mtom-policy" '
        'xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" '
        f'xmlns:tns="urn:si-dmp:{endpoint}"{declarations} name="{service}" targetNamespace="urn:si-dmp:{endpoint}">'
        f"{mtom}<wsdl:types>{''.join(schemas)}</wsdl:types>{''.join(messages)}"
        f'<wsdl:portType name="{port_type}">{"".join(port_ops)}</wsdl:portType>'
        f'<wsdl:binding name="{binding}" type="tns:{port_type}">{policy_ref}'
        '<soap12:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>'
        f'{"".join(binding_ops)}</wsdl:binding>'
        f'<wsdl:service name="{service}"><wsdl:port name="{port_type.replace("_PortType", "_Port_Soap12")}" '
        f'binding="tns:{binding}"><soap12:address location={quoteattr(address)}/></wsdl:port></wsdl:service>'
        "</wsdl:definitions>"
    )
    return text.encode("utf-8")
