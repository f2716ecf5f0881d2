"""The ``tilekit`` command line: thin commands that parse, build, run and render."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from toolkit import __version__
from toolkit.errors import ToolkitError
from toolkit.report import FORMATS

if TYPE_CHECKING:
    from collections.abc import Callable

    from toolkit import fix as fixer
    from toolkit.fix import files
    from toolkit.gitchanges import Changes
    from toolkit.report import Report
    from toolkit.rules import Rule, Settings
    from toolkit.tile import Discovery
    from toolkit.video import Video

format_option = click.option("--format", "fmt", type=click.Choice(FORMATS),
                             help="Output format; default text, or github when GITHUB_ACTIONS=true.")
strict_option = click.option("--strict", is_flag=True, help="Exit 1 on any finding, warnings included.")
select_option = click.option("--select", multiple=True, metavar="RULE",
                             help="Only these rules or families (e.g. readme/); repeatable.")
ignore_option = click.option("--ignore", multiple=True, metavar="RULE", help="Skip these rules or families; repeatable.")
jobs_option = click.option("--jobs", type=click.IntRange(min=1), metavar="N",
                           help="Worker processes for a folder of tiles (default: the config's jobs, else the CPU "
                                "count).")
changed_since_option = click.option(
    "--changed-since", metavar="REF",
    help="Only the tiles with a file changed since the merge base of REF and the working tree (git); also checks that "
         "immutable manifest keys kept their value.")
config_option = click.option(
    "--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (default: the nearest .tilekit.toml or pyproject.toml with [tool.tilekit]).",
)


def tile_run_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options `validate` and `fix` share, in the order --help lists them."""
    for option in reversed((format_option, select_option, ignore_option, strict_option, config_option,
                            changed_since_option, jobs_option)):
        command = option(command)
    return command


class _Stopped(click.ClickException):
    """A ToolkitError, shown as click shows its own errors ("Error: ..."), with exit code 2."""

    exit_code = ToolkitError.exit_code


