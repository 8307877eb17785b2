"""Mail rules as data: compile an admin's rules once, then match mail fast. Pure.

A rule holds when all of its conditions hold; the first rule that holds decides. Text
conditions compare case-insensitively unless told otherwise; regular expressions run on
RE2, a linear-time engine, so no pattern can make matching run long on hostile mail.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import re2

FIELDS = ("sender_address", "sender_name", "subject", "body", "header")
OPERATORS = ("contains", "starts_with", "equals", "regex")
MAX_PATTERN = 1000
# Rules look at the start of a long body: enough for any real rule, bounded for any mail.
BODY_LIMIT = 20_000


class RuleError(ValueError):
    pass


def compile_regex(pattern: str, *, case_sensitive: bool = False):
    """An RE2 pattern, or RuleError saying in plain words why it cannot be used."""
    if not pattern:
        raise RuleError("The regular expression is empty.")
    if len(pattern) > MAX_PATTERN:
        raise RuleError(f"The regular expression is longer than {MAX_PATTERN} characters.")
    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = case_sensitive
    options.max_mem = 8 << 20
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        hint = ""
        if "perl operator" in str(reason) or "escape sequence" in str(reason):
            hint = " Look-arounds and back-references are not supported (they can run for ever)."
        raise RuleError(f"Invalid regular expression: {reason}.{hint}") from None


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str
    value: str
    header: str = ""
    case_sensitive: bool = False


@dataclass(frozen=True)
class Rule:
    key: object  # the database id, or anything that names the rule
    name: str
    action: str
    folders: frozenset[str]
    conditions: tuple[Condition, ...]


@dataclass
class MailFacts:
    """What rules look at, taken once from a stored message."""

    folder: str
    sender_address: str = ""
    sender_name: str = ""
    subject: str = ""
    body: str = ""
    headers: str = ""
    _lowered: dict = field(default_factory=dict, repr=False)
    _headers: dict | None = field(default=None, repr=False)

    def text(self, name: str, header: str, case_sensitive: bool) -> list[str]:
        values = self.header_values(header) if name == "header" else [getattr(self, name)]
        if case_sensitive:
            return values
        key = (name, header)
        if key not in self._lowered:
            self._lowered[key] = [v.casefold() for v in values]
        return self._lowered[key]

    def header_values(self, name: str) -> list[str]:
        if self._headers is None:
            parsed: dict[str, list[str]] = {}
            for line in self.headers.splitlines():
                key, sep, value = line.partition(":")
                if sep:
                    parsed.setdefault(key.strip().casefold(), []).append(value.strip())
            self._headers = parsed
        return self._headers.get(name.strip().casefold(), [])


def _predicate(condition: Condition) -> Callable[[MailFacts], bool]:
    if condition.field not in FIELDS:
        raise RuleError(f"Unknown field {condition.field!r}.")
    if condition.field == "header" and not condition.header.strip():
        raise RuleError("A header condition needs the header's name.")
    if condition.operator not in OPERATORS:
        raise RuleError(f"Unknown comparison {condition.operator!r}.")
    name, header, sensitive = condition.field, condition.header, condition.case_sensitive
    if condition.operator == "regex":
        search = compile_regex(condition.value, case_sensitive=sensitive).search
        return lambda facts: any(search(v) for v in facts.text(name, header, True))
    if not condition.value:
        raise RuleError("A condition needs a value to compare with.")
    value = condition.value if sensitive else condition.value.casefold()
    if condition.operator == "contains":
        return lambda facts: any(value in v for v in facts.text(name, header, sensitive))
    if condition.operator == "starts_with":
        return lambda facts: any(v.startswith(value) for v in facts.text(name, header, sensitive))
    return lambda facts: any(v == value for v in facts.text(name, header, sensitive))


@dataclass
class CompiledRule:
    rule: Rule
    predicates: tuple[Callable[[MailFacts], bool], ...]

    def matches(self, facts: MailFacts) -> bool:
        return facts.folder in self.rule.folders and all(p(facts) for p in self.predicates)


def compile_rule(rule: Rule) -> CompiledRule:
    if not rule.conditions:
        raise RuleError("A rule needs at least one condition.")
    return CompiledRule(rule, tuple(_predicate(c) for c in rule.conditions))


class RuleSet:
    def __init__(self, rules: Iterable[Rule], *, skip_broken: bool = False):
        """Compile `rules`. With skip_broken, a rule that cannot be used is left out and
        listed in `broken` instead of stopping every other rule."""
        self.compiled, self.broken = [], []
        for rule in rules:
            try:
                self.compiled.append(compile_rule(rule))
            except RuleError as exc:
                if not skip_broken:
                    raise
                self.broken.append((rule, str(exc)))

    def first_match(self, facts: MailFacts) -> Rule | None:
        for compiled in self.compiled:
            if compiled.matches(facts):
                return compiled.rule
        return None
