"""Synthetic French identity data shared by every simulator.

Identifiers with their check rules (nir, ins, traits, identifiers, communes, mssante), the seeded
world of the journeys (``world.build_world``: personas, professionals, establishments, MSSanté
domains, the CNAM INSi test persons) and a load-test generator (generator). Nothing here does I/O
beyond reading the packaged commune table.
"""
