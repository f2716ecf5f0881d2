"""`tilekit new`: a complete tile from the cookiecutter template in ``templates/tile``.

Partner text never meets Jinja: every value reaches the template as a private (``_``) cookiecutter
variable, which is inserted verbatim, and JSON values are encoded here with ``json.dumps``. The
tile is rendered into a hidden folder beside the target, checked with tilekit's own rules, and
only then renamed into place, so a failure leaves nothing behind and an existing folder is never
touched.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import ToolkitError
from toolkit.findings import Finding, Severity

MAX_NAME = 50
_NAME_CHARS = re.compile(r"[A-Za-z0-9 _.-]+")
_JINJA = re.compile(r"\{\{|\{%|\{#|%\}|\}\}|#\}")
PLACEHOLDER = "[[TODO: {}]]"


@dataclass(frozen=True)
class Answers:
    """What the partner told us; None where a placeholder goes."""

    name: str
    author: str | None = None
    homepage: str | None = None
    support_email: str | None = None
    sales_email: str | None = None
    description: str | None = None
    metric_prefix: str | None = None
    marketplace: bool = False
    categories: tuple[str, ...] = ()  # "Category::..." tags, already checked
    supported_os: tuple[str, ...] = ()  # "Supported OS::..." tags, already checked; empty: the usual three


# Each answer is checked as it is typed, against the part of the manifest schema it fills.
_ANSWER_SCHEMA = {
    "author": "/properties/author/properties/name",
    "homepage": "/$defs/url",
    "support_email": "/$defs/email",
    "sales_email": "/$defs/email",
    "description": "/properties/tile/properties/description",
    "metric_prefix": "/properties/assets/properties/integration/properties/metrics/properties/prefix",
}
DEFAULT_OS = ("Supported OS::Linux", "Supported OS::Windows", "Supported OS::macOS")
_PREFIX = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)*\.?")


def description_limit(marketplace: bool) -> int:
    return 70 if marketplace else 80


def check_answer(field: str, value: str, marketplace: bool = False) -> str:
    """``value`` for ``field`` stripped, or ValueError saying, in a partner's words, why it does not fit."""
    from jsonschema import Draft202012Validator

    from toolkit.resources import load_json

    value = value.strip()
    node: Any = load_json("manifest.schema.json")
    for step in _ANSWER_SCHEMA[field].strip("/").split("/"):
        node = node[step]
    if field == "description":
        node = {**node, "maxLength": description_limit(marketplace)}
    error = next(iter(Draft202012Validator(node).iter_errors(value)), None)
    if error is not None:
        hint = node.get("x-hint", "")
        if error.validator == "maxLength":
            raise ValueError(f"{len(value)} characters; at most {node['maxLength']} are allowed")
        raise ValueError(hint or error.message)
    if field == "metric_prefix" and not _PREFIX.fullmatch(value):
        raise ValueError("use lower-case letters, digits and '_', in dot-separated parts, e.g. acme_cloud.")
    return value


def check_tags(values: tuple[str, ...] | list[str], kind: str) -> tuple[str, ...]:
    """``--category`` or ``--supported-os`` values as known tags (the prefix and the exact spelling are optional:
    'cloud' is 'Category::Cloud'); ToolkitError naming the known ones otherwise."""
    from toolkit.checks.manifest import same_meaning
    from toolkit.rules import catalogue

    known = [t for t in next(r for r in catalogue() if r.id == "manifest/classifier-tag").params["known"]
             if t.startswith(f"{kind}::")]
    spellings: dict[str, str] = {}
    for tag in known:
        spellings.setdefault(same_meaning(tag), tag)
    tags = []
    for value in values:
        tag = value if "::" in value else f"{kind}::{value.strip()}"
        found = spellings.get(same_meaning(tag))
        if found is None:
            names = ", ".join(t.split("::", 1)[1] for t in known)
            raise ToolkitError(f"'{value}' is not a known {kind}; choose from: {names}")
        tags.append(found)
    return tuple(dict.fromkeys(tags))


