"""XSD and WSDL files of the INSi simulator (package data)."""
