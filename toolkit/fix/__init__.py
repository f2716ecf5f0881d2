"""`tilekit fix`: check, apply the fixes the findings carry, check again, until nothing more changes.

Checks only say *what* to change (``findings.Fix``); this package says *how*: text edits applied bottom-up in
each file's own newlines (``text``), the image operations of one file merged into one decode and one encode
(``image``), renames as one fix with the edits of every reference, every write atomic and every original saved
first (``files``). `tilekit validate` never imports it.
"""

from __future__ import annotations

import functools
import posixpath
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from toolkit import runner, tilepath
from toolkit.findings import INTERNAL_ERROR, Applicability, Edit, Finding, Fix, Op, Severity
from toolkit.fix import files
from toolkit.fix import image as images
from toolkit.fix import text as texts
from toolkit.interrupt import checkpoint
from toolkit.tile import Limits, Tile

if TYPE_CHECKING:
    from toolkit.gitchanges import Changes
    from toolkit.rules import Rule
    from toolkit.tile import Discovery

ROUNDS = 5  # check -> apply rounds; a fix that needs another's result first waits one round


@dataclass(frozen=True)
class Options:
    unsafe: bool = False
    crop: bool = False
    dry_run: bool = False


@dataclass(frozen=True)
class Change:
    """A fix made (or, with --dry-run, to be made): on which file, under which rule, what."""

    path: str  # the file as findings show it (relative to the cwd), before the change
    rule: str
    title: str
    diff: str = ""  # --dry-run: the unified diff of a text file, on the first change of that file


@dataclass(frozen=True)
class Skipped:
    """A fix that was tried and not made, and why."""

    path: str
    rule: str
    why: str
    needs_unsafe: bool = False  # what it would take: `tilekit fix --unsafe`


@dataclass
class Outcome:
    changes: list[Change] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # what is left, after the last round


def fix_tile(root: Path, rules: list[Rule], cwd: Path, caps: Limits, changes: Changes | None, options: Options,
             backups: files.Backups) -> Outcome:
    """Fix one tile: rounds of check and apply (one round with --dry-run), then the findings that are left."""
    outcome = Outcome()
    tile = Tile(root, cwd, caps, changes)
    first = found = runner.check(tile, rules)
    renamed: dict[str, str] = {}  # new tile-relative name -> the name it had before this run
    settings = _settings(rules)
    for _round in range(1 if options.dry_run else ROUNDS):
        plan = _Plan(tile, options, settings)
        plan.add(f for f in found if f.repair is not None and _wanted(f.repair, options))
        outcome.skipped += plan.skipped
        if options.dry_run:
            outcome.changes += plan.describe()
            break
        if not plan.taken:
            break
        outcome.changes += plan.write(backups)
        for old, new in plan.renames.items():
            renamed[new] = renamed.pop(old, old)
        tile = Tile(root, cwd, caps, changes)
        found = runner.check(tile, rules)
    outcome.skipped = list(dict.fromkeys(outcome.skipped))  # a fix tried in every round is told once
    outcome.findings = _as_tried(found, outcome.skipped) + _new_findings(tile, first, found, renamed)
    return outcome


def _as_tried(findings: list[Finding], skipped: list[Skipped]) -> list[Finding]:
    """The findings left, with what trying their fixes showed: a safe fix that turned out to need --unsafe (a
    palette image that would be over the size limit as RGB, say) is reported as such."""
    needs_unsafe = {(s.path, s.rule) for s in skipped if s.needs_unsafe}
    return [replace(f, repair=f.repair._replace(applicability=Applicability.UNSAFE))
            if f.repair is not None and (f.path, f.rule) in needs_unsafe else f for f in findings]


def _wanted(fix: Fix, options: Options) -> bool:
    return fix.applicability is Applicability.SAFE or options.unsafe or bool(fix.safe_when)


def _settings(rules: list[Rule]) -> images.Settings:
    """What the image repairs take from the rules as configured (the shipped values for rules turned off, but the
    size limit only when image/file-size is on: a write must then not cross it)."""
    from toolkit.rules import catalogue

    by_id = {r.id: r for r in catalogue()} | {r.id: r for r in rules}
    profile = by_id["image/color-profile"].params
    size = next((r.params["max_bytes"] for r in rules if r.id == "image/file-size"), None)
    return images.Settings(max_bytes=size, tolerance=profile["tolerance"], grid_steps=profile["grid_steps"])


