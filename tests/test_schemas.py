"""The JSON Schemas editors use are generated from the models and kept current."""

from __future__ import annotations

import json

import jsonschema
import pytest

from conftest import DATA
from scripts.editors.schemas import generate_schemas
from scripts.pipeline.build import Project
from scripts.pipeline.load import data_files
from scripts.pipeline.yamlfile import load_yaml_file
from scripts.records.registry import RECORD_TYPES


def test_schemas_in_the_repo_are_current() -> None:
    stale = [
        path.name for path, text in generate_schemas(Project()).items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]
    assert stale == [], "run `python -m scripts schema` (or `make schema`) and commit data/schemas/"


@pytest.mark.parametrize("kind", RECORD_TYPES, ids=[k.name for k in RECORD_TYPES])
def test_shipped_data_validates_against_its_schema(kind) -> None:
    schema = json.loads((DATA / "schemas" / f"{kind.name}.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    files = data_files(DATA, kind)
    assert files
    for path in files:
        errors = [e.message for e in validator.iter_errors(load_yaml_file(path).data)]
        assert errors == [], path


def test_schema_rejects_an_unknown_amenity() -> None:
    schema = json.loads((DATA / "schemas" / "station.schema.json").read_text(encoding="utf-8"))
    station = load_yaml_file(DATA / "stations" / "xiaoge-01.yaml").data
    station["amenities"] = ["wter"]
    assert not jsonschema.Draft202012Validator(schema).is_valid(station)


def test_schema_descriptions_are_in_chinese() -> None:
    schema = json.loads((DATA / "schemas" / "station.schema.json").read_text(encoding="utf-8"))
    assert "开放时间" in schema["properties"]["hours"]["description"]
    assert "驿站名称" in schema["properties"]["name"]["description"]
