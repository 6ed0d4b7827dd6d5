"""The `_filter` subset the ROR documents (ror.md §1.8, §6): comparisons `path op value`, `and`,
`or`, `not`, parentheses, chained paths (`location.address-postalcode`, `organization._lastUpdated`
with `:above`), and the DOC shorthand `path eq "a" or "b"` (a bare value after `or` reuses the
previous path and operator).

A node is a tuple: ("and", [nodes]) | ("or", [nodes]) | ("not", node) | ("cmp", Clause).
"""

from __future__ import annotations

import re
from typing import Any

from simulators.fhir.errors import SearchError
from simulators.fhir.syntax import Clause, parse_name

OPS = {"eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap", "co", "sw", "ew", "pr"}
UNSUPPORTED = {"po", "ss", "sb", "in", "ni", "re"}
MAX_DEPTH = 24
MAX_TOKENS = 400
_TOKEN_RE = re.compile(r'\s*(?:(\()|(\))|"((?:[^"\\]|\\.)*)"|([^\s()"]+))')


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None or match.end() == pos:
            raise SearchError(f"_filter : syntaxe invalide près de {text[pos:pos + 30]!r}")
        pos = match.end()
        if match.group(1):
            tokens.append(("(", "("))
        elif match.group(2):
            tokens.append((")", ")"))
        elif match.group(3) is not None:
            tokens.append(("str", re.sub(r"\\(.)", r"\1", match.group(3))))
        else:
            tokens.append(("word", match.group(4)))
        if len(tokens) > MAX_TOKENS:
            raise SearchError("_filter : expression trop longue")
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.last: tuple[str, str] | None = None  # (path, op) for the "or" shorthand

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise SearchError("_filter : expression incomplète")
        self.pos += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token and token[0] == "word" and token[1].lower() == word:
            self.pos += 1
            return True
        return False

    def expr(self, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise SearchError("_filter : imbrication trop profonde")
        items = [self.conjunction(depth)]
        while self.keyword("or"):
            items.append(self.conjunction(depth))
        return items[0] if len(items) == 1 else ("or", items)

    def conjunction(self, depth: int) -> Any:
        items = [self.unary(depth)]
        while self.keyword("and"):
            items.append(self.unary(depth))
        return items[0] if len(items) == 1 else ("and", items)

    def unary(self, depth: int) -> Any:
        if self.keyword("not"):
            return ("not", self.unary(depth + 1))
        token = self.take()
        if token[0] == "(":
            node = self.expr(depth + 1)
            if self.take()[0] != ")":
                raise SearchError("_filter : parenthèse fermante attendue")
            return node
        if token[0] == "str" or (token[0] == "word" and self._is_value_only()):
            if self.last is None:
                raise SearchError(f"_filter : valeur {token[1]!r} sans paramètre")
            return self.leaf(*self.last, token[1])
        if token[0] != "word":
            raise SearchError(f"_filter : paramètre attendu, obtenu {token[1]!r}")
        op_token = self.take()
        op = op_token[1].lower()
        if op in UNSUPPORTED:
            raise SearchError(f"_filter : opérateur {op!r} non pris en charge par le simulateur")
        if op_token[0] != "word" or op not in OPS:
            raise SearchError(f"_filter : opérateur inconnu {op_token[1]!r} après {token[1]!r}")
        if op == "pr":
            value = self.take()[1]
        else:
            value_token = self.take()
            if value_token[0] not in ("word", "str"):
                raise SearchError(f"_filter : valeur attendue après {token[1]} {op}")
            value = value_token[1]
        self.last = (token[1], op)
        return self.leaf(token[1], op, value)

    def _is_value_only(self) -> bool:
        """A bare word directly followed by `)`, `or`, `and` or the end is a shorthand value."""
        following = self.peek()
        return self.last is not None and (following is None or following[0] == ")"
                                          or (following[0] == "word" and following[1].lower() in ("or", "and")))

    @staticmethod
    def leaf(path: str, op: str, value: str) -> Any:
        clause = parse_name(path)
        if clause.has is not None:
            raise SearchError("_filter : _has n'est pas pris en charge dans _filter")
        return ("cmp", Clause(clause.name, (value,), clause.chain, clause.modifier, op=op))


def parse_filter(text: str) -> Any:
    tokens = tokenize(text)
    if not tokens:
        raise SearchError("_filter vide")
    parser = _Parser(tokens)
    node = parser.expr(0)
    if parser.peek() is not None:
        raise SearchError(f"_filter : élément inattendu {parser.peek()[1]!r}")  # type: ignore[index]
    return node


def leaves(node: Any) -> list[Clause]:
    """Every comparison of a filter tree (for summaries and checks)."""
    kind = node[0]
    if kind == "cmp":
        return [node[1]]
    if kind == "not":
        return leaves(node[1])
    return [clause for child in node[1] for clause in leaves(child)]
