"""The bench's exception tree, rooted at the lowest layer so that the pure codecs can raise it.

Adapters translate these at their boundary into the protocol's own error shape, so the split that
matters is *who is wrong*: a `ProtocolError` means the client (the DUI under test) sent something
the bench must refuse; any other exception escaping a simulator is a bench bug.

`BenchError` lives here, not in the runtime, because the codecs (layer 1) import nothing of the
project but each other, yet their refusals must be caught by every `except BenchError` of the
runtime and the services: one root class, defined once, re-exported by `simulators.core.errors`.

    BenchError
    ├── ConfigError              invalid configuration file or option (core.config)
    ├── UnknownServiceError      `--only` names no shipped simulator (registry)
    ├── PkiError / ProfileError  test PKI store and certificate profiles (core.pki)
    ├── SessionError             unknown/closed test session (core.sessions)
    ├── FaultRuleError           invalid fault-injection rule (core.faults)
    └── ProtocolError            bad client input; `message` is French, protocol-neutral
        ├── XmlRejected          hostile or ill-formed XML (codecs.xmlsafe.parse_xml)
        ├── MtomError            broken multipart/related or XOP packaging (codecs.mtom)
        ├── SoapError            carries a ready `SoapFault` (codecs.soap_fault); raised by SOAP adapters
        ├── CdaError             unreadable CDA R2 document (codecs.cda)
        ├── EbrimError           not an ebRIM SubmitObjectsRequest (codecs.ebrim)
        └── SamlError            SAML assertion refused: structure, signature, time (codecs.saml)
        (to come, one per service, same pattern: carry what the boundary needs to answer)
        ├── RegistryError        XDS RegistryError (errorCode, codeContext, location, severity)
        ├── FhirError            rendered as a FHIR OperationOutcome (ROR, Annuaire Santé)
        └── SmtpReplyError       rendered as an SMTP reply code + enhanced status (MSSanté)

`reason` is a short stable machine code ("doctype", "too_deep", "missing_part"...) so tests and
conformance checks can tell failures apart without matching French prose.
"""

from __future__ import annotations


class BenchError(Exception):
    """Root of every error the bench raises on purpose."""


class ProtocolError(BenchError):
    """The peer broke the protocol; the adapter answers with the protocol's error shape."""

    def __init__(self, message: str, *, reason: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


class XmlRejected(ProtocolError):
    """XML refused by the hardened parser (DOCTYPE, size, depth, syntax)."""


class MtomError(ProtocolError):
    """multipart/related or XOP packaging that cannot be trusted or resolved."""
