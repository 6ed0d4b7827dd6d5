"""The fast MIME split builds, attribute by attribute, the tree the stdlib's compat32 parser builds, and
hands every message it is not sure of to the stdlib (which then decides, defects included)."""

from __future__ import annotations

import email
import email.policy
import random
from email.message import EmailMessage, Message
from pathlib import Path
from typing import Any

import pytest

from simulators.mss.client import compose, wire_bytes
from simulators.mss.codec import mime
from simulators.mss.codec.mime_split import split_message

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mss"
SENDER, TO = "jean.dupont@aemo.mssante.fr", "crip@crip93.mssante.fr"


def tree(msg: Message) -> dict[str, Any]:
    """Everything a Message holds (headers, payload, preamble, epilogue, defects, default type...)."""
    state = {key: value for key, value in vars(msg).items() if key not in ("_payload", "defects")}
    payload = msg._payload  # noqa: SLF001 - compared as stored, not as decoded
    state["_payload"] = [tree(part) for part in payload] if isinstance(payload, list) else payload
    state["defects"] = [type(defect).__name__ for defect in msg.defects]
    return state


def stdlib(raw: bytes) -> Message:
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def _nested() -> bytes:
    outer = EmailMessage()
    outer["From"], outer["To"], outer["Subject"] = SENDER, TO, "Imbriqué"
    outer.set_content("texte brut é", charset="utf-8")
    outer.add_alternative("<p>texte</p>", subtype="html")
    outer.add_attachment(b"%PDF-1.4\n" + bytes(range(256)) * 20, maintype="application", subtype="pdf",
                         filename="cr.pdf")
    outer.preamble, outer.epilogue = "Ceci est un message MIME.\r\n", "fin\r\n"
    return wire_bytes(outer)


def bases() -> list[bytes]:
    found = [path.read_bytes() for path in sorted(FIXTURES.glob("*.eml"))]
    found.append(wire_bytes(compose(SENDER, "Jean", [TO], "Sujet", "Bonjour.", xdm=b"PK\x03\x04" + bytes(range(256)) * 40,
                                    cda_codes=["11488-4"], ins_qualified=True, dnt=True,
                                    attachments=[("a.txt", "text/plain", "déjà\r\n".encode() * 50)])))
    found.append(wire_bytes(compose(SENDER, "Jean", [TO], "Court", "Un seul texte.")))
    nested = _nested()
    found.append(nested)
    inner, outer = stdlib(nested).get_payload()[0].get_boundary(), stdlib(nested).get_boundary()
    found.append(nested.replace(f"--{inner}--\r\n\r\n--{outer}".encode(), f"--{inner}--\r\n--{outer}".encode()))
    return found


