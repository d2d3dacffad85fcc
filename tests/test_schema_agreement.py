"""The JSON Schema VS Code checks as an editor types and the validator the build runs give the same answer.

Each case is one record with one thing changed, checked both ways: against data/schemas/ (as VS Code does, with
jsonschema and its format checks) and by the validator. The hand-written cases below run the real
`python -m scripts validate`; they hold the disagreements issue 19 found (hours: {}, 24 h with weekly hours, an
exception neither closed nor with periods, latitude and longitude swapped, a quoted latitude). The generated corpus
at the end changes every field of one shipped file of each record type in ten ways (deleted, null, empty, text,
"12", 0, 2.5, true, a list, a mapping), about 1,000 cases; it found that the validator took 0 for false, 0 for a
date (1970-01-01), true for a number, a period without its pattern in the schema, an event's time the schema's
date-time format refused, and an event place that was neither at a station nor at an address.

Rules JSON Schema cannot express, so only the validator applies them (not cases here): the district's bounds
(data/site.yaml) and the cross-record checks (an organisation that exists, a unique id, file name = id). Both read
YAML the same way (1.2's core schema): an unquoted 03503031234 is a number to VS Code and to the validator, which
asks for quotes.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import DATA, ROOT, TODAY, VALID_STATION, run_cli
from scripts.pipeline.build import check_file
from scripts.pipeline.load import data_files
from scripts.pipeline.problems import Problem, ProblemLog
from scripts.pipeline.resolve import build_catalogue
from scripts.pipeline.yamlfile import load_yaml_file
from scripts.records.registry import RECORD_TYPES, RecordType

WEEKLY = """hours:
  weekly:
    - days: [mo, tu, we, th, fr]
      periods: ["08:00-20:00"]
