"""ROR national simulator: the FHIR R4 exposure API (ME 3.0) with OAuth2, access profiles and search."""
