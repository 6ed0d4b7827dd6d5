"""The bench's exception tree, written down in one place.

Adapters translate these at their boundary into the protocol's own error shape, so the split that
matters is *who is wrong*: a `ProtocolError` means the client (the DUI under test) sent something
the bench must refuse; any other exception escaping a simulator is a bench bug.

    BenchError
    ├── ConfigError              invalid configuration file or option (core.config)
    ├── UnknownServiceError      `--only` names no shipped simulator (registry)
    ├── PkiError / ProfileError  test PKI store and certificate profiles (core.pki)
    ├── SessionError             unknown/closed test session (core.sessions)
    ├── FaultRuleError           invalid fault-injection rule (core.faults)
    └── ProtocolError            bad client input; `message` is French, protocol-neutral
        ├── XmlRejected          hostile or ill-formed XML (xmlsafe.parse_xml)
        ├── MtomError            broken multipart/related or XOP packaging (mtom)
        └── SoapError            carries a ready `SoapFault` (soap); raised by SOAP adapters
        (to come, one per service, same pattern: carry what the boundary needs to answer)
        ├── RegistryError        XDS RegistryError (errorCode, codeContext, location, severity)
        ├── FhirError            rendered as a FHIR OperationOutcome (ROR, Annuaire Santé)
        └── SmtpReplyError       rendered as an SMTP reply code + enhanced status (MSSanté)

`reason` is a short stable machine code ("doctype", "too_deep", "missing_part"...) so tests and
conformance checks can tell failures apart without matching French prose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulators.core.soap import SoapFault


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


class SoapError(ProtocolError):
    """A SOAP fault to send back, built where the problem is understood.

    The constructors below keep call sites one line long (`raise SoapError.sender("...")`);
    the fault module is imported lazily because soap.py itself raises this error.
    """

    def __init__(self, fault: SoapFault, *, reason: str = "soap_fault") -> None:
        super().__init__(fault.reason, reason=reason)
        self.fault = fault

    @classmethod
    def _make(cls, code: str, text: str, reason: str, **fault_fields: Any) -> SoapError:
        from simulators.core.soap import SoapFault

        return cls(SoapFault(code=code, reason=text, **fault_fields), reason=reason)

    @classmethod
    def sender(cls, text: str, *, reason: str = "sender", **fault_fields: Any) -> SoapError:
        return cls._make("Sender", text, reason, **fault_fields)

    @classmethod
    def receiver(cls, text: str, *, reason: str = "receiver", **fault_fields: Any) -> SoapError:
        return cls._make("Receiver", text, reason, **fault_fields)

    @classmethod
    def version_mismatch(cls, text: str, **fault_fields: Any) -> SoapError:
        return cls._make("VersionMismatch", text, "version_mismatch", **fault_fields)

    @classmethod
    def must_understand(cls, text: str, **fault_fields: Any) -> SoapError:
        return cls._make("MustUnderstand", text, "must_understand", **fault_fields)

    @classmethod
    def from_protocol_error(cls, exc: ProtocolError) -> SoapError:
        """Client-input errors from lower layers (XML, MTOM) become Sender faults, reason kept."""
        if isinstance(exc, SoapError):
            return exc
        err = cls.sender(exc.message, reason=exc.reason)
        err.__cause__ = exc
        return err
