"""Runtime shared by every simulator: config, journal, sessions, admin API, faults, lifecycle, codecs."""
