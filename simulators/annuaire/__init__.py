"""Annuaire Santé FHIR API v2 simulator (mss.md §5): Practitioner, PractitionerRole, Organization,
HealthcareService and Device of the public directory, behind the gateway's `ESANTE-API-KEY`.

Built on the shared FHIR layer (`simulators.fhir`); the MSSanté operator feeds it with the session's
mailboxes so the directory and the operator always agree. Mounted by the MSS simulator factory on
the `annuaire` port under `/fhir/v2` (kept there for compatibility).
"""
