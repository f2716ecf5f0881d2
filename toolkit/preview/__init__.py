"""`tilekit preview`: the tile as Datadog's integrations page shows it, in one self-contained HTML file.

The preview is not a report: ``page(tile, findings)`` gathers what the page shows from the same facts the
checks use (the manifest, the README cut into its H2 sections, metadata.csv, the service checks, the carousel,
the CHANGELOG), with each finding placed where it applies; ``render(page)`` fills one autoescaped Jinja2
template shipped in this package. Markdown goes through mistune with raw HTML escaped; images become data URIs
(scaled copies when large); a Content-Security-Policy lets nothing but the page's own script run and nothing be
fetched.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
from dataclasses import dataclass, field
from typing import Any

import mistune
from markupsafe import Markup

from toolkit import tilepath
from toolkit.carousel import entries
from toolkit.checks.metadata import table
from toolkit.checks.service_checks import source as service_checks
from toolkit.findings import Finding, Severity
from toolkit.tile import CHANGELOG, MANIFEST, README, Tile
from toolkit.tilepath import Kind

TABS = (("overview", "Overview"), ("data-collected", "Data Collected"), ("setup", "Setup"), ("support", "Support"),
        ("release-notes", "Release Notes"))
INLINE_LIMIT = 600_000  # bytes of an image embedded as it is; larger or wider ones are embedded as a scaled copy
MAX_WIDTH = 1440
_RAW_GITHUB = "https://raw.githubusercontent.com/DataDog/integrations-extras/"
_TAB_MARK = re.compile(r"^\s*<!--\s*(xxx|xxz)\s+(tabs|tab)\s*(?:\"([^\"]*)\")?\s*xxx\s*-->\s*$")
_PARTIAL_MARK = re.compile(r"^\s*(<!--\s*partial\s*|\s*partial\s*-->)\s*$")
_COMMENT = re.compile(r"^\s*<!--.*?-->\s*$")
_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S")


@dataclass
class Marker:
    rule: str
    severity: str
    message: str
    where: str  # the file and line, as `validate` prints them


@dataclass
class Section:
    title: str
    html: Markup
    markers: list[Marker] = field(default_factory=list)
    raw_html: int = 0  # raw HTML fragments shown as text


@dataclass
class Slide:
    index: int
    caption: str
    src: str  # a data: URI, or "" when the image cannot be shown
    rel: str = ""  # the image file in the tile
    video: str = ""  # the Vimeo id of a video entry
    markers: list[Marker] = field(default_factory=list)


@dataclass
class Tab:
    key: str
    label: str
    sections: list[Section] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    empty: str = ""  # why the tab has nothing to show


@dataclass
class Page:
    title: str
    description: str
    author: str
    tags: list[str]
    tabs: list[Tab]
    slides: list[Slide]
    metrics: list[dict[str, str]]
    service_checks: list[dict[str, str]]
    header_markers: list[Marker]
    findings: list[Marker]
    errors: int
    warnings: int


def page(tile: Tile, findings: list[Finding]) -> Page:
    """What the integrations page shows for ``tile``, with every finding placed where it applies."""
    readme = _Readme(tile)
    markers = [_marker(f) for f in findings]
    by_file: dict[str, list[tuple[Finding, Marker]]] = {}
    for finding, marker in zip(findings, markers):
        by_file.setdefault(_tile_file(tile, finding), []).append((finding, marker))
    tabs = {key: Tab(key, label) for key, label in TABS}
    anchors = {"overview": "overview", "setup": "configuration", "support": "support"}
    for key, anchor in anchors.items():
        section = readme.anchored(anchor)
        if section is None:
            target = tile.manifest_get("tile", anchor)
            tabs[key].empty = (f"tile.{anchor} points at '{target}', which names no section of README.md"
                               if isinstance(target, str) else f"the manifest has no tile.{anchor}")
        else:
            tabs[key].sections.append(section)
    uninstall = readme.named("Uninstallation")
    if uninstall is not None:
        tabs["setup"].sections.append(uninstall)
    collected = readme.named("Data Collected")
    if collected is not None:
        tabs["data-collected"].sections.append(collected)
    changelog = tile.text(CHANGELOG)
    if changelog.ok:
        tabs["release-notes"].sections.append(
            Section("CHANGELOG.md", _markdown(tile, _drop_first_h1(changelog.text))[0]))
    else:
        tabs["release-notes"].empty = changelog.reason
    slides = _slides(tile)
    header: list[Marker] = []
    for rel, placed in by_file.items():
        for finding, marker in placed:
            _place(tile, rel, finding, marker, readme, tabs, slides, header)
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    author = tile.manifest_get("author", "name")
    tags = tile.manifest_get("tile", "classifier_tags")
    return Page(
        title=_text(tile.manifest_get("tile", "title")) or tile.name,
        description=_text(tile.manifest_get("tile", "description")),
        author=_text(author), tags=[t for t in tags if isinstance(t, str)] if isinstance(tags, list) else [],
        tabs=list(tabs.values()), slides=slides, metrics=_metrics(tile), service_checks=_service_checks(tile),
        header_markers=header, findings=markers, errors=errors, warnings=len(findings) - errors,
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _tile_file(tile: Tile, finding: Finding) -> str:
    prefix = "" if tile.display == "." else f"{tile.display}/"
    return finding.path.removeprefix(prefix)


def _marker(finding: Finding) -> Marker:
    where = finding.path if finding.line is None else f"{finding.path}:{finding.line}"
    return Marker(finding.rule, finding.severity.value, finding.message, where)


def _place(tile: Tile, rel: str, finding: Finding, marker: Marker, readme: _Readme, tabs: dict[str, Tab],
           slides: list[Slide], header: list[Marker]) -> None:
    """Mark the finding on what it is about: an image's slides, a README section, a tab, or the header."""
    shown = [slide for slide in slides if slide.rel == rel] if rel else []
    if shown:
        for slide in shown:
            slide.markers.append(marker)
        return
    if rel == README and finding.line is not None:
        section = readme.at_line(finding.line)
        if section is not None:
            section.markers.append(marker)
            return
    tab = _tab_of(rel, finding)
    if tab is None:
        header.append(marker)
    else:
        tabs[tab].markers.append(marker)


