"""SMTP reply lines as an MSSanté operator writes them: ASCII text and an enhanced status code (RFC 3463).

Sans-IO. Once ENHANCEDSTATUSCODES is advertised, RFC 2034 §3 wants the code on every reply except the
greeting, the EHLO reply and the intermediate 334/354 replies. aiosmtpd writes many replies itself
(`250 OK`, `221 Bye`, `500 Error: ...`, `503 Error: need MAIL command`, `552 Error: Too much mail
data`), without codes; `enhance` completes them from the reply code, the way Postfix does. Reply
text is ASCII (RFC 5321 §4.2: the text is printable US-ASCII): French accents are folded.
"""

from __future__ import annotations

import re
import unicodedata

_HAS_ENHANCED = re.compile(r"^\d{3}[ -][245]\.\d{1,3}\.\d{1,3}(?: |$)")
_REPLY = re.compile(r"^(\d{3})([ -])(.*)$", re.DOTALL)
NO_ENHANCED = {"334", "354"}  # challenges and the DATA go-ahead carry no status code
DEFAULT_ENHANCED = {
    "211": "2.0.0", "214": "2.0.0", "220": "2.0.0", "221": "2.0.0", "235": "2.7.0", "250": "2.0.0",
    "251": "2.1.5", "252": "2.5.0",
    "421": "4.3.2", "450": "4.2.1", "451": "4.3.0", "452": "4.3.1", "454": "4.7.0", "455": "4.5.4",
    "500": "5.5.2", "501": "5.5.4", "502": "5.5.1", "503": "5.5.1", "504": "5.5.4", "521": "5.5.2",
    "530": "5.7.0", "534": "5.7.9", "535": "5.7.8", "538": "5.7.11", "550": "5.7.1", "551": "5.1.6",
    "552": "5.3.4", "553": "5.1.3", "554": "5.5.0", "555": "5.5.4",
}
_SPECIFIC = (  # aiosmtpd's own texts whose meaning is more precise than the reply code
    (re.compile(r"timeout", re.I), "4.4.2"),
    (re.compile(r"too many recipients", re.I), "5.5.3"),
    (re.compile(r"message size exceeds|too much mail data", re.I), "5.3.4"),
)


def ascii_text(text: str) -> str:
    """Fold accents, drop anything else outside printable ASCII (and any CR/LF)."""
    if text.isascii() and text.isprintable():  # already printable ASCII (the usual reply): nothing to fold
        return text
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded if " " <= ch <= "~")


def enhance(line: str) -> str:
    """`552 Error: Too much mail data` -> `552 5.3.4 Error: Too much mail data`; ASCII in all cases."""
    line = ascii_text(line)
    match = _REPLY.match(line)
    if match is None or match.group(1) in NO_ENHANCED or _HAS_ENHANCED.match(line):
        return line
    code, sep, text = match.groups()
    enhanced = next((e for pattern, e in _SPECIFIC if pattern.search(text) and e[0] == code[0]), None) \
        or DEFAULT_ENHANCED.get(code) or f"{code[0]}.0.0"
    return f"{code}{sep}{enhanced} {text}".rstrip()