"""

CASES = {
    "as it is": (lambda text: text, True),
    "hours: {}": (lambda text: text.replace(WEEKLY, "hours: {}\n"), False),
    "24 hours": (lambda text: text.replace(WEEKLY, "hours:\n  open_24h: true\n"), True),
    "24 hours and weekly hours": (lambda text: text.replace("hours:\n", "hours:\n  open_24h: true\n"), False),
    "an exception that closes": (lambda text: text.replace(WEEKLY, WEEKLY + "  exceptions:\n"
                                                           "    - {date: 2027-02-17, closed: true}\n"), True),
    "an exception with other hours": (lambda text: text.replace(
        WEEKLY, WEEKLY + "  exceptions:\n    - {date: 2027-02-17, periods: [\"09:00-12:00\"]}\n"), True),
    "an exception neither closed nor with periods": (lambda text: text.replace(
        WEEKLY, WEEKLY + "  exceptions:\n    - {date: 2027-02-17, note: 春节}\n"), False),
    "an exception closed and with periods": (lambda text: text.replace(
        WEEKLY, WEEKLY + "  exceptions:\n    - {date: 2027-02-17, closed: true, periods: [\"09:00-12:00\"]}\n"),
        False),
    "latitude and longitude swapped": (lambda text: text.replace("lat: 38.41", "lat: 112.73")
                                       .replace("lng: 112.73", "lng: 38.41"), False),
    "a quoted latitude": (lambda text: text.replace("lat: 38.41", 'lat: "38.41"'), False),
    "a latitude past the pole": (lambda text: text.replace("lat: 38.41", "lat: 95.0"), False),
    "a field the model does not have": (lambda text: text + "wifi_password: 123\n", False),
    "an amenity not in the vocabulary": (lambda text: text.replace("[rest, water]", "[rest, wter]"), False),
    "a quoted phone number": (lambda text: text + 'phone:\n  number: "0350-3031234"\n', True),
    "an unquoted phone number with a leading zero": (lambda text: text + "phone:\n  number: 03503031234\n", False),
    "a phone number in words": (lambda text: text + "phone:\n  number: 打这个电话\n", False),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_schema_and_the_validator_agree(case: str, data_copy: Path) -> None:
    change, valid = CASES[case]
    path = data_copy / "stations" / "test-station.yaml"
    path.write_text(change(VALID_STATION), encoding="utf-8")
    schema_says = schema_check("station").is_valid(load_yaml_file(path).data)
    result = run_cli("--data", data_copy, "validate")
    validator_says = result.exit_code == 0
    assert (schema_says, validator_says) == (valid, valid), result.output
    if not valid:
        assert "test-station.yaml" in result.output and "Traceback" not in result.output


def schema_check(kind: str) -> jsonschema.Draft202012Validator:
    """The shipped schema as VS Code applies it, formats (date) included."""
    schema = json.loads((DATA / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


# --- a generated corpus ----------------------------------------------------------------------------------------
#
# Every field of the first shipped file of each record type, and each block that holds fields, is in turn deleted
# or replaced by each of these values; the two checks must agree on every result, except where the validator
# applies a rule JSON Schema cannot express (its message says which, below).

DELETE = object()
REPLACEMENTS: list[object] = [DELETE, None, "", "文字", "12", 0, 2.5, True, [], {}]

# What only the validator can know: other records (references, ids and file names, a vocabulary key other records
# use) and the district (data/site.yaml's bounds). A disagreement must be one of these.
ONLY_THE_VALIDATOR = re.compile(
    r"找不到.*（unknown reference）|（unknown vocabulary key）|（missing vocabulary）|不在辖区范围内|"
    r"（file name ≠ id）|（duplicate id）"
)


def field_paths(value: object, path: tuple = ()) -> Iterator[tuple]:
    """Every field and block, with the first item standing for each list."""
    if path:
        yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from field_paths(item, (*path, key))
    elif isinstance(value, list) and value:
        yield from field_paths(value[0], (*path, 0))


def changed(data: object, path: tuple, replacement: object) -> object:
    data = copy.deepcopy(data)
    parent = data
    for part in path[:-1]:
        parent = parent[part]  # type: ignore[index]
    if replacement is DELETE:
        del parent[path[-1]]  # type: ignore[union-attr]
    else:
        parent[path[-1]] = replacement  # type: ignore[index]
    return data


def validator_problems(kind: RecordType, path: Path, others: list, today: dt.date) -> list[Problem]:
    """What `python -m scripts validate` says, with the other files' checked records taken from ``others``."""
    problems = ProblemLog(path.parents[len(kind.pattern.split("/")) - 1].parent)
    build_catalogue(others + check_file(kind, path, ROOT / "docs", problems), today, problems)
    return list(problems)


@pytest.mark.parametrize("kind", [kind for kind in RECORD_TYPES if data_files(DATA, kind)], ids=lambda k: k.name)
def test_a_generated_corpus_gets_the_same_verdict_from_both(kind: RecordType, data_copy: Path) -> None:
    today = dt.date.fromisoformat(TODAY)
    target = data_files(data_copy, kind)[0]
    others = [checked for other_kind in RECORD_TYPES for path in data_files(data_copy, other_kind) if path != target
              for checked in check_file(other_kind, path, ROOT / "docs", ProblemLog(data_copy.parent))]
    schema = schema_check(kind.name)
    original = load_yaml_file(target).data
    disagreements, cases = [], 0
    for path in field_paths(original):
        for replacement in REPLACEMENTS:
            target.write_text(yaml.safe_dump(changed(original, path, replacement), allow_unicode=True), "utf-8")
            data = load_yaml_file(target).data
            schema_says = schema.is_valid(data)
            problems = validator_problems(kind, target, others, today)
            cases += 1
            if schema_says == (not problems):
                continue
            if schema_says and all(ONLY_THE_VALIDATOR.search(p.message) for p in problems):
                continue
            shown = "删去" if replacement is DELETE else repr(replacement)
            why = problems[0].message if problems else "; ".join(e.message for e in schema.iter_errors(data))[:200]
            disagreements.append(f"{'.'.join(map(str, path))} = {shown}: schema {schema_says}, validator "
                                 f"{not problems} ({why})")
    assert cases >= 20, f"only {cases} cases: is the first {kind.name} file nearly empty?"
    assert not disagreements, f"{len(disagreements)} of {cases} cases:\n" + "\n".join(disagreements)
