"""The rule catalogue: ``rules/*.yaml`` loaded, checked against their schemas, then configured."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from toolkit.errors import ToolkitError
from toolkit.findings import INTERNAL_ERROR, Severity
from toolkit.resources import data_dir, load_json


@dataclass(frozen=True)
class Rule:
    id: str
    check: str | None  # None: the runner reports it itself (tilekit/internal-error)
    severity: Severity
    summary: str
    help: str
    params: Mapping[str, Any] = field(default_factory=dict)
    supersedes: tuple[str, ...] = ()  # rules whose findings on the same defect this one explains
    group: str | None = None  # rules that share their parameters (see configure)
    fix: str | None = None  # "safe" or "unsafe" when `tilekit fix` can repair its findings
    marketplace: Mapping[str, Any] = field(default_factory=dict)  # params for repository = "marketplace"
    target: str = "tile"  # "tile": `tilekit validate`; "video": `tilekit video`

    @property
    def family(self) -> str:
        return self.id.split("/", 1)[0]


@cache
def catalogue() -> tuple[Rule, ...]:
    """Every rule with its default severity and parameters, from the shipped data (exit 2 if broken).

    Checking the data against its schemas costs more than the rest of a one-tile run, so a version that passed is
    remembered in the user's cache, keyed by a digest of everything the verdict depends on (the rules files,
    tilekit's version, and the state of its installation, which holds the checks' parameter schemas); any other
    version of any of them is checked again.
    """
    from toolkit import verdicts

    files = sorted((entry for entry in data_dir("rules").iterdir() if entry.name.endswith((".yaml", ".json"))),
                   key=lambda entry: entry.name)
    contents = {entry.name: entry.read_bytes() for entry in files}
    key = _digest(contents)
    cached = verdicts.recall("rules", key)
    if isinstance(cached, list):
        try:
            return tuple(_rule(raw, str(target)) for target, raw in cached)
        except (KeyError, TypeError, ValueError):
            pass  # a damaged cache file: check the data again
    checked = _check(contents)
    verdicts.remember("rules", key, checked)
    return tuple(_rule(raw, target) for target, raw in checked)


def _digest(contents: Mapping[str, bytes]) -> str:
    """The rules files, and the installation, which covers the checks' parameter schemas (code) without importing
    every check."""
    from toolkit import verdicts

    parts = [name.encode() + b"\0" + data for name, data in contents.items()]
    return verdicts.digest([*parts, verdicts.installation()])


def _rule(raw: Mapping[str, Any], target: str) -> Rule:
    return Rule(
        id=raw["id"],
        check=raw.get("check"),
        severity=Severity(raw["severity"]),
        summary=raw["summary"],
        help=raw["help"],
        params=raw.get("params", {}),
        supersedes=tuple(raw.get("supersedes", ())),
        group=raw.get("group"),
        fix=raw.get("fix"),
        marketplace=raw.get("marketplace", {}),
        target=target,
    )


def _check(contents: Mapping[str, bytes]) -> list[tuple[str, dict[str, Any]]]:
    """The rules of every file, as (target, raw rule), once all of it passed its schemas (exit 2 listing every
    problem otherwise)."""
    import yaml
    from jsonschema import Draft202012Validator

    from toolkit.checks import CHECKS

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    validator = Draft202012Validator(load_json("rules.schema.json"))
    problems: list[str] = []
    checked: list[tuple[str, dict[str, Any]]] = []
    for name, data_bytes in contents.items():
        if not name.endswith(".yaml"):
            continue
        where = f"rules/{name}"
        try:
            data = yaml.load(data_bytes.decode("utf-8"), Loader=loader)
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            problems.append(f"{where}: cannot be read: {exc}")
            continue
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
        problems += [f"{where}::{_pointer(e.absolute_path)}: {e.message}" for e in errors]
        if errors:
            continue
        target = data.get("target", "tile")
        for index, raw in enumerate(data["rules"]):
            rule = _rule(raw, target)
            if rule.check is None and rule.id != INTERNAL_ERROR:
                problems.append(f"{where}::$.rules[{index}]: 'check' is required (only {INTERNAL_ERROR} has none)")
                continue
            if rule.check is not None and rule.check not in CHECKS:
                problems.append(f"{where}::$.rules[{index}].check: unknown check '{rule.check}'")
                continue
            problems += [f"{where}::$.rules[{index}].params: {p}" for p in _param_errors(rule)]
            if rule.marketplace:
                merged = replace(rule, params={**rule.params, **rule.marketplace})
                problems += [f"{where}::$.rules[{index}].marketplace: {p}" for p in _param_errors(merged)]
            checked.append((target, raw))
    ids = [raw["id"] for _target, raw in checked]
    problems += [f"rule id '{i}' is defined twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    if problems:
        raise ToolkitError("the rules data is broken:\n  " + "\n  ".join(problems))
    return checked


def _param_errors(rule: Rule) -> list[str]:
    from jsonschema import Draft202012Validator

    from toolkit.checks import CHECKS

    if rule.check is None:
        return [f"{name}: {rule.id} takes no parameters" for name in rule.params]
    schema = CHECKS[rule.check].params
    errors = Draft202012Validator(schema).iter_errors(dict(rule.params))
    return [f"{_pointer(e.absolute_path)}: {e.message}" for e in errors]


def _pointer(path: Iterable[Any]) -> str:
    from toolkit.jsondoc import pointer

    return pointer(tuple(path))


def matches(rule: Rule, selector: str) -> bool:
    """A selector is a rule id or a family, with or without its trailing slash (``image/``)."""
    return selector == rule.id or selector.rstrip("/") == rule.family


@dataclass(frozen=True)
class Settings:
    """What the user chose: from config files and the command line, already merged."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    repository: str = "extras"  # or "marketplace", whose limits differ (a 70-character description)
    jobs: int | None = None  # worker processes for `validate`; None: the CPU count
    source: str = "the command line"


