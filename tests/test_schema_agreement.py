"""The JSON Schema VS Code checks as an editor types and the validator the build runs give the same answer.

Each case is one station record with one thing changed, checked both ways: against data/schemas/ (as VS Code
does, with jsonschema) and by the real `python -m scripts validate`. The disagreements issue 19 found (hours: {},
24 h with weekly hours, an exception neither closed nor with periods, latitude and longitude swapped, a quoted
latitude) are among them.

Rules JSON Schema cannot express, so only the validator applies them (not cases here): the district's bounds
(data/site.yaml) and the cross-record checks (an organisation that exists, a unique id, file name = id). Both read
YAML the same way (1.2's core schema): an unquoted 03503031234 is a number to VS Code and to the validator, which
asks for quotes.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conftest import DATA, VALID_STATION, run_cli
from scripts.pipeline.yamlfile import load_yaml_file

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
    schema = json.loads((DATA / "schemas" / "station.schema.json").read_text(encoding="utf-8"))
    schema_says = jsonschema.Draft202012Validator(schema).is_valid(load_yaml_file(path).data)
    result = run_cli("--data", data_copy, "validate")
    validator_says = result.exit_code == 0
    assert (schema_says, validator_says) == (valid, valid), result.output
    if not valid:
        assert "test-station.yaml" in result.output and "Traceback" not in result.output
