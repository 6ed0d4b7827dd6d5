"""DMP simulator: the SI-DMP "LPS v2" SOAP interface (patients, habilitations, registry, repository)."""
