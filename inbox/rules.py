"""Mail rules as data: compile an admin's rules once, then match mail fast. Pure.

A rule holds when all of its conditions hold; the first rule that holds decides. Text
conditions compare case-insensitively unless told otherwise; regular expressions run on
RE2, a linear-time engine, so no pattern can make matching run long on hostile mail.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

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


class MailFacts:
    """What rules look at, taken once from a stored message. Matching many mails is the
    hot loop of classification: plain slots, each text encoded and matched once."""

    __slots__ = (
        "_headers",
        "_hits",
        "body",
        "folder",
        "headers",
        "sender_address",
        "sender_name",
        "subject",
    )  # fmt: skip

    def __init__(self, folder: str, sender_address: str = "", sender_name: str = "",
                 subject: str = "", body: str = "", headers: str = ""):  # fmt: skip
        self.folder = folder
        self.sender_address = sender_address
        self.sender_name = sender_name
        self.subject = subject
        self.body = body
        self.headers = headers
        self._headers: dict[str, list[str]] | None = None
        self._hits: dict = {}

    def __repr__(self):
        return f"MailFacts({self.folder!r}, {self.sender_address!r}, {self.subject!r})"

    def header_values(self, name: str) -> list[str]:
        if self._headers is None:
            parsed: dict[str, list[str]] = {}
            for line in self.headers.splitlines():
                key, sep, value = line.partition(":")
                if sep:
                    parsed.setdefault(key.strip().casefold(), []).append(value.strip())
            self._headers = parsed
        return self._headers.get(name.strip().casefold(), [])

    def regex_hits(self, source: "RegexSource") -> tuple[int, ...]:
        """Which of `source`'s patterns match: one pass over the text for all of them."""
        hits = self._hits.get(source)  # by identity: each compiled set numbers its own
        if hits is None:
            if source.field == "header":
                found: set[int] = set()
                for value in self.header_values(source.header):
                    found.update(source.patterns.Match(value.encode()) or ())
                hits = tuple(found)
            else:
                hits = source.patterns.Match(getattr(self, source.field).encode()) or ()
            self._hits[source] = hits
        return hits


class RegexSource:
    """Every condition of a rule set that reads one text (a field or a header, case-
    sensitive or not), compiled into one RE2 set that is matched in a single pass."""

    def __init__(self, field: str, header: str, case_sensitive: bool):
        self.field, self.header = field, header
        options = re2.Options()
        options.log_errors = False
        options.case_sensitive = case_sensitive
        options.max_mem = 64 << 20
        self.patterns = re2.Set.SearchSet(options)

    def add(self, pattern: str) -> int:
        return self.patterns.Add(pattern)


def _pattern(condition: Condition) -> str:
    """The condition as an RE2 pattern: literals are escaped, so `contains` stays literal."""
    if condition.operator == "regex":
        compile_regex(condition.value, case_sensitive=condition.case_sensitive)  # says why not
        return condition.value
    if not condition.value:
        raise RuleError("A condition needs a value to compare with.")
    literal = re2.escape(condition.value)
    if condition.operator == "contains":
        return literal
    if condition.operator == "starts_with":
        return r"\A" + literal
    return r"\A" + literal + r"\z"


class _Compiler:
    def __init__(self):
        self.sources: dict[tuple, RegexSource] = {}

    def condition(self, condition: Condition) -> tuple[RegexSource, int]:
        if condition.field not in FIELDS:
            raise RuleError(f"Unknown field {condition.field!r}.")
        if condition.field == "header" and not condition.header.strip():
            raise RuleError("A header condition needs the header's name.")
        if condition.operator not in OPERATORS:
            raise RuleError(f"Unknown comparison {condition.operator!r}.")
        pattern = _pattern(condition)
        header = condition.header if condition.field == "header" else ""
        key = (condition.field, header.casefold(), condition.case_sensitive)
        source = self.sources.get(key)
        if source is None:
            source = self.sources[key] = RegexSource(condition.field, header, key[2])
        return source, source.add(pattern)

    def finish(self) -> None:
        for source in self.sources.values():
            source.patterns.Compile()


def _predicate(condition: Condition) -> Callable[[MailFacts], bool]:
    """One condition on its own: checks what an admin typed, and tests use it."""
    compiler = _Compiler()
    source, index = compiler.condition(condition)
    compiler.finish()
    return lambda facts: index in facts.regex_hits(source)


@dataclass
class CompiledRule:
    rule: Rule
    conditions: tuple[tuple[RegexSource, int], ...]

    def matches(self, facts: MailFacts) -> bool:
        return facts.folder in self.rule.folders and all(
            index in facts.regex_hits(source) for source, index in self.conditions
        )


def compile_rule(rule: Rule, compiler: _Compiler | None = None) -> CompiledRule:
    if not rule.conditions:
        raise RuleError("A rule needs at least one condition.")
    own = compiler is None
    compiler = compiler or _Compiler()
    compiled = CompiledRule(rule, tuple(compiler.condition(c) for c in rule.conditions))
    if own:
        compiler.finish()
    return compiled


class RuleSet:
    """Rules in order. Matching a mail costs one RE2 set match per text the rules read,
    however many rules there are; only rules with a condition that matched are checked."""

    def __init__(self, rules: Iterable[Rule], *, skip_broken: bool = False):
        """Compile `rules`. With skip_broken, a rule that cannot be used is left out and
        listed in `broken` instead of stopping every other rule."""
        self.compiled, self.broken = [], []
        compiler = _Compiler()
        for rule in rules:
            try:
                self.compiled.append(compile_rule(rule, compiler))
            except RuleError as exc:
                if not skip_broken:
                    raise
                self.broken.append((rule, str(exc)))
        try:
            compiler.finish()
            self.sources = list(compiler.sources.values())
        except re2.error:
            self.sources = self._apart(skip_broken=skip_broken)
        # For each (source, pattern): the positions of the rules that use it.
        self._users: dict[tuple, list[int]] = {}
        for position, compiled in enumerate(self.compiled):
            for source, index in compiled.conditions:
                self._users.setdefault((source, index), []).append(position)

    def _apart(self, *, skip_broken: bool) -> list[RegexSource]:
        """Together the rules' patterns outgrow the memory RE2 gives one set: each rule gets
        sets of its own (one pass per rule, still linear); a rule too large even alone is
        broken. Returns the sources; keeps in `compiled` the rules that compiled."""
        kept, sources = [], []
        for compiled in self.compiled:
            compiler = _Compiler()
            own = compile_rule(compiled.rule, compiler)
            try:
                compiler.finish()
            except re2.error:
                reason = "Its patterns need more memory than a rule may use: simplify them."
                if not skip_broken:
                    raise RuleError(reason) from None
                self.broken.append((compiled.rule, reason))
                continue
            kept.append(own)
            sources.extend(compiler.sources.values())
        self.compiled = kept
        return sources

    def first_match(self, facts: MailFacts) -> Rule | None:
        candidates: set[int] = set()
        for source in self.sources:
            for index in facts.regex_hits(source):
                candidates.update(self._users.get((source, index), ()))
        for position in sorted(candidates):
            compiled = self.compiled[position]
            if compiled.matches(facts):
                return compiled.rule
        return None
