"""Log pipeline checks: ``assets/logs/<name>.yaml`` and its ``<name>_tests.yaml`` (Datadog's hosted
`validate-logs` check and the "three common validation errors" of its docs)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from toolkit.checks._schema import STRING, Check, params
from toolkit.findings import Problem
from toolkit.tile import MANIFEST, Tile
from toolkit.yamldoc import YamlDoc

FOLDER_PARAMS = params(folder=STRING, tests_suffix=STRING)


class Pair(NamedTuple):
    """A pipeline and its tests file, by their names in the tile (either may be missing: None)."""

    pipeline: str | None
    tests: str | None


def pairs(tile: Tile, folder: str, suffix: str) -> list[Pair]:
    files = [name for name in tile.files if name.startswith(f"{folder}/") and "/" not in name[len(folder) + 1:]
             and name.endswith((".yaml", ".yml")) and name not in tile.listing.special]  # a FIFO is no pipeline
    tests = {name for name in files if name.rsplit(".", 1)[0].endswith(suffix)}
    found = [Pair(name, _tests_of(name, suffix) if _tests_of(name, suffix) in tests else None)
             for name in files if name not in tests]
    paired = {pair.tests for pair in found}
    return found + [Pair(None, name) for name in sorted(tests - paired)]


def _tests_of(pipeline: str, suffix: str) -> str:
    stem, _, extension = pipeline.rpartition(".")
    return f"{stem}{suffix}.{extension}"


def _pairs(tile: Tile, params: Mapping[str, Any]) -> list[Pair]:
    return tile.memo(pairs, params["folder"], params["tests_suffix"])


def _doc(tile: Tile, name: str | None) -> YamlDoc | None:
    if name is None:
        return None
    doc = tile.yaml(name)
    return doc if doc is not None and not doc.error else None


def invalid_yaml(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Each pipeline and tests file parses as YAML into a mapping."""
    for pair in _pairs(tile, params):
        for name in (pair.pipeline, pair.tests):
            doc = tile.yaml(name) if name else None
            if doc is None:
                continue  # absent, or not text: tile/encoding and tile/unreadable say so
            if doc.error:
                yield Problem(name or "", f"not valid YAML: {doc.error}", line=doc.error_line)
            elif not isinstance(doc.value, dict):
                yield Problem(name or "", "the file is not a YAML mapping (id:, pipeline: or tests:)", line=1)


def missing_tests(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Every pipeline has its tests file, and every tests file its pipeline."""
    for pair in _pairs(tile, params):
        if pair.tests is None and pair.pipeline is not None:
            yield Problem(pair.pipeline, f"the pipeline has no tests file; add {_tests_of(pair.pipeline, params['tests_suffix'])} "
                          "with a raw log sample and the result of running it through the pipeline")
        elif pair.pipeline is None and pair.tests is not None:
            pipeline = pair.tests.replace(params["tests_suffix"] + ".", ".", 1)
            yield Problem(pair.tests, f"the tests file has no pipeline {pipeline}; add it or remove the tests")


def ids(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """The pipeline's id is the manifest's app_id (or its metric_id is); the tests' id is the pipeline's."""
    app_id = tile.manifest_get("app_id")
    for pair in _pairs(tile, params):
        pipeline, tests = _doc(tile, pair.pipeline), _doc(tile, pair.tests)
        if pipeline is None or not isinstance(pipeline.value, dict):
            continue
        given = pipeline.value.get("id")
        if isinstance(app_id, str) and given != app_id and pipeline.value.get("metric_id") != app_id:
            yield Problem(pair.pipeline or "", f"the pipeline's id is {given!r}; it must be the manifest's app_id "
                          f"{app_id!r} (or, when it must differ, set metric_id: {app_id})",
                          line=pipeline.line(("id",)))
        if tests is not None and isinstance(tests.value, dict) and tests.value.get("id") != given:
            yield Problem(pair.tests or "", f"the tests' id is {tests.value.get('id')!r}; it must be the pipeline's "
                          f"id {given!r}", line=tests.line(("id",)))


def results(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """Each test has a sample and the non-empty result of running it through the pipeline."""
    for pair in _pairs(tile, params):
        tests = _doc(tile, pair.tests)
        if tests is None or not isinstance(tests.value, dict):
            continue
        cases = tests.value.get("tests")
        if not isinstance(cases, list) or not cases:
            yield Problem(pair.tests or "", "the file has no tests: list at least one sample with its result",
                          line=tests.line(("tests",)))
            continue
        for index, case in enumerate(cases):
            where = tests.line(("tests", index))
            if not isinstance(case, dict) or not case.get("sample"):
                yield Problem(pair.tests or "", f"test {index + 1} has no sample (a raw log line)", line=where)
            elif not case.get("result"):
                yield Problem(pair.tests or "", f"test {index + 1} has no result: give what the pipeline makes of the "
                              "sample (Datadog's docs name this the most common validation error)", line=where)


def manifest(tile: Tile, params: Mapping[str, Any]) -> Iterator[Problem]:
    """A tile that ships a pipeline declares assets.logs in its manifest."""
    shipped = [pair.pipeline for pair in _pairs(tile, params) if pair.pipeline]
    doc = tile.parsed_manifest
    if not shipped or doc is None or tile.manifest_get("assets", "logs"):
        return
    line, column = doc.position(("assets",))
    yield Problem(MANIFEST, f"the tile ships the log pipeline {shipped[0]} but the manifest has no assets.logs; add "
                  "\"logs\": {\"source\": \"<your log source>\"} (the README then needs ## Data Collected)",
                  line=line, column=column)


CHECKS = {
    "logs.invalid_yaml": Check(invalid_yaml, FOLDER_PARAMS),
    "logs.missing_tests": Check(missing_tests, FOLDER_PARAMS),
    "logs.id": Check(ids, FOLDER_PARAMS),
    "logs.result": Check(results, FOLDER_PARAMS),
    "logs.manifest": Check(manifest, FOLDER_PARAMS),
}
