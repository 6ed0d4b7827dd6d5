"""DMP simulator: the SI-DMP "LPS v2" SOAP interface (patients, habilitations, registry, repository).

Rooms: codec/ (sans-IO ebRIM/XDS.b, HL7v3, habilitations), vihf.py + vihf_attributes.py (token),
xades.py (lot signature), cda.py (documents and header rules), model.py, store.py (registry +
repository per session), rules.py (access rules and habilitation matrix), feed.py / queries.py /
update.py / patients.py (transactions), server.py (protocol adapter), simulator.py (factory
`DmpSimulator`), admin.py (/_bench/dmp), seed.py, metadata.py, client.py + journey.py (reference DUI),
valuesets/ (value sets, matrix, error codes as data files).
"""