def _new_findings(tile: Tile, before: list[Finding], after: list[Finding], renamed: dict[str, str]) -> list[Finding]:
    """A tilekit/internal-error finding for each (rule, file) with more findings after fixing than before: a fix
    must never make a finding appear, and the re-check is where that would show."""
    def key(finding: Finding, names: dict[str, str]) -> tuple[str, str]:
        return finding.rule, names.get(finding.path, finding.path)

    shown = {tile.path(new): tile.path(old) for new, old in renamed.items()}
    grown = Counter(key(f, shown) for f in after) - Counter(key(f, {}) for f in before)
    return [Finding(rule=INTERNAL_ERROR, severity=Severity.ERROR, tile=tile.display, path=path, line=None, column=None,
                    message=f"fixing this tile made a new {rule} finding appear here; this is a bug in tilekit: please "
                            "report it (the originals are in the backup folder, unless --no-backup was given)")
            for rule, path in sorted(grown) if rule != INTERNAL_ERROR]


@dataclass
class _Taken:
    """A fix accepted for this round, with its changes placed in the files they touch."""

    finding: Finding
    fix: Fix
    edits: list[tuple[Edit, tuple[int, int]]] = field(default_factory=list)  # with its [start, end) in the text
    sets: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # json-set ops: (file, args)
    renames: dict[str, str] = field(default_factory=dict)
    boms: set[str] = field(default_factory=set)
    image: str = ""  # the image whose repair this is (or whose new format this rename follows)
    shown: bool = True  # listed among the changes (a format's rename is told with the image's repair)

    def files(self) -> set[str]:
        return ({e.file for e, _w in self.edits} | {f for f, _a in self.sets} | set(self.renames)
                | set(self.renames.values()) | self.boms | ({self.image} if self.image else set()))


