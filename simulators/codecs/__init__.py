"""Formats shared by several services, sans-IO (issue 16: each format exists once).

Layer 1: these modules import nothing of the project but each other (a test guards it), and every
refusal they raise is a `simulators.codecs.errors.BenchError` (re-exported by `simulators.core.errors`).

    errors      the exception tree's root classes
    xmlsafe     the one hardened XML parser
    soap        SOAP 1.2 + WS-Addressing (soap_base, soap_addressing, soap_fault, soap_envelope)
    mtom        multipart/related + XOP
    ebrim       ebRIM 3.0 / XDS.b metadata (records in ebrim_model)
    cda         CDA R2 documents: header facts, builders
    saml        SAML 2.0 assertions with XML-DSig (signxml)
    jose        JSON Web Tokens (PyJWT)
"""
