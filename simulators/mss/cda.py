"""Just enough of a CDA R2 header to judge an MSSanté message: ids, document code, patient INS and traits.

The codec is `simulators.codecs.cda`; this module keeps the names the MSSanté code has always used.
MSSanté reads a `ClinicalDocument` root in any namespace (an XDM from the field may lack it), and its
reference client writes the codec's minimal, template-written header.
"""

from __future__ import annotations

from simulators.codecs import cda
from simulators.codecs.cda import NS, CdaError, CdaHeader  # noqa: F401 - re-exported
from simulators.codecs.cda import MinimalCdaSpec as CdaSpec  # noqa: F401 - re-exported
from simulators.codecs.cda import build_minimal_cda as build_cda  # noqa: F401 - re-exported


def parse_cda(data: bytes) -> CdaHeader:
    """Header facts of an MSSanté CDA: any namespace for the ClinicalDocument root; CdaError otherwise."""
    return cda.parse_cda(data, any_namespace=True)