class _Commands(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        # Covers every command's argument handling and run (each subcommand is parsed inside the group's invoke).
        try:
            return super().invoke(ctx)
        except ToolkitError as exc:
            raise _Stopped(str(exc)) from exc


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tilekit")
def cli() -> None:
    """Scaffold and validate Datadog integration tiles."""


# (question, default) for each value `new` asks when it is not given; the limit is added where there is one.
PROMPTS = {
    "author": "Company (partner) name",
    "homepage": "Company homepage (https://...)",
    "support_email": "Support e-mail",
    "sales_email": "Sales e-mail",
    "description": "One-sentence description (at most {limit} characters)",
    "metric_prefix": "Metric prefix",
}


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


@cli.command()
@click.argument("name")
@click.option("-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Where to create the tile's folder.")
@click.option("--no-input", is_flag=True, help="Never prompt; leave placeholders for what was not given.")
@click.option("--author", help="The partner company's name.")
@click.option("--homepage", help="The partner's homepage (https://...).")
@click.option("--support-email", help="Where users get support.")
@click.option("--sales-email", help="Where users reach sales.")
@click.option("--description", help="One sentence for the tile (at most 80 characters; 70 for Marketplace).")
@click.option("--metric-prefix", help="Prefix of the tile's metrics (default: the folder name and a dot).")
@click.option("--category", "categories", multiple=True, metavar="CATEGORY",
              help="A Category:: classifier tag, e.g. Cloud or 'Cost Management'; repeatable.")
@click.option("--supported-os", "supported_os", multiple=True, metavar="OS",
              help="A Supported OS:: tag (Linux, Windows, macOS, Any, ...); repeatable. Default: Linux, Windows, macOS.")
@click.option("--marketplace/--no-marketplace", default=None,
              help="A Marketplace listing: folder <partner>_<app>, vendor_id and pricing.")
def new(name: str, output_dir: Path, no_input: bool, marketplace: bool | None, categories: tuple[str, ...],
        supported_os: tuple[str, ...], **values: str | None) -> None:
    """Lay out a new tile, NAME being the offering's name (e.g. "Acme Cloud")."""
    import shlex

    from toolkit import scaffold
    from toolkit.report import location
    from toolkit.tile import display_path

    scaffold.check_name(name)  # before any prompt or file: a bad name wastes nothing
    tags = scaffold.check_tags(categories, "Category"), scaffold.check_tags(supported_os, "Supported OS")
    interactive = not no_input and stdin_is_terminal()
    if interactive and marketplace is None:
        marketplace = click.confirm("Marketplace listing?", default=False)
    marketplace = bool(marketplace)
    for key, given in values.items():  # options are checked like typed answers, before anything is written
        if given:
            try:
                values[key] = scaffold.check_answer(key, given, marketplace)
            except ValueError as exc:
                raise ToolkitError(f"--{key.replace('_', '-')} {given!r}: {exc}") from None
    if interactive:
        _ask(name, output_dir, marketplace, values)
    answers = scaffold.Answers(name=name, marketplace=marketplace, categories=tags[0], supported_os=tags[1],
                               **values)
    cwd = Path.cwd()
    target, findings = scaffold.generate(answers, output_dir, cwd)
    where = shlex.quote(display_path(target, cwd))
    click.echo(f"Created {where}/ for {name.strip()!r}.")
    click.echo("Carousel images go in images/: 1440x810 px (16:9), RGB with an sRGB profile, at most 1,000,000 "
               "bytes, listed in tile.media with a caption of at most 300 characters (`tilekit rules image/`).")
    if findings:
        placeholders = sum(f.rule == "tile/placeholder" for f in findings)
        click.echo(f"Fill in its {placeholders} placeholders and add what it still lacks, then run "
                   f"`tilekit validate {where}`:")
        for finding in findings:
            click.echo(f"  {location(finding)}: {finding.message}")
    else:
        click.echo(f"Check it any time with `tilekit validate {where}`.")


def _ask(name: str, output_dir: Path, marketplace: bool, values: dict[str, str | None]) -> None:
    """Prompt for each value not given, checking each answer as it is typed and asking again with the reason.
    The target folder is checked before the first question, so no answer is typed in vain."""
    from toolkit import scaffold

    def check(key: str) -> Any:
        def proc(text: str) -> str | None:
            if not text.strip():
                return None  # skipped: a placeholder goes there
            try:
                return scaffold.check_answer(key, text, marketplace)
            except ValueError as exc:
                raise click.BadParameter(str(exc)) from None
        return proc

    def target_is_free() -> None:
        folder = output_dir / scaffold.folder_name(scaffold.Answers(name=name, marketplace=marketplace,
                                                                    author=values["author"]))
        if folder.exists() or folder.is_symlink():
            raise ToolkitError(f"{folder} already exists; tilekit new never overwrites or merges into a folder: "
                               "choose another --output-dir or name")

    if not marketplace:
        target_is_free()
    for key, question in PROMPTS.items():
        if values[key]:
            continue
        default = f"{scaffold.slug(name, '_')}." if key == "metric_prefix" else ""
        question = question.format(limit=scaffold.description_limit(marketplace))
        values[key] = click.prompt(question, default=default, show_default=bool(default), value_proc=check(key))
        if key == "author" and marketplace:
            target_is_free()  # a Marketplace folder is named after the partner


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@tile_run_options
@click.option("--no-cache", is_flag=True,
              help="Check every tile, even one unchanged since a run that checked it (whose findings are otherwise "
                   "recalled from the user's cache).")
def validate(paths: tuple[str, ...], fmt: str | None, select: tuple[str, ...], ignore: tuple[str, ...],
             strict: bool, config_file: Path | None, changed_since: str | None, jobs: int | None,
             no_cache: bool) -> None:
    """Check tiles: a tile folder, a folder of tiles, or files inside tiles (default: the current folder)."""
    from toolkit import runner
    from toolkit.report import Report
    from toolkit.tile import display_path

    cwd = Path.cwd()
    enabled, settings = _enabled_rules("tile", config_file, cwd, select, ignore)
    found, changes = _tiles(paths, cwd, changed_since)
    workers = _workers(jobs, settings)
    cache = None
    if not no_cache and changes is None:  # with --changed-since, findings depend on git's history too
        from toolkit.tilecache import TileCache

        cache = TileCache(enabled, cwd)
    findings = runner.run(found, enabled, cwd, changes, jobs=workers, cache=cache)
    tiles = [display_path(r, cwd) for r in found.roots]
    note = f"no tile changed since {changed_since}; nothing checked" if changes and not tiles else ""
    _emit(Report(findings, tiles, enabled, stray_files=found.stray_files, note=note), fmt, strict)


def _workers(jobs: int | None, settings: Settings) -> int:
    """--jobs, else the config's jobs, else the CPU count."""
    return jobs or settings.jobs or os.cpu_count() or 1


def _tiles(paths: tuple[str, ...], cwd: Path, changed_since: str | None) -> tuple[Discovery, Changes | None]:
    """The tiles PATHs name (the current folder without any), only those git sees changed with --changed-since."""
    from toolkit.tile import discover

    found = discover(paths or ["."], cwd)
    if changed_since is None:
        return found, None
    from toolkit.gitchanges import changed_since as git_changes

    changes = git_changes(changed_since, cwd)
    return found._replace(roots=[root for root in found.roots if changes.touches(root)],
                          unreadable={f: why for f, why in found.unreadable.items() if changes.touches(f)}), changes


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--unsafe", is_flag=True,
              help="Also make the fixes that change what a viewer sees: padding, cropping, lossy compression, renamed "
                   "headings.")