_ANCHOR_TABS = {"overview": "overview", "configuration": "setup", "support": "support", "uninstallation": "setup"}


def _tab_of(rel: str, finding: Finding) -> str | None:
    if rel == CHANGELOG:
        return "release-notes"
    if rel == README:
        section = re.search(r"'## ([^']+)'", finding.message)
        name = section.group(1).lower() if section else ""
        return {"overview": "overview", "setup": "setup", "uninstallation": "setup", "support": "support",
                "data collected": "data-collected"}.get(name, "overview")
    if rel == MANIFEST:
        anchor = re.search(r"\$\.tile\.(overview|configuration|support|uninstallation)\b", finding.message)
        if anchor:
            return _ANCHOR_TABS[anchor.group(1)]
        return "overview" if "$.tile.media" in finding.message else None
    if finding.rule.startswith(("metadata/", "service-checks/")):
        return "data-collected"
    return None


class _Readme:
    """README.md cut into its top-level H2 sections, each rendered once, found by name or by line."""

    def __init__(self, tile: Tile) -> None:
        self.tile = tile
        self.sections: list[tuple[str, int, int, Section]] = []  # (title, first line, last line, section)
        source = tile.text(README)
        if not source.ok:
            return
        lines = _drop_first_h1(source.text).split("\n")
        fenced = _fenced(lines)
        starts = [i for i, line in enumerate(lines) if line.startswith("## ") and not fenced[i]]
        # Reference definitions ('[3]: https://...') usually close the file: every section sees them all.
        definitions = "\n".join(line for i, line in enumerate(lines) if _DEFINITION.match(line) and not fenced[i])
        for number, start in enumerate(starts):
            end = starts[number + 1] if number + 1 < len(starts) else len(lines)
            title = lines[start][3:].strip().strip("#").strip()
            html, raw = _markdown(tile, "\n".join(lines[start + 1:end]), definitions)
            self.sections.append((title, start + 1, end, Section(title, html, raw_html=raw)))

    def named(self, title: str) -> Section | None:
        return next((s for t, _a, _b, s in self.sections if t == title), None)

    def anchored(self, key: str) -> Section | None:
        """The section a manifest ``tile.<key>`` anchor ('README.md#Setup') leads to, as GitHub slugs match."""
        target = self.tile.manifest_get("tile", key)
        if not isinstance(target, str) or not target.startswith(f"{README}#"):
            return None
        wanted = _slug(target.split("#", 1)[1])
        return next((s for t, _a, _b, s in self.sections if _slug(t) == wanted), None)

    def at_line(self, line: int) -> Section | None:
        return next((s for _t, a, b, s in self.sections if a <= line <= b), None)