class _Plan:
    """One round's fixes for one tile: those that do not overlap, resolved to what each file becomes."""

    def __init__(self, tile: Tile, options: Options, settings: images.Settings) -> None:
        self.tile = tile
        self.options = options
        self.settings = images.Settings(options.crop, settings.max_bytes, settings.tolerance, settings.grid_steps)
        self.taken: list[_Taken] = []
        self.skipped: list[Skipped] = []
        self.encoded: dict[str, images.Outcome] = {}
        self.results: dict[str, bytes] = {}  # text file -> its new bytes
        self._sources: dict[str, texts.Source | texts.Refused] = {}

    @property
    def renames(self) -> dict[str, str]:
        return {old: new for taken in self.taken for old, new in taken.renames.items()}

    # -- choosing what to do -------------------------------------------------------------------------------------

    def add(self, findings: Iterable[Finding]) -> None:
        """Image repairs first (a PNG re-encoded as JPEG is renamed, which other fixes must then leave alone), then
        the rest in report order; a fix that overlaps one already taken waits for the next round."""
        requests: dict[str, list[images.Request]] = {}
        rest = []
        for finding in findings:
            fix = finding.repair
            assert fix is not None
            ops = [c for c in fix.changes if isinstance(c, Op) and c.kind == "image"]
            if len(ops) == len(fix.changes):
                allowed = fix.applicability is Applicability.SAFE or self.options.unsafe
                for op in ops:
                    requests.setdefault(op.file, []).append(images.Request(op.args, allowed, (finding, fix)))
            else:
                rest.append(finding)
        for rel, wanted in requests.items():
            self._repair_image(rel, wanted)
        for finding in rest:
            assert finding.repair is not None
            self._take(_Taken(finding, finding.repair))
        self._resolve_texts()

    def _repair_image(self, rel: str, requests: list[images.Request]) -> None:
        """The image repaired in memory: what it becomes, or why it stays."""
        entry = self.tile.entry(rel)
        data = tilepath.read_bytes(self.tile.root, rel, entry.size, entry).data
        if data is None:
            return  # gone or unreadable since it was checked: tile/unreadable's
        try:
            result = images.repair(data, requests, self.settings, lossy=self.options.unsafe)
        except Exception as exc:  # noqa: BLE001 - Pillow's many error types for data it cannot decode
            result = images.Outcome(left=[(r.fix, f"it could not be decoded ({exc})", False) for r in requests])
        self.skipped += [Skipped(self.tile.path(rel), finding.rule, why, unsafe)
                         for (finding, _fix), why, unsafe in result.left]
        if result.data is None:
            return
        self.encoded[rel] = result
        self.taken += [_Taken(finding, fix, image=rel) for finding, fix in result.done]
        if result.extension:
            self._rename_for_format(rel, result)

    def _rename_for_format(self, rel: str, result: images.Outcome) -> None:
        from toolkit.references import rename, unused_name

        new_rel = unused_name(self.tile, posixpath.splitext(rel)[0] + result.extension, rel)
        changes = rename(self.tile, rel, new_rel)
        finding, _fix = result.done[0]
        fix = Fix(f"rename it to {new_rel.rpartition('/')[2]} for its new format", changes or ())
        if changes is None or not self._take(_Taken(finding, fix, image=rel, shown=False)):
            # a reference that cannot be rewritten now: the repair waits (or is left) rather than break it
            self._drop(lambda taken: taken.image == rel, f"{rel} cannot be renamed to its new format's extension")

    def _take(self, taken: _Taken) -> bool:
        """Accept ``taken`` unless it overlaps a fix already accepted or edits a file that cannot be edited."""
        for change in taken.fix.changes:
            if isinstance(change, Edit):
                where = self._place(change)
                if where is None:
                    return self._refuse(taken, change.file)
                taken.edits.append((change, where))
            elif change.kind == "json-set":
                placed = self._json_edit(change.file, dict(change.args))
                if placed is None:
                    return self._refuse(taken, change.file)
                taken.edits.append(placed)
                taken.sets.append((change.file, dict(change.args)))
            elif change.kind == "rename":
                taken.renames[change.file] = change.args["to"]
            elif change.kind == "strip-bom":
                taken.boms.add(change.file)
        if any(self._clash(taken, other) for other in self.taken):
            return False
        self.taken.append(taken)
        return True

    @staticmethod
    def _clash(new: _Taken, old: _Taken) -> bool:
        for edit, (start, end) in new.edits:
            for other, (o_start, o_end) in old.edits:
                if edit.file == other.file and (start < o_end and o_start < end or start == end == o_start == o_end):
                    return True
        names = set(old.renames) | set(old.renames.values())
        return any(old_name in names or new_name in names for old_name, new_name in new.renames.items())

    def _refuse(self, taken: _Taken, rel: str) -> bool:
        source = self._source(rel)
        why = str(source) if isinstance(source, texts.Refused) else "its edit falls outside the file"
        self.skipped.append(Skipped(taken.finding.path, taken.finding.rule, f"{rel} is not edited: {why}"))
        return False

    def _source(self, rel: str) -> texts.Source | texts.Refused:
        """The file as stored, when it is exactly the text the checks read (never a file that did not parse)."""
        if rel not in self._sources:
            checked = self.tile.text(rel)
            data = tilepath.read_bytes(self.tile.root, rel, self.tile.limits.cap(rel), self.tile.entry(rel)).data
            try:
                if not checked.ok or checked.decode_error or data is None:
                    raise texts.Refused(checked.reason or "it is not valid UTF-8 text")
                source = texts.Source.decode(data)
                if source.text != checked.text:
                    raise texts.Refused("it changed since it was checked")
                doc = self.tile.json(rel) if rel.endswith(".json") else None
                if doc is not None and doc.error is not None:
                    raise texts.Refused("it is not valid JSON")
                self._sources[rel] = source
            except texts.Refused as exc:
                self._sources[rel] = exc
        return self._sources[rel]

    def _place(self, edit: Edit) -> tuple[int, int] | None:
        source = self._source(edit.file)
        if isinstance(source, texts.Refused):
            return None
        start, end = texts.span(texts.offsets(source.text), edit)
        return (start, end) if 0 <= start <= end <= len(source.text) else None

    def _json_edit(self, rel: str, args: dict[str, Any]) -> tuple[Edit, tuple[int, int]] | None:
        source = self._source(rel)
        if isinstance(source, texts.Refused):
            return None
        try:
            [edit] = texts.json_edits(rel, source.text, [args])
        except texts.Refused as exc:
            self._sources[rel] = exc
            return None
        return edit, texts.span(texts.offsets(source.text), edit)

    def _resolve_texts(self) -> None:
        """Each edited text file's new bytes; a file whose result is refused drops every fix that touches it."""
        edited = sorted({rel for t in self.taken for rel in {e.file for e, _w in t.edits} | t.boms})
        self.results = {}
        for rel in edited:
            source = self._source(rel)
            assert not isinstance(source, texts.Refused)
            try:
                new = texts.apply(source, [e for t in self.taken for e, _w in t.edits if e.file == rel])
                sets = [args for t in self.taken for f, args in t.sets if f == rel]
                if sets:
                    doc = self.tile.json(rel)
                    assert doc is not None
                    texts.check_json(rel, new.text, texts.expected_json(doc.value, sets))
            except texts.Refused as exc:
                self._drop(lambda taken, rel=rel: rel in taken.files(), f"{rel} is not edited: {exc}")
                return self._resolve_texts()
            self.results[rel] = new.encode(keep_bom=not any(rel in t.boms for t in self.taken))

    def _drop(self, which: Any, why: str) -> None:
        """Give up the fixes ``which`` selects, and with an image's repair everything that depends on it."""
        dropped = [t for t in self.taken if which(t)]
        images_dropped = {t.image for t in dropped if t.image}
        dropped += [t for t in self.taken if t.image in images_dropped and t not in dropped]
        for rel in images_dropped:
            self.encoded.pop(rel, None)
        self.taken = [t for t in self.taken if t not in dropped]
        self.skipped += [Skipped(t.finding.path, t.finding.rule, why) for t in dropped if t.shown]

    # -- doing it -------------------------------------------------------------------------------------------------

    def describe(self) -> list[Change]:
        """--dry-run: what would change, with a unified diff for each text file."""
        import difflib

        diffs = {}
        for rel, data in self.results.items():
            source = self._source(rel)
            assert not isinstance(source, texts.Refused)
            shown = self.tile.path(rel)
            diffs[rel] = "".join(difflib.unified_diff(source.text.splitlines(True),
                                                      texts.Source.decode(data).text.splitlines(True),
                                                      f"a/{shown}", f"b/{shown}"))
        return self._changes(diffs)

    def _changes(self, diffs: dict[str, str] | None = None) -> list[Change]:
        out = []
        renames = self.renames
        for taken in self.taken:
            if not taken.shown:
                continue
            rel = taken.image or taken.fix.changes[0].file
            result = self.encoded.get(rel)
            title = taken.fix.title
            if result is not None and result.extension:
                title += f", and re-encode it as JPEG named {renames[rel].rpartition('/')[2]} to fit the size limit"
            out.append(Change(self.tile.path(rel), taken.finding.rule, title, (diffs or {}).pop(rel, "")))
        return sorted(out, key=lambda change: change.path)  # stable: each file's changes together, in fix order

    def write(self, backups: files.Backups) -> list[Change]:
        """Make the round's changes in an order that an interruption cannot hurt: originals saved; new names made
        while the old ones still exist; files replaced, each atomically; old names removed last. Interrupted
        anywhere, every file is whole and every reference names a file that exists."""
        root, renames = self.tile.root, self.renames
        touched = sorted(set(self.results) | set(self.encoded) | set(renames))
        for rel in touched:
            backups.save(root, rel)
        in_one_step = set()
        for old, new in renames.items():
            if old in self.encoded:
                files.write(root / new, self.encoded[old].data or b"", mode_from=root / old, exclusive=True)
            elif not files.link(root / old, root / new):
                in_one_step.add(old)
            backups.made(root / new)
        for rel, result in self.encoded.items():
            if rel not in renames:
                files.write(root / rel, result.data or b"")
        for rel, data in self.results.items():
            files.write(root / rel, data)
        for old, new in renames.items():
            if old in in_one_step:
                (root / old).rename(root / new)
            else:
                (root / old).unlink()
        for rel in touched:
            backups.made(root / rel)
        return self._changes()