def mutations(raw: bytes, rng: random.Random) -> bytes:
    """Damage a message where the structure is decided: line ends, boundaries, blank lines, headers."""
    lines = raw.split(b"\r\n")
    boundary_lines = [i for i, line in enumerate(lines) if line.startswith(b"--")]
    blank = [i for i, line in enumerate(lines) if not line]
    kind = rng.randrange(14)
    if kind == 0 and lines:  # a bare CR or LF somewhere
        i = rng.randrange(len(lines))
        lines[i] += rng.choice([b"\r", b"\n", b"\rx", b"\nx"])
    elif kind == 1 and boundary_lines:  # a delimiter removed
        del lines[rng.choice(boundary_lines)]
    elif kind == 2 and boundary_lines:  # a delimiter repeated
        i = rng.choice(boundary_lines)
        lines.insert(i, lines[i])
    elif kind == 3 and boundary_lines:  # whitespace, or text, after a delimiter
        i = rng.choice(boundary_lines)
        lines[i] += rng.choice([b"  ", b"\t", b" x", b"--", b"-- \t"])
    elif kind == 4 and blank:  # a blank line removed (headers run into the body)
        del lines[rng.choice(blank)]
    elif kind == 5:  # preamble / epilogue text
        i = rng.choice(boundary_lines) if boundary_lines else len(lines) - 1
        lines.insert(i, rng.choice([b"", b"texte", b"--", b" x"]))
    elif kind == 6 and boundary_lines:  # a part without headers
        i = rng.choice(boundary_lines)
        lines.insert(i + 1, b"")
    elif kind == 7:  # a header line that is no header, or a continuation first
        i = rng.randrange(min(len(lines), 12) + 1)
        lines.insert(i, rng.choice([b"pas un en-tete", b" suite", b"From x", b":", b"X-A: b"]))
    elif kind == 8:  # multipart with a transfer encoding, or no boundary
        raw2 = b"\r\n".join(lines)
        raw2 = raw2.replace(b"multipart/mixed;", rng.choice([b"multipart/mixed; x=1;", b"multipart/mixed;\r\n "]), 1)
        raw2 = raw2.replace(b"MIME-Version: 1.0\r\n", rng.choice([b"MIME-Version: 1.0\r\nContent-Transfer-Encoding: "
                                                                  b"base64\r\n", b"MIME-Version: 1.0\r\n"]), 1)
        return raw2.replace(b'boundary="', rng.choice([b'boundary="', b'boundarx="', b'boundary=" ']), 1)
    elif kind == 9:  # message/* and digest parts
        if rng.random() < 0.5:
            return b"\r\n".join(lines).replace(b"multipart/mixed", b"multipart/digest", 1)
        return b"\r\n".join(lines).replace(b"text/plain", rng.choice([b"message/rfc822", b"message/delivery-status"]), 1)
    elif kind == 10:  # 8-bit bytes
        i = rng.randrange(len(lines))
        lines[i] += bytes([rng.randrange(128, 256)])
    elif kind == 11:  # the end cut off
        return raw[:rng.randrange(len(raw) + 1)]
    elif kind == 12 and boundary_lines:  # the close delimiter without its line end, or nothing after
        last = boundary_lines[-1]
        return b"\r\n".join(lines[:last + 1])
    elif kind == 13:  # an empty message, or only headers
        return rng.choice([b"", b"\r\n", b"Subject: x\r\n", b"Subject: x\r\n\r\n", b"\r\n\r\nbody"])
    return b"\r\n".join(lines)


def corpus() -> list[bytes]:
    rng = random.Random(18)
    out = bases()
    for base in bases():
        for _ in range(150):
            raw = base
            for _ in range(rng.randint(1, 3)):
                raw = mutations(raw, rng)
            out.append(raw)
    return out


def test_the_split_gives_the_stdlib_tree_or_steps_aside() -> None:
    taken = stepped_aside = 0
    for raw in corpus():
        expected = tree(stdlib(raw))
        fast = split_message(raw)
        if fast is None:
            stepped_aside += 1
        else:
            taken += 1
            assert tree(fast) == expected, raw[:300]
        assert tree(mime.parse_message(raw)) == expected  # the codec's entry point, either way
    assert taken > 100 and stepped_aside > 100  # both sides were exercised


@pytest.mark.parametrize("raw", bases()[2:])  # the DSN and MDN fixtures have message/* parts
def test_well_formed_messages_take_the_split(raw: bytes) -> None:
    assert split_message(raw) is not None


def test_what_the_stdlib_flags_as_a_defect_is_left_to_it() -> None:
    base = wire_bytes(compose(SENDER, "Jean", [TO], "Sujet", "Bonjour.", attachments=[("a.txt", "text/plain", b"x")]))
    boundary = stdlib(base).get_boundary().encode()
    no_close = base.replace(b"--" + boundary + b"--", b"")
    assert stdlib(no_close).defects and split_message(no_close) is None
    repeated = base.replace(b"--" + boundary + b"\r\n", b"--" + boundary + b"\r\n--" + boundary + b"\r\n", 1)
    assert split_message(repeated) is None
    assert split_message(base.replace(b"\r\n", b"\n")) is None


def _deep(depth: int) -> bytes:
    body = b"Content-Type: text/plain\r\n\r\nfeuille\r\n"
    for level in range(depth):
        b = f"b{level}".encode()
        body = (b"Content-Type: multipart/mixed; boundary=\"" + b + b"\"\r\n\r\n--" + b + b"\r\n" + body
                + b"--" + b + b"--\r\n")
    return b"Subject: profond\r\nMIME-Version: 1.0\r\n" + body


def test_deep_nesting_is_left_to_the_stdlib() -> None:
    shallow, deep = _deep(5), _deep(25)
    assert tree(split_message(shallow)) == tree(stdlib(shallow))
    assert split_message(deep) is None and tree(mime.parse_message(deep)) == tree(stdlib(deep))
