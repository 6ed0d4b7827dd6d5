"""The FHIR R4 layer shared by the ROR and Annuaire Santé simulators.

Sans-IO pieces (query syntax, `_filter`, dates, typed comparisons, parameter tables, Bundle /
OperationOutcome / `_elements` / `_summary`, JSON<->XML, format negotiation). It is a package of its
own rather than a module of a `codecs` package because it also holds the small pure-Python
evaluation helpers both servers run over their in-memory data; nothing here does I/O or knows
Flask, a store or a service.
"""
