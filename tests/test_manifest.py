"""manifest/* rules, and the schema against a real, full manifest v2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import edit_manifest, findings, found, write

M = "acme_cloud/manifest.json"

# Every documented v2 block, as published marketplace and API tiles use them (REFERENCE.md A1).
FULL_MANIFEST = {
    "manifest_version": "2.0.0",
    "app_uuid": "8e0c3a1b-2f4d-4e6a-9b7c-1d2e3f4a5b6c",
    "app_id": "acme-cloud",
    "owner": "integrations-developer-platform",
    "display_on_public_website": False,
    "tile": {
        "overview": "README.md#Overview",
        "configuration": "README.md#Setup",
        "support": "README.md#Support",
        "uninstallation": "README.md#Uninstallation",
        "changelog": "CHANGELOG.md",
        "description": "Track Acme Cloud spend, quotas and API health.",
        "title": "Acme Cloud",
        "media": [
            {"media_type": "image", "caption": "The overview dashboard", "image_url": "images/overview.png"},
            {"media_type": "video", "caption": "A tour", "image_url": "images/thumb.png", "vimeo_id": 123456789},
        ],
        "classifier_tags": ["Category::Cloud", "Offering::Software License", "Supported OS::Mac OS"],
        "resources": [{"resource_type": "blog", "url": "https://www.datadoghq.com/blog/acme/"}],
    },
    "assets": {
        "integration": {
            "auto_install": False,
            "source_type_id": 10412,
            "source_type_name": "Acme Cloud",
            "configuration": {"spec": "assets/configuration/spec.yaml"},
            "events": {"creates_events": True},
            "metrics": {"prefix": "acme_cloud.", "check": ["acme_cloud.api.requests"], "metadata_path": "metadata.csv"},
            "service_checks": {"metadata_path": "assets/service_checks.json"},
        },
        "dashboards": {"Acme Cloud Overview": "assets/dashboards/acme_cloud_overview.json"},
        "monitors": {"Acme quota": "assets/monitors/quota.json"},
        "saved_views": {"acme_errors": "assets/saved_views/errors.json"},
        "oauth": "assets/oauth_clients.json",
        "logs": {"source": "acme_cloud"},
    },
    "author": {
        "name": "Acme",
        "homepage": "https://acme.example",
        "support_email": "support@acme.example",
        "sales_email": "sales@acme.example",
        "vendor_id": "acme-corp",
    },
    "oauth": {},
    "pricing": [{"billing_type": "flat_fee", "unit_price": 100, "short_description": "Monthly"}],
    "legal_terms": {"eula": "assets/eula.pdf"},
}


def test_full_real_manifest_has_no_schema_error(tile: Path) -> None:
    write(tile / "manifest.json", json.dumps(FULL_MANIFEST, indent=2))
    assert found("acme_cloud", select="manifest/") == []


def test_example_tile_manifest_is_clean(tile: Path) -> None:
    assert found("acme_cloud", select="manifest/") == []


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (lambda m: m.update(manifest_version="1.0.0"), 2, "must be \"2.0.0\""),
        (lambda m: m.update(app_uuid="not-a-uuid"), 3, "required form"),
        (lambda m: m.update(app_id="Acme_Cloud"), 4, "kebab case"),
        (lambda m: m.update(display_on_public_website="true"), 6, "boolean"),
        (lambda m: m["tile"].update(title="T" * 51), 14, "51 characters long; at most 50"),
        (lambda m: m["tile"].update(description="D" * 81), 13, "81 characters long; at most 80"),
        (lambda m: m["tile"].update(media=[{"media_type": "video", "caption": "c", "image_url": "images/t.png"}]),
         16, "'vimeo_id'"),
        (lambda m: m["tile"].update(media=[{"media_type": "video", "caption": "c", "image_url": "i.png",
                                             "vimeo_id": "123"}]), 20, "integer"),
        (lambda m: m["author"].update(support_email="support at acme"), 73, "e-mail address"),
        (lambda m: m["author"].update(homepage="acme.example"), 72, "https://"),
        (lambda m: m["author"].pop("name"), 70, "missing the required key 'name'"),
        (lambda m: m.pop("tile"), 1, "missing the required key 'tile'"),
    ],
)
def test_schema_violation_at_its_key(tile: Path, change, line: int, words: str) -> None:
    edit_manifest(tile, change)
    [f] = findings("acme_cloud", select="manifest/schema")
    assert (f["rule"], f["path"], f["line"]) == ("manifest/schema", M, line), f["message"]
    assert words in f["message"]


def test_each_violation_is_its_own_finding_with_json_path(tile: Path) -> None:
    edit_manifest(tile, lambda m: (m.update(app_id="Bad_Id"), m["tile"].update(title="T" * 60)))
    result = findings("acme_cloud", select="manifest/schema")
    assert [(f["line"], f["message"].split(" ")[0]) for f in result] == [(4, "$.app_id"), (14, "$.tile.title")]


def test_description_limit_is_80_in_extras_even_with_a_vendor_id(tile: Path) -> None:
    data = json.loads(json.dumps(FULL_MANIFEST))  # it has author.vendor_id
    data["tile"]["description"] = "D" * 71
    write(tile / "manifest.json", json.dumps(data, indent=2))
    assert findings("acme_cloud", select="manifest/schema") == []
    data["tile"]["description"] = "D" * 85
    write(tile / "manifest.json", json.dumps(data, indent=2))
    [f] = findings("acme_cloud", select="manifest/schema")  # one value, one limit: one finding
    assert f["message"] == "$.tile.description is 85 characters long; at most 80 are allowed: shorten it"


def test_marketplace_description_limit_is_70_when_the_config_says_so(tile: Path) -> None:
    data = json.loads(json.dumps(FULL_MANIFEST))
    data["tile"]["description"] = "D" * 71
    write(tile / "manifest.json", json.dumps(data, indent=2))
    write(tile.parent / ".tilekit.toml", 'repository = "marketplace"\n')
    [f] = findings("acme_cloud", select="manifest/schema")
    assert f["message"] == "$.tile.description is 71 characters long; at most 70 are allowed: shorten it"
    assert f["line"] == 13
    data["tile"]["description"] = "D" * 70  # the advice, followed
    write(tile / "manifest.json", json.dumps(data, indent=2))
    assert findings("acme_cloud", select="manifest/schema") == []


def test_wrong_top_level_type(tile: Path) -> None:
    write(tile / "manifest.json", "[1, 2]\n")
    assert found("acme_cloud", select="manifest/") == [("manifest/schema", M, 1)]


def test_invalid_json_gives_line_and_column(tile: Path) -> None:
    write(tile / "manifest.json", '{\n  "app_id": "x",\n}\n')
    [f] = findings("acme_cloud", select="manifest/")
    assert (f["rule"], f["line"], f["column"]) == ("manifest/invalid-json", 3, 1)


def test_empty_manifest(tile: Path) -> None:
    write(tile / "manifest.json", "\n")
    assert found("acme_cloud", select="manifest/") == [("manifest/invalid-json", M, None)]


def test_deep_nesting_is_a_finding_not_a_crash(tile: Path) -> None:
    write(tile / "manifest.json", "[" * 100_000 + "]" * 100_000)
    [f] = findings("acme_cloud", select="manifest/")
    assert f["rule"] == "manifest/invalid-json" and "nesting" in f["message"]


def test_duplicate_keys_point_at_the_repeat(tile: Path) -> None:
    text = (tile / "manifest.json").read_text().replace(
        '"title": "Acme Cloud",', '"title": "Acme Cloud",\n    "title": "Acme",'
    )
    write(tile / "manifest.json", text)
    [f] = findings("acme_cloud", select="manifest/")
    assert (f["rule"], f["line"]) == ("manifest/duplicate-key", 15)
    assert "first at line 14" in f["message"]


def test_unknown_classifier_tag_warns_at_its_line(tile: Path) -> None:
    edit_manifest(tile, lambda m: m["tile"]["classifier_tags"].extend(["Category::Clowd", "Category::AI/ML"]))
    [f] = findings("acme_cloud", select="manifest/")
    assert (f["rule"], f["severity"], f["line"]) == ("manifest/classifier-tag", "warning", 38)
    # A misspelling is not guessed at: the nearest string may well mean something else.
    assert f["message"] == ("classifier tag 'Category::Clowd' is not in Datadog's known list; use a tag from "
                            "Datadog's list (`tilekit rules manifest/classifier-tag`)")


def test_spellings_in_live_use_are_accepted(tile: Path) -> None:
    tags = ["Category::Data Stores", "Category::Notifications", "Category::SIEM", "Category::Message Queues",
            "Category::IoT", "Category::Mainframes", "Supported OS::macOS", "Submitted Data Type::Metrics"]
    edit_manifest(tile, lambda m: m["tile"].update(classifier_tags=tags))
    assert found("acme_cloud", select="manifest/classifier-tag") == []


@pytest.mark.parametrize(
    ("tag", "hint"),
    [
        ("Supported OS::MacOS", "write 'Supported OS::macOS'"),
        ("category::data store", "write 'Category::Data Store'"),
        ("Category::Notification ", "write 'Category::Notification'"),
        ("Category::Siem", "write 'Category::SIEM'"),
        ("Category::SIM", "use a tag from Datadog's list"),  # not SIEM, and not SNMP either
    ],
)
def test_suggestions_only_respell_the_same_tag(tile: Path, tag: str, hint: str) -> None:
    edit_manifest(tile, lambda m: m["tile"].update(classifier_tags=[tag]))
    [f] = findings("acme_cloud", select="manifest/classifier-tag")
    assert f["message"].endswith(hint if hint.startswith("write") else hint + " (`tilekit rules manifest/classifier-tag`)")
    if hint.startswith("write"):  # the advice, followed
        edit_manifest(tile, lambda m: m["tile"].update(classifier_tags=[hint.split("'")[1]]))
        assert findings("acme_cloud", select="manifest/classifier-tag") == []


def test_legacy_tag_spellings_are_accepted(tile: Path) -> None:
    tags = ["Category::OS System", "Category::Configuration Deployment", "Supported OS::Mac OS"]
    edit_manifest(tile, lambda m: m["tile"].update(classifier_tags=tags))
    assert found("acme_cloud", select="manifest/classifier-tag") == []


@pytest.mark.parametrize(
    ("check", "bad"),
    [("acme_cloud.api.requests", []), (["acme_cloud.api.requests"], []), ("acme_cloud.nope", [None]),
     (["acme_cloud.api.requests", "acme_cloud.nope"], [1]), ("", [])],
)
def test_metric_to_check_names_listed_metrics(tile: Path, check: Any, bad: list[int | None]) -> None:
    edit_manifest(tile, lambda m: m["assets"]["integration"]["metrics"].update(check=check))
    lines = (tile / "manifest.json").read_text().splitlines()
    key = next(i for i, text in enumerate(lines, 1) if '"check"' in text)
    expected = [("manifest/metric-to-check", M, key if index is None else key + 1 + index) for index in bad]
    assert found("acme_cloud", select="manifest/metric-to-check") == expected


def test_the_0_2_schema_requires_assets_sales_email_and_configuration(tile: Path) -> None:
    edit_manifest(tile, lambda m: (m["author"].pop("sales_email"), m["assets"]["integration"].pop("configuration")))
    messages = [f["message"] for f in findings("acme_cloud", select="manifest/schema")]
    assert messages == ["$.assets.integration is missing the required key 'configuration'; add it",
                        "$.author is missing the required key 'sales_email'; add it"]
    edit_manifest(tile, lambda m: m.pop("assets"))
    assert "$ is missing the required key 'assets'; add it" in [
        f["message"] for f in findings("acme_cloud", select="manifest/schema")]