def configure(rules: Iterable[Rule], settings: Settings) -> list[Rule]:
    """The enabled rules with the user's severities and parameters; exit 2 on anything unknown.

    Parameters come from the rules data, then its ``marketplace`` values when the config says
    ``repository = "marketplace"``, then the user's. Rules of one ``group`` (the three image
    dimension rules) each see the whole group's parameters, so each can name the one size that
    satisfies all of them.
    """
    rules = list(rules)
    known = {r.id for r in rules}
    families = {r.family for r in rules}
    for selector in (*settings.select, *settings.ignore):
        if selector not in known and selector.rstrip("/") not in families:
            raise ToolkitError(f"{settings.source}: unknown rule or family '{selector}' (see `tilekit rules`)")
    for rule_id in (*settings.severity, *settings.params):
        if rule_id not in known:
            raise ToolkitError(f"{settings.source}: unknown rule '{rule_id}' (see `tilekit rules`)")
    configured = [_configured(rule, settings) for rule in rules]
    groups: dict[str, dict[str, Any]] = {}
    for rule in configured:
        if rule.group:
            groups.setdefault(rule.group, {}).update(rule.params)
    enabled = []
    for rule in configured:
        if settings.select and not any(matches(rule, s) for s in settings.select):
            continue
        if any(matches(rule, s) for s in settings.ignore):
            continue
        enabled.append(replace(rule, params=groups[rule.group]) if rule.group else rule)
    return enabled


def _configured(rule: Rule, settings: Settings) -> Rule:
    if settings.repository == "marketplace" and rule.marketplace:
        rule = replace(rule, params={**rule.params, **rule.marketplace})
    if rule.id in settings.severity:
        rule = replace(rule, severity=Severity(settings.severity[rule.id]))
    if rule.id in settings.params:
        rule = replace(rule, params={**rule.params, **settings.params[rule.id]})
        problems = _param_errors(rule)
        if problems:
            raise ToolkitError(f"{settings.source}: parameters of {rule.id}: " + "; ".join(problems))
    return rule
