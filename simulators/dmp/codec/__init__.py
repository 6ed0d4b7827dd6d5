"""Sans-IO codecs of the DMP interface: ebRIM/XDS.b metadata and messages, HL7v3 patient messages,
habilitation messages. No Flask, no storage: bytes or elements in, dataclasses out, and back."""