def check_name(name: str) -> None:
    """Refuse a name that cannot make a safe folder, app_id and title (exit 2)."""
    stripped = name.strip()
    if not stripped:
        raise ToolkitError("the tile name is empty; give the offering's name, e.g. tilekit new \"Acme Cloud\"")
    if len(stripped) > MAX_NAME:
        raise ToolkitError(f"the tile name is {len(stripped)} characters long; at most {MAX_NAME} are allowed "
                           "(it becomes the tile title)")
    if _JINJA.search(stripped):
        raise ToolkitError(f"the tile name {stripped!r} contains template syntax ('{{{{', '{{%' or '{{#'); "
                           "use ASCII letters, digits, spaces, '-', '_' and '.'")
    if not _NAME_CHARS.fullmatch(stripped):
        bad = sorted({ch for ch in stripped if not _NAME_CHARS.fullmatch(ch)})
        raise ToolkitError(f"the tile name {stripped!r} contains {', '.join(map(repr, bad))}; use ASCII letters, digits, "
                           "spaces, '-', '_' and '.'")
    if stripped.lower().startswith("datadog"):
        raise ToolkitError(f"the tile name {stripped!r} starts with 'Datadog'; partner tiles are named after the "
                           "partner's offering, not Datadog")
    if not stripped[0].isalpha() or len(slug(stripped, "-")) < 2:
        raise ToolkitError(f"the tile name {stripped!r} must start with a letter and have at least two letters or "
                           "digits (the app_id is made from it)")


def slug(text: str, separator: str) -> str:
    """Lower case, with every run of other characters turned into one separator."""
    return re.sub(r"[^a-z0-9]+", separator, text.lower()).strip(separator)


def folder_name(answers: Answers) -> str:
    if answers.marketplace:
        if not answers.author:
            raise ToolkitError("--marketplace needs --author: a Marketplace tile's folder is <partner>_<app>")
        return f"{slug(answers.author, '_')}_{slug(answers.name, '_')}"
    return slug(answers.name, "_")


def context(answers: Answers) -> dict[str, Any]:
    """The template's private variables: plain text for Markdown, JSON-encoded values for JSON."""
    name = answers.name.strip()
    folder = folder_name(answers)
    limit = description_limit(answers.marketplace)

    def value(given: str | None, placeholder: str) -> str:
        return json.dumps(given if given else PLACEHOLDER.format(placeholder), ensure_ascii=False)

    prefix = answers.metric_prefix or f"{folder}."
    vendor = slug(re.sub(r"[^A-Za-z ]+", " ", answers.author or ""), "-")
    return {
        "_folder": folder,
        "_name": name,
        "_app_id": slug(name, "-"),
        "_app_uuid": str(uuid.uuid4()),
        "_today": datetime.date.today().isoformat(),
        "_marketplace": answers.marketplace,
        "_name_json": json.dumps(name),
        "_description_json": value(answers.description, f"one sentence, at most {limit} characters"),
        "_author_json": value(answers.author, "your company name"),
        "_homepage_json": value(answers.homepage, "https://your-company.example"),
        "_support_email_json": value(answers.support_email, "support e-mail address"),
        "_sales_email_json": value(answers.sales_email, "sales e-mail address"),
        "_vendor_id_json": value(vendor, "the vendor_id Datadog gives you"),
        "_metric_prefix_json": json.dumps(prefix if prefix.endswith(".") else f"{prefix}."),
        "_classifier_tags_json": _json_list(classifier_tags(answers), indent=6),
        "_support_text": support_text(answers),
        "_dashboard_key_json": json.dumps(f"{name} Overview"),
        "_dashboard_path_json": json.dumps(f"assets/dashboards/{folder}_overview.json"),
        "_dashboard_title_json": json.dumps(f"{name} Overview"),
        "_dashboard_description_json": json.dumps(f"An overview of {name}: its activity and health at a glance."),
    }


def classifier_tags(answers: Answers) -> list[str]:
    offering = ["Category::Marketplace", "Offering::Software License"] if answers.marketplace \
        else ["Offering::Integration"]
    categories = [c for c in answers.categories if c not in offering]
    return [*categories, *offering, "Submitted Data Type::Metrics", *(answers.supported_os or DEFAULT_OS)]