@click.option("--crop", is_flag=True, help="Reach an image's 16:9 by cropping its centre instead of padding (with --unsafe).")
@click.option("--dry-run", is_flag=True, help="Write nothing: show each change that would be made (diffs for text).")
@click.option("--no-backup", is_flag=True, help="Do not copy the originals to the backup folder first.")
@tile_run_options
def fix(paths: tuple[str, ...], unsafe: bool, crop: bool, dry_run: bool, no_backup: bool, fmt: str | None,
        select: tuple[str, ...], ignore: tuple[str, ...], strict: bool, config_file: Path | None,
        changed_since: str | None, jobs: int | None) -> None:
    """Repair what can be repaired in tiles, then report what is left. Originals are saved outside the tile first."""
    from toolkit import fix as fixer
    from toolkit.fix import files
    from toolkit.report import Report
    from toolkit.tile import display_path

    if crop and not unsafe:
        raise click.UsageError("--crop changes what a viewer sees: it goes with --unsafe")
    cwd = Path.cwd()
    enabled, settings = _enabled_rules("tile", config_file, cwd, select, ignore)
    found, changes = _tiles(paths, cwd, changed_since)
    backups = files.Backups(None if no_backup or dry_run else files.default_folder())
    options = fixer.Options(unsafe=unsafe, crop=crop, dry_run=dry_run)
    try:
        outcome = fixer.run(found, enabled, cwd, changes, options, backups, _workers(jobs, settings))
    except OSError as exc:
        where = f"; the originals of what was changed are in {backups.folder}" if backups.used else ""
        raise ToolkitError(f"cannot write {exc.filename or 'a file'}: {exc.strerror or exc}{where}") from exc
    fmt = fmt or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    _fix_summary(outcome, dry_run, backups, to_stderr=fmt != "text")
    tiles = [display_path(r, cwd) for r in found.roots]
    note = f"no tile changed since {changed_since}; nothing fixed" if changes and not tiles else ""
    _emit(Report(outcome.findings, tiles, enabled, stray_files=found.stray_files, note=note), fmt, strict)


