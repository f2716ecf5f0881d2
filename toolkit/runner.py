"""Run the enabled rules over tiles, one tile at a time, and stamp what the checks report."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from toolkit.errors import ToolkitError
from toolkit.findings import INTERNAL_ERROR, Finding, Problem, Severity, clipped, printable
from toolkit.interrupt import checkpoint
from toolkit.rules import Rule
from toolkit.tile import Discovery, Limits, Tile, display_path

if TYPE_CHECKING:
    from toolkit.gitchanges import Changes
    from toolkit.tilecache import Stamp, TileCache

UNREADABLE = "tile/unreadable"
T = TypeVar("T")


class Subject(Protocol):
    """What checks run on: a Tile, or a Video for `tilekit video`."""

    display: str

    def path(self, name: str) -> str: ...


def check(subject: Subject, rules: Iterable[Rule]) -> list[Finding]:
    """Every enabled rule's findings on one subject, one per defect. A rule that crashes costs only its own
    findings: it becomes a tilekit/internal-error finding, and the other rules still run."""
    from toolkit.checks import CHECKS  # here, not at the top: a run whose tiles are all remembered never needs them

    found: list[tuple[Rule, Problem]] = []
    crashed: list[Finding] = []
    for rule in rules:
        if rule.check is None:
            continue  # reported by the runner itself
        try:
            found += [(rule, problem) for problem in CHECKS[rule.check].run(subject, rule.params)]
        except ToolkitError:
            raise
        except Exception as exc:  # noqa: BLE001 - any bug in a check; reported, never a traceback
            crashed.append(_internal_error(subject, rule, exc))
    tile, kept = printable(subject.display), _one_per_defect(found)
    return crashed + [
        Finding(rule=rule.id, severity=rule.severity, tile=tile, path=printable(subject.path(p.file)), line=p.line,
                column=p.column, message=printable(p.message), repair=p.fix if rule.fix else None)
        for rule, p in kept
    ]


def _one_per_defect(found: list[tuple[Rule, Problem]]) -> list[tuple[Rule, Problem]]:
    """Drop what another finding already explains: a rule's ``supersedes`` (rules data) names the rules whose
    findings on the same defect it explains, the same defect being the same key, or the same file and line
    (the same whole file, for findings without a line)."""
    explained: set[tuple[str, str, Any]] = set()
    for rule, problem in found:
        for victim in rule.supersedes:
            explained.add((victim, problem.file, problem.line))
            if problem.key is not None:
                explained.add((victim, "", problem.key))
    return [(rule, p) for rule, p in found
            if (rule.id, p.file, p.line) not in explained and (rule.id, "", p.key) not in explained]


def _internal_error(subject: Subject, rule: Rule, exc: Exception) -> Finding:
    detail = _brief(str(exc))
    return Finding(
        rule=INTERNAL_ERROR, severity=Severity.ERROR, tile=printable(subject.display),
        path=printable(subject.path("")), line=None, column=None,
        message=f"the rule {rule.id} crashed on this tile ({type(exc).__name__}: {detail}); its findings are "
                "missing, every other rule ran. This is a bug in tilekit: please report it with the tile's files",
    )


def limits(rules: Iterable[Rule]) -> Limits:
    """The size caps for reading text files: tile/unreadable's parameters, as configured, or as shipped
    when that rule is not enabled (the caps protect every rule that reads)."""
    from toolkit.rules import catalogue

    rule = next((r for r in rules if r.id == UNREADABLE), None)
    rule = rule or next(r for r in catalogue() if r.id == UNREADABLE)
    return Limits(rule.params["max_bytes"])


def run(discovery: Discovery, rules: list[Rule], cwd: Path, changes: Changes | None = None,
        jobs: int = 1, cache: TileCache | None = None) -> list[Finding]:
    """Findings over every tile, sorted; each tile is dropped once checked, so memory stays flat. With ``jobs`` > 1
    and enough tiles, worker processes check batches of tiles; the sorted result is the same as with one. With a
    ``cache``, a tile unchanged since a run that checked it is not checked again: its findings are recalled."""
    # Everything alive now (modules, rules, the discovery) lives as long as the run: kept out of the collector's
    # scans, which each parsed dashboard's thousands of objects would otherwise trigger again and again, and out of
    # the pages a forked worker would copy by touching them.
    gc.freeze()
    caps = limits(rules)
    findings = unreadable_folders(discovery, cwd, rules)
    roots = []
    for root in discovery.roots:
        checkpoint()
        recalled = cache.recall(Tile(root, cwd, caps, changes)) if cache else None
        if recalled is None:
            roots.append(root)
        else:
            findings += recalled
    work = functools.partial(_check_tiles, rules=rules, cwd=cwd, caps=caps, changes=changes,
                             stamp=cache.stamp if cache else None)
    if jobs > 1 and len(roots) >= _PARALLEL_FROM:
        checked = in_workers(work, roots, jobs, lambda root, exc: (root, [worker_died(root, cwd, exc)], None))
    else:
        checked = work(roots)
    for root, found, entry in checked:
        findings += found
        if cache and entry:
            cache.keep(root, entry)
    if cache:
        cache.save()
    findings.sort(key=Finding.sort_key)
    return findings


_PARALLEL_FROM = 16  # fewer tiles than this are checked faster than worker processes start

# A checked tile: its root, its findings, and what the cache is to keep of it (None: nothing).
Checked = tuple[Path, list[Finding], dict[str, Any] | None]


def _check_tiles(roots: list[Path], rules: list[Rule], cwd: Path, caps: Limits, changes: Changes | None,
                 stamp: Stamp | None) -> list[Checked]:
    checked = []
    for root in roots:
        checkpoint()
        tile = Tile(root, cwd, caps, changes)
        findings = check(tile, rules)
        checked.append((root, findings, stamp.entry(tile, findings) if stamp else None))
    return checked


def in_workers(work: Callable[[list[Path]], list[T]], roots: list[Path], jobs: int,
               died: Callable[[Path, Exception], T]) -> list[T]:
    """``work`` (picklable: a module-level function or a partial of one) over batches of tiles in worker processes
    (toolkit.workers), its results in the order of ``roots``. A batch whose worker died (or failed) is done again one
    tile per process, so that only the tile that kills its process gets ``died(root, exception)``."""
    from toolkit import workers

    size = max(1, len(roots) // (jobs * 4))
    batches = [roots[i:i + size] for i in range(0, len(roots), size)]
    done: list[T] = []
    for batch, result in zip(batches, workers.run(work, batches, jobs)):
        if isinstance(result, list):
            done += result
            continue
        for root in batch:
            [alone] = workers.run(work, [[root]], 1)
            done += alone if isinstance(alone, list) else [died(root, alone)]
    return done


def worker_died(root: Path, cwd: Path, exc: Exception) -> Finding:
    shown = printable(display_path(root, cwd))
    return Finding(rule=INTERNAL_ERROR, severity=Severity.ERROR, tile=shown, path=shown, line=None, column=None,
                   message=f"the worker process checking this tile stopped ({_why(exc)}); its findings are "
                           "missing, the other tiles were checked. This is a bug in tilekit: please report it with "
                           "the tile's files (`--jobs 1` works without workers)")


def _why(exc: Exception) -> str:
    from toolkit.workers import WorkerLost

    return _brief(str(exc)) if isinstance(exc, WorkerLost) else type(exc).__name__


def _brief(text: str) -> str:
    return clipped(printable(text), 200)


def unreadable_folders(discovery: Discovery, cwd: Path, rules: Iterable[Rule]) -> list[Finding]:
    """The folders among the tiles that could not be looked into: each may be a tile, so each is reported."""
    rule = next((r for r in rules if r.id == UNREADABLE), None)
    if rule is None:
        return []
    shown = {folder: printable(display_path(folder, cwd)) for folder in discovery.unreadable}
    return [Finding(rule=rule.id, severity=rule.severity, tile=shown[folder], path=shown[folder], line=None,
                    column=None, message=f"cannot look into this folder to see whether it is a tile: {why}")
            for folder, why in discovery.unreadable.items()]