def support_text(answers: Answers) -> str:
    """The README's Support section from the contacts given; a placeholder when there are none."""
    contacts = []
    if answers.support_email:
        contacts.append(f"e-mail {answers.author or answers.name.strip()} support at <{answers.support_email}>")
    if answers.homepage:
        contacts.append(f"visit <{answers.homepage}>")
    if not contacts:
        return PLACEHOLDER.format("how to get help: your support e-mail, a link to your documentation, and any "
                                  "other contact.")
    text = " or ".join(contacts)
    return f"Need help? {text[0].upper()}{text[1:]}."


def _json_list(items: list[str], indent: int) -> str:
    """A JSON array laid out as the template's other arrays are: an item a line at ``indent``."""
    inner = ",\n".join(" " * indent + json.dumps(item) for item in items)
    return f"[\n{inner}\n{' ' * (indent - 2)}]"


def generate(answers: Answers, output_dir: Path, cwd: Path) -> tuple[Path, list[Finding]]:
    """Write the tile into ``output_dir``; return its folder and its placeholder findings."""
    check_name(answers.name)
    target = output_dir / folder_name(answers)
    if target.exists() or target.is_symlink():
        raise ToolkitError(f"{target} already exists; tilekit new never overwrites or merges into a folder: "
                           "choose another --output-dir or name")
    staging: Path | None = None
    try:  # Ctrl-C anywhere in here still removes the staging folder: nothing is left half-written
        try:
            output_dir.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=output_dir))
        except OSError as exc:
            raise ToolkitError(f"cannot write to {output_dir}: {exc.strerror or exc}") from exc
        rendered = _render(context(answers), staging)
        findings = _check(rendered, cwd, answers.marketplace)
        # Placeholders and the warnings that need the partner's own files (an SVG logo) are what `new` leaves to do.
        problems = [f for f in findings if f.rule != "tile/placeholder" and f.severity is Severity.ERROR]
        if problems:
            details = "\n  ".join(f"{f.rule}: {f.message}" for f in problems)
            raise ToolkitError(f"the values given do not make a valid tile:\n  {details}")
        try:
            os.rename(rendered, target)  # atomic; fails rather than replace a folder made meanwhile
        except OSError as exc:
            raise ToolkitError(f"cannot create {target}: {exc.strerror or exc}") from exc
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return target, [_moved(f, rendered, target, cwd) for f in findings]


def _render(variables: dict[str, Any], staging: Path) -> Path:
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.main import cookiecutter

    from toolkit.resources import data_dir

    settings = staging / "cookiecutter-config.yaml"
    # cookiecutter records a replay of every run under $HOME unless told where; keep it in staging.
    settings.write_text(f"replay_dir: {json.dumps(str(staging / 'replay'))}\n"
                        f"cookiecutters_dir: {json.dumps(str(staging / 'cache'))}\n")
    try:
        return Path(cookiecutter(str(data_dir("templates") / "tile"), no_input=True, extra_context=variables,
                                 output_dir=str(staging / "out"), config_file=str(settings)))
    except (CookiecutterException, OSError) as exc:
        raise ToolkitError(f"the tile template could not be rendered: {exc}") from exc


def _check(tile: Path, cwd: Path, marketplace: bool) -> list[Finding]:
    from toolkit import rules, runner
    from toolkit.tile import Discovery

    settings = rules.Settings(repository="marketplace" if marketplace else "extras")
    enabled = [r for r in rules.configure(rules.catalogue(), settings) if r.target == "tile"]
    return runner.run(Discovery([tile], {}, 0), enabled, cwd)


def _moved(finding: Finding, old: Path, new: Path, cwd: Path) -> Finding:
    """A finding made in the staging folder, with its paths as they are in the tile's final place."""
    from dataclasses import replace

    from toolkit.tile import display_path

    old_display, new_display = display_path(old, cwd), display_path(new, cwd)
    return replace(finding, tile=new_display, path=new_display + finding.path[len(old_display):])