def run(discovery: Discovery, rules: list[Rule], cwd: Path, changes: Changes | None, options: Options,
        backups: files.Backups, jobs: int = 1) -> Outcome:
    """Fix every tile; the findings left, sorted, as `tilekit validate` would report them now. With ``jobs`` > 1,
    worker processes fix tiles side by side; the outcome is the same as with one, in the same order. A file that
    cannot be written raises OSError, as it would without workers, once every tile is done."""
    caps = runner.limits(rules)
    total = Outcome(findings=runner.unreadable_folders(discovery, cwd, rules))
    backups.name_tiles(discovery.roots)
    work = functools.partial(_fix_tiles, rules=rules, cwd=cwd, caps=caps, changes=changes, options=options,
                             backups=backups)
    if jobs > 1 and len(discovery.roots) > 1:  # one tile's images can take a second: two tiles are worth it
        fixed = runner.in_workers(work, discovery.roots, jobs,
                                  lambda root, exc: _Fixed(Outcome(findings=[runner.worker_died(root, cwd, exc)])))
    else:
        fixed = work(discovery.roots)
    for outcome, used, error in fixed:
        backups.used = backups.used or used
        if error is not None:
            raise error
        total.changes += outcome.changes
        total.skipped += outcome.skipped
        total.findings += outcome.findings
    total.findings.sort(key=Finding.sort_key)
    return total


class _Fixed(NamedTuple):
    """One tile fixed in a worker: what was done, whether an original was saved, the write error that stopped it."""

    outcome: Outcome
    used: bool = False
    error: OSError | None = None


def _fix_tiles(roots: list[Path], rules: list[Rule], cwd: Path, caps: Limits, changes: Changes | None,
               options: Options, backups: files.Backups) -> list[_Fixed]:
    fixed = []
    for root in roots:
        checkpoint()
        try:
            fixed.append(_Fixed(fix_tile(root, rules, cwd, caps, changes, options, backups), backups.used))
        except OSError as exc:
            fixed.append(_Fixed(Outcome(), backups.used, exc))
            break  # as without workers: the run stops at a file it cannot write
    return fixed