def _slug(text: str) -> str:
    return re.sub(r"\s+", "-", re.sub(r"[^\w\s-]", "", text.strip().lower()))


def _fenced(lines: list[str]) -> list[bool]:
    """For each line, whether it is inside a fenced code block."""
    inside, out = False, []
    for line in lines:
        fence = line.lstrip().startswith(("```", "~~~"))
        out.append(inside or fence)
        inside = inside != fence
    return out


def _drop_first_h1(text: str) -> str:
    """Datadog's pages drop the README's first H1 (the tile's title is shown in the header)."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line.startswith("# "):
            return "\n".join(lines[:index] + lines[index + 1:])
        if line.strip():
            break
    return text


def _markdown(tile: Tile, text: str, definitions: str = "") -> tuple[Markup, int]:
    """A README or CHANGELOG part as HTML: partial markers dropped (their content shown), comment tabs made tabs,
    other comments hidden, raw HTML escaped and counted; ``definitions`` (reference links) serve every part."""
    renderer = _Renderer(tile)
    markdown = mistune.create_markdown(renderer=renderer, plugins=["table", "strikethrough"])

    def convert(part: str) -> str:
        return str(markdown(f"{part}\n\n{definitions}" if definitions else part))

    out: list[str] = []
    pending: list[str] = []
    tabs: list[tuple[str, list[str]]] | None = None
    for line in text.split("\n"):
        mark = _TAB_MARK.match(line)
        if mark:
            kind, what, name = mark.groups()
            if what == "tabs" and kind == "xxx":
                out.append(convert("\n".join(pending)))
                pending, tabs = [], []
            elif what == "tab" and kind == "xxx" and tabs is not None:
                tabs.append((name or f"Tab {len(tabs) + 1}", []))
            elif what == "tabs" and kind == "xxz" and tabs is not None:
                out.append(_tab_group([(name, convert("\n".join(body))) for name, body in tabs]))
                tabs = None
            continue
        if _PARTIAL_MARK.match(line) or _COMMENT.match(line):
            continue
        if tabs is not None and tabs:
            tabs[-1][1].append(line)
        else:
            pending.append(line)
    if tabs:
        out.append(_tab_group([(name, convert("\n".join(body))) for name, body in tabs]))
    out.append(convert("\n".join(pending)))
    return Markup("".join(out)), renderer.raw_html


def _tab_group(tabs: list[tuple[str, str]]) -> str:
    from markupsafe import escape

    buttons = "".join(f'<button type="button" class="readme-tab" data-readme-tab="{i}" '
                      f'aria-selected="{"true" if i == 0 else "false"}">{escape(name)}</button>'
                      for i, (name, _html) in enumerate(tabs))
    panels = "".join(f'<div class="readme-tab-panel" data-readme-panel="{i}"{"" if i == 0 else " hidden"}>{html}</div>'
                     for i, (_name, html) in enumerate(tabs))
    return f'<div class="readme-tabs"><div class="readme-tab-buttons">{buttons}</div>{panels}</div>'


class _Renderer(mistune.HTMLRenderer):
    """mistune's HTML renderer with raw HTML escaped (and counted) and images embedded from the tile."""

    def __init__(self, tile: Tile) -> None:
        super().__init__(escape=True)
        self.tile = tile
        self.raw_html = 0

    def block_html(self, html: str) -> str:
        self.raw_html += 1
        return f'<pre class="raw-html" title="raw HTML: Datadog renders it poorly">{mistune.escape(html)}</pre>\n'

    def inline_html(self, html: str) -> str:
        self.raw_html += 1
        return f'<code class="raw-html" title="raw HTML: Datadog renders it poorly">{mistune.escape(html)}</code>'

    def image(self, text: str, url: str, title: str | None = None) -> str:
        source = _image_source(self.tile, url)
        alt = mistune.escape(text or "")
        if source:
            return f'<img src="{source}" alt="{alt}">'
        return (f'<span class="missing-image">image not shown: {alt or "(no alt text)"} '
                f'({mistune.escape(url)})</span>')


