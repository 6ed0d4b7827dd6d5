"""Formats of MSSanté messages, without I/O: MIME analysis (`mime`), IHE_XDM archives (`xdm`),
delivery status notifications (`dsn`, RFC 3464) and disposition notifications (`mdn`, RFC 8098).
The CDA codec and the XDM metadata are still `simulators.mss.cda` and `simulators.mss.xdm_metadata`."""
