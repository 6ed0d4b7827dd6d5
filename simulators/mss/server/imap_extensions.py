"""IMAP extensions real MSSanté operators (Dovecot, Zimbra...) offer and pymap 0.36 lacks: NAMESPACE
(RFC 2342), ENABLE (RFC 5161), UNSELECT (RFC 3691), SPECIAL-USE (RFC 6154), SASL-IR (RFC 4959: the
initial response on the AUTHENTICATE line, which imapflow sends unconditionally).

Commands are parsed here (pymap `Command` subclasses registered on the config's `Commands`); they
are answered by `MssConnectionState.do_namespace/do_enable/do_unselect` (imap.py). ENABLE answers
`* ENABLED` with the extensions it actually turns on: none of the ones a client may ask for
(CONDSTORE, QRESYNC, UTF8=ACCEPT, IMAP4rev2) is implemented, so the list is empty, as RFC 5161 §3.1
wants for unknown or unsupported names.
"""

from __future__ import annotations

import re

from pymap.parsing import Params
from pymap.parsing.command import CommandAuth, CommandNoArgs, CommandSelect
from pymap.parsing.command.nonauth import AuthenticateCommand
from pymap.parsing.primitives import Atom
from pymap.parsing.exceptions import NotParseable

SPECIAL_USE = {"Drafts": b"\\Drafts", "Sent": b"\\Sent", "Trash": b"\\Trash", "Junk": b"\\Junk"}
CAPABILITIES = [b"NAMESPACE", b"ENABLE", b"UNSELECT", b"SPECIAL-USE"]
_INITIAL_RESPONSE = re.compile(rb"^ ([A-Za-z0-9+/]+={0,2}|=)\r?\n")
_ATOMS = re.compile(rb"^((?: [!#-'*+,\-./0-9:;<=>?@A-Z^-z|~]+)+)\r?\n")


class NamespaceCommand(CommandNoArgs, CommandAuth):
    command = b"NAMESPACE"


class UnselectCommand(CommandNoArgs, CommandSelect):
    command = b"UNSELECT"


class EnableCommand(CommandAuth):
    command = b"ENABLE"

    def __init__(self, tag: bytes, capabilities: list[bytes]) -> None:
        super().__init__(tag)
        self.capabilities = capabilities

    @classmethod
    def parse(cls, buf: memoryview, params: Params) -> tuple[EnableCommand, memoryview]:
        match = _ATOMS.match(bytes(buf))
        if match is None:
            raise NotParseable(buf)
        return cls(params.tag, [c.upper() for c in match.group(1).split()]), buf[match.end():]


class SaslIrAuthenticateCommand(AuthenticateCommand):
    """`AUTHENTICATE <mech> [<initial response>]`; the connection feeds `initial` to the mechanism."""

    def __init__(self, tag: bytes, mech_name: bytes, initial: bytes | None = None) -> None:
        super().__init__(tag, mech_name)
        self.initial = initial

    @classmethod
    def parse(cls, buf: memoryview, params: Params) -> tuple[SaslIrAuthenticateCommand, memoryview]:
        if bytes(buf[:1]) != b" ":
            raise NotParseable(buf)
        atom, after = Atom.parse(buf[1:], params)
        match = _INITIAL_RESPONSE.match(bytes(after[:16384]))
        if match is None:
            command, rest = AuthenticateCommand.parse(buf, params)
            return cls(params.tag, command.mech_name), rest
        return cls(params.tag, atom.value.upper(), match.group(1)), after[match.end():]


EXTRA_COMMANDS = (NamespaceCommand, UnselectCommand, EnableCommand, SaslIrAuthenticateCommand)


def special_use_attributes(name: str) -> list[bytes]:
    """`[b"\\\\Sent"]` for the Sent folder, else nothing (pymap adds the leading backslash itself)."""
    attribute = SPECIAL_USE.get(name)
    return [attribute[1:]] if attribute else []
