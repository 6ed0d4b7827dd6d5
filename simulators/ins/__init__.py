"""INSi téléservice simulator: national identity (INS) lookup over SOAP 1.2 (see server.py)."""