def _fix_summary(outcome: fixer.Outcome, dry_run: bool, backups: files.Backups, to_stderr: bool) -> None:
    """What was changed (or would be), what was tried and not changed, and where the originals are."""
    verb = "would fix" if dry_run else "fixed"
    lines = []
    for change in outcome.changes:
        lines.append(f"{change.path}: {verb} {change.rule}: {change.title}")
        if change.diff:
            lines.append(change.diff.rstrip("\n"))
    lines += [f"{skipped.path}: not fixed {skipped.rule}: {skipped.why}" for skipped in outcome.skipped]
    if not outcome.changes:
        lines.append("nothing to fix" if not dry_run else "nothing would be fixed")
    elif backups.used:
        lines.append(f"originals saved in {backups.folder}")
    click.echo("\n".join(lines) + ("\n" if not to_stderr else ""), err=to_stderr)


@cli.command()
@click.argument("path", required=False, default=".", type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write (default: <tile>-preview.html in the current folder; never inside the tile).")
@click.option("--open", "open_it", is_flag=True, help="Open the page in the default browser.")
@config_option
def preview(path: str, output: Path | None, open_it: bool, config_file: Path | None) -> None:
    """Write one self-contained HTML page that shows the tile as Datadog's integrations page does, with every
    finding of `tilekit validate` marked where it applies."""
    from toolkit import preview as pages
    from toolkit import runner
    from toolkit.tile import Tile, discover, display_path
    from toolkit.tilepath import is_inside

    cwd = Path.cwd()
    found = discover([path], cwd)
    if len(found.roots) != 1:
        named = ", ".join(display_path(r, cwd) for r in found.roots[:5]) or "none"
        raise ToolkitError(f"{path}: preview shows one tile; name one of them ({named})")
    root = found.roots[0]
    target = (output or cwd / f"{root.name}-preview.html").absolute()
    if is_inside(root, target) or target.parent == root:
        raise ToolkitError(f"{target}: the preview is never written inside the tile; choose another -o")
    enabled, _settings = _enabled_rules("tile", config_file, cwd)
    tile = Tile(root, cwd, runner.limits(enabled))
    findings = sorted(runner.check(tile, enabled), key=lambda f: f.sort_key())
    html = pages.render(pages.page(tile, findings))
    try:
        from toolkit.atomic import write

        write(target, html.encode("utf-8"))
    except OSError as exc:
        raise ToolkitError(f"cannot write {target}: {exc.strerror or exc}") from exc
    shown = display_path(target, cwd)
    errors = sum(1 for f in findings if f.severity.value == "error")
    click.echo(f"wrote {shown}: {tile.display}, {len(findings)} finding{'s' if len(findings) != 1 else ''} marked "
               f"({errors} error{'s' if errors != 1 else ''})")
    if open_it:
        import webbrowser

        webbrowser.open(target.as_uri())


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--caption", help="The caption the video will have in the carousel (checked for length).")
@click.option("--partner", help="Your partner name, as the file name must start (with --app).")
@click.option("--app", help="Your app name, as the file name must end before .mp4 (with --partner).")
@format_option
@click.option("--ffprobe", "ffprobe_option", metavar="PATH",
              help="The ffprobe binary (default: $TILEKIT_FFPROBE, then ffprobe on PATH).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30, show_default=True,
              help="Seconds ffprobe may take before the video is reported unreadable.")
@strict_option
@config_option
@click.option("--fix", "fix_out", type=click.Path(path_type=Path), metavar="OUT",
              help="Write a conforming copy to OUT (a new .mp4, or a folder): H.264, AAC, 16:9 at 1920x1080 or more, "
                   "rotation applied; checked before it gets its name.")
@click.option("--unsafe", is_flag=True, help="With --fix: also pad to 16:9 and trim to 60 s.")
def video(file: Path, caption: str | None, partner: str | None, app: str | None, fmt: str | None,
          ffprobe_option: str | None, timeout: float, strict: bool, config_file: Path | None, fix_out: Path | None,
          unsafe: bool) -> None:
    """Check a video before e-mailing it to Datadog for the carousel: MP4, H.264, 16:9, at most 60 s."""
    from toolkit import runner
    from toolkit.report import Report
    from toolkit.video import Video, find_ffprobe

    if bool(partner) != bool(app):
        raise click.UsageError("--partner and --app go together")
    if unsafe and fix_out is None:
        raise click.UsageError("--unsafe goes with --fix OUT")
    _regular_file(file)
    cwd = Path.cwd()
    # A configured `select` is about tile rules: selecting the family runs every video rule not ignored.
    enabled, _settings = _enabled_rules("video", config_file, cwd, select=("video/",))
    ffprobe = find_ffprobe(ffprobe_option)
    subject = Video(file.absolute(), cwd, ffprobe, timeout, caption, partner, app)
    if fix_out is not None:
        subject = _fixed_video(subject, fix_out, enabled, unsafe, ffprobe, timeout)
    findings = sorted(runner.check(subject, enabled), key=lambda f: f.sort_key())
    _emit(Report(findings, [subject.display], enabled, noun="video"), fmt, strict)


def _fixed_video(source: Video, out: Path, enabled: list[Rule], unsafe: bool, ffprobe: str, timeout: float) -> Video:
    """Make the conforming copy of ``source`` at OUT and return it, checked, for the report; exit 1 with the copy's
    findings (and no OUT) when it still fails a rule."""
    from toolkit import runner
    from toolkit.fix import video as converter
    from toolkit.tile import display_path
    from toolkit.video import Video

    if out.is_dir():
        out = out / (f"{source.partner}-{source.app}.mp4" if source.partner else f"{source.file.stem}.mp4")
    if out.exists() or out.is_symlink():
        raise ToolkitError(f"{out} already exists; --fix never replaces a file: name a new one")
    if not out.parent.is_dir():
        raise ToolkitError(f"{out.parent} is not a folder")
    params = {rule.id: rule.params for rule in enabled}
    limits = params.get("video/duration", {}).get("max_seconds", 60)
    ratio = tuple(params.get("video/aspect-ratio", {}).get("ratio", (16, 9)))
    least = params.get("video/resolution", {"min_width": 1920, "min_height": 1080})
    plan = converter.plan(source, unsafe, limits, (ratio[0], ratio[1]), (least["min_width"], least["min_height"]))
    ffmpeg = converter.find_ffmpeg(ffprobe)
    temporary = converter.temporary_beside(out)
    try:
        args = converter.command(ffmpeg, source.file, temporary, plan)
        with _progress(plan.seconds) as update:
            converter.run(args, plan.seconds, update)
        made = Video(temporary, Path.cwd(), ffprobe, timeout, source.caption, source.partner, source.app)
        made.name, made.display = out.name, display_path(out.absolute(), Path.cwd())
        left = [f for f in runner.check(made, enabled) if f.severity.value == "error"]
        if left:
            raise ToolkitError(f"the converted copy still fails {', '.join(sorted({f.rule for f in left}))}: "
                               f"{left[0].message}; nothing was written to {out}")
        converter.publish(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)
    changes = "; ".join(("re-encoded as H.264 in MP4", *plan.notes))
    click.echo(f"wrote {made.display}: {changes}", err=True)
    return Video(out.absolute(), Path.cwd(), ffprobe, timeout, source.caption, source.partner, source.app)


def _progress(seconds: float) -> Any:
    """A bar on a terminal (stderr), fed the seconds of video done; nothing elsewhere."""
    import contextlib

    if not sys.stderr.isatty() or seconds <= 0:
        return contextlib.nullcontext(None)

    @contextlib.contextmanager
    def bar() -> Any:
        with click.progressbar(length=int(seconds * 1000), label="Converting", file=sys.stderr) as shown:
            done = [0]

            def update(at: float) -> None:
                step = min(int(at * 1000), shown.length or 0) - done[0]
                if step > 0:
                    shown.update(step)
                    done[0] += step

            yield update

    return bar()


def _regular_file(file: Path) -> None:
    """Exit 2 unless ``file`` is a regular file: ffprobe would wait on a FIFO until its timeout."""
    import stat

    from toolkit.tilepath import os_reason, special_name

    try:
        mode = file.stat().st_mode
    except OSError as exc:
        raise ToolkitError(f"{file}: {os_reason(exc)}") from exc
    if not stat.S_ISREG(mode):
        raise ToolkitError(f"{file} is {special_name(mode)}, not a video file")


def _enabled_rules(target: str, config_file: Path | None, cwd: Path, select: tuple[str, ...] = (),
                   ignore: tuple[str, ...] = ()) -> tuple[list[Rule], Settings]:
    """One command's rules and settings: the catalogue, the config file, then the command line (which wins on
    select)."""
    from dataclasses import replace

    from toolkit import config, rules

    if config_file is not None and not config_file.is_file():
        raise ToolkitError(f"--config {config_file}: no such file")
    settings = config.load(config_file or config.find(cwd))
    settings = replace(settings, select=select or settings.select, ignore=settings.ignore + ignore)
    return [rule for rule in rules.configure(rules.catalogue(), settings) if rule.target == target], settings


def _emit(report: Report, fmt: str | None, strict: bool) -> None:
    """Print the report in the chosen format (github under Actions), write the job summary, exit."""
    from dataclasses import replace

    from toolkit.findings import exit_code
    from toolkit.report import formatters

    fmt = fmt or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    color = fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    report = replace(report, color=color)
    click.echo(formatters()[fmt](report), color=color)
    if fmt == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        _append_summary(Path(os.environ["GITHUB_STEP_SUMMARY"]), report)
    sys.exit(exit_code(report.findings, strict))


def _append_summary(path: Path, report: Report) -> None:
    from toolkit.report import github

    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(github.summary(report))
    except OSError as exc:
        raise ToolkitError(f"cannot write the job summary to {path}: {exc.strerror or exc}") from exc


@cli.command(name="rules")
@click.argument("rule", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_rules(rule: str | None, fmt: str) -> None:
    """List every rule (or RULE, a rule id or a family such as image/): id, default severity, summary,
    parameters and whether `tilekit fix` can repair it."""
    import json

    from toolkit.rules import catalogue, matches

    rules = [r for r in catalogue() if rule is None or matches(r, rule)]
    if not rules:
        import difflib

        names = [r.id for r in catalogue()] + sorted({f"{r.family}/" for r in catalogue()})
        close = difflib.get_close_matches(rule or "", names, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else "; `tilekit rules` lists them all"
        raise ToolkitError(f"no rule or family '{rule}'{hint}")
    if fmt == "json":
        payload = [
            {"id": r.id, "severity": r.severity.value, "summary": r.summary, "params": dict(r.params), "fix": r.fix,
             "help": r.help}
            for r in rules
        ]
        click.echo(json.dumps({"rules": payload}, indent=2, ensure_ascii=False))
        return
    for entry in rules:
        fixable = f", fixable{' with --unsafe' if entry.fix == 'unsafe' else ''}" if entry.fix else ""
        click.echo(f"{entry.id}  [{entry.severity.value}{fixable}]\n    {entry.summary}\n    {entry.help}")
        for name, value in entry.params.items():
            shown = json.dumps(value, ensure_ascii=False)
            # One rule asked for by name is shown whole (a vocabulary, say); the full list stays readable.
            click.echo(f"    {name}: {shown if rule or len(shown) <= 100 else shown[:97] + '...'}")