def _image_source(tile: Tile, url: str) -> str:
    """A data: URI for an image of this tile (a raw GitHub URL to it included); "" for anything else, which the
    page never fetches."""
    reference = url
    if url.startswith(_RAW_GITHUB):
        marker = f"/{tile.name}/"
        reference = url.split(marker, 1)[1] if marker in url else ""
    where = tilepath.resolve(tile, reference) if reference else None
    if where is None or where.kind is not Kind.FILE:
        return ""
    return tile.memo(_embedded, where.rel)


def _embedded(tile: Tile, rel: str) -> str:
    from PIL import Image

    entry = tile.entry(rel)
    data = tilepath.read_bytes(tile.root, rel, entry.size, entry).data
    if data is None:
        return ""
    if rel.lower().endswith(".svg"):
        return "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")
    try:
        with Image.open(io.BytesIO(data)) as image:
            mime = Image.MIME.get(image.format or "")
            if mime and image.width <= MAX_WIDTH and len(data) <= INLINE_LIMIT:
                return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
            image.draft("RGB", (MAX_WIDTH, MAX_WIDTH))  # a JPEG decodes at a reduced scale directly
            image.thumbnail((MAX_WIDTH, MAX_WIDTH * 4))
            picture = image.convert("RGBA" if image.mode in ("RGBA", "LA", "PA", "P") else "RGB")
            out = io.BytesIO()
            if picture.mode == "RGBA":
                picture.save(out, "PNG")
                mime = "image/png"
            else:
                picture.save(out, "JPEG", quality=85)
                mime = "image/jpeg"
            return f"data:{mime};base64," + base64.b64encode(out.getvalue()).decode("ascii")
    except Exception:  # noqa: BLE001 - an image Pillow cannot read: the slide says so, image/unreadable says why
        return ""


def _slides(tile: Tile) -> list[Slide]:
    slides: list[Slide] = []
    for media in tile.memo(entries):
        caption = media.caption if isinstance(media.caption, str) else ""
        src = tile.memo(_embedded, media.rel) if media.rel else ""
        item = tile.manifest_get("tile", "media")[media.position]
        video = str(item.get("vimeo_id") or "") if media.media_type == "video" else ""
        slides.append(Slide(len(slides), caption, src, media.rel or "", video))
    return slides


def _metrics(tile: Tile) -> list[dict[str, str]]:
    """metadata.csv's rows, curated metrics first, as the Data Collected tab lists them."""
    data = tile.memo(table)
    if data is None:
        return []
    rows = [row.fields for row in data.rows]
    return sorted(rows, key=lambda row: (not row.get("curated_metric"), row.get("metric_name", "")))


def _service_checks(tile: Tile) -> list[dict[str, str]]:
    found = tile.memo(service_checks)
    if found is None or not isinstance(found.doc.value, list):
        return []
    return [{"check": str(entry.get("check", "")), "name": str(entry.get("name", "")),
             "description": str(entry.get("description", "")),
             "statuses": ", ".join(map(str, entry.get("statuses", []))) if isinstance(entry.get("statuses"), list)
             else ""}
            for entry in found.doc.value if isinstance(entry, dict)]


def render(view: Page) -> str:
    """The page as one HTML document: the shipped template, autoescaped, its script allowed by hash alone."""
    from importlib.resources import files

    import jinja2

    folder = files("toolkit.preview")
    script = (folder / "page.js").read_text(encoding="utf-8")
    style = (folder / "page.css").read_text(encoding="utf-8")
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                                     loader=jinja2.FunctionLoader(lambda name: (folder / name).read_text("utf-8")))
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return environment.get_template("page.html.j2").render(page=view, script=Markup(script), style=Markup(style),
                                                         script_hash=f"sha256-{digest}")
