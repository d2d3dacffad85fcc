"""What a record type declares: the parts of a registry entry (``registry.py`` lists the entries).

Field paths name a field the way an editor reads it: ``organisation``, ``stations[]`` (every item of a list),
``place.station`` (a field of a part).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

if TYPE_CHECKING:
    from ..pipeline.resolve import Catalogue

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Reference:
    """A field that names another record by its id."""

    field: str  # e.g. "stations[]"
    target: str  # the ``name`` of the record type it names, or "source" for the sources in site.yaml


@dataclass(frozen=True)
class VocabularyField:
    """A field that takes a key of a vocabulary in ``data/vocabularies.yaml``."""

    field: str  # e.g. "amenities[]"
    vocabulary: str  # e.g. "amenities"
    label: str  # what the key is, in messages: 设施


@dataclass(frozen=True)
class Page:
    """A page (or standalone document) made for every record of the type."""

    template: str  # in outputs/templates/
    path: str  # under docs, with {id}: "stations/{id}.md"


@dataclass(frozen=True)
class Listing:
    """The section page that lists every record of the type; split into pages of ``per_page`` if given."""

    template: str
    path: str  # "stories/index.md"
    per_page: int | None = None
    page_path: str = ""  # later pages: "stories/page/{}.md"
    order: Callable[[Any], Any] | None = None  # sort key; the records' id order if None
    newest_first: bool = False


@dataclass(frozen=True)
class Question:
    """A value a scaffold needs: the option ``--name`` and, at a terminal, a question."""

    name: str
    prompt: str
    choices: str = ""  # where the allowed values come from: a vocabulary, a record type's name, or "crs"
    many: bool = False  # a comma-separated list
    parse: Callable[[str], Any] = str
    default: str | None = None  # None: required; may use {today} and {district}


@dataclass(frozen=True)
class Scaffold:
    """``python -m scripts new <type>``: the template is ``editors/scaffolds/<type>.yaml``."""

    questions: tuple[Question, ...]
    id_stem: Callable[[dict[str, Any]], str]  # what a fresh id is made from
    numbered: bool  # station ids count up (xiaoge-31); others add -2, -3 only on a clash
    example: str  # a complete command, shown when options are missing (and run by the tests)


@dataclass(frozen=True)
class RecordType:
    """A kind of record and everything the pipeline derives from it."""

    name: str  # the scaffold command and the JSON Schema's file name: data/schemas/<name>.schema.json
    model: type[BaseModel]
    pattern: str  # where its files are, relative to data/ (a glob for one-record-per-file types)
    shape: Literal["record", "list", "single"]  # one per file, a list of records, or one settings file
    label: str  # its Chinese name, in messages and the editors' tables
    collection: str = ""  # the catalogue's name for all its records ("stations"); "" for settings files
    required: bool = True  # an optional file may be missing (forks and synthetic data start without it)
    references: tuple[Reference, ...] = ()
    vocabularies: tuple[VocabularyField, ...] = ()
    locations: tuple[str, ...] = ()  # points: checked against the district's bounds and stored as WGS-84
    not_after_today: tuple[str, ...] = ()  # dates of something done (verified): never later than today
    # Rules over a whole record, each giving (field path, message, hint) for what it finds: the checker reports
    # them at that field's line (a model validator could only point at the record).
    rules: tuple[Callable[[Any], Iterable[tuple[tuple[str | int, ...], str, str]]], ...] = ()
    publish_date: str = ""  # a record dated later than today is checked but held back until that date
    variable: str = ""  # the record's name in its page templates ("station")
    pages: tuple[Page, ...] = ()
    listing: Listing | None = None
    search_kind: str = ""  # the type shown on its pages' search results
    # Whether its pages' headings are the editor's (a story's) and worth indexing, not the template's.
    own_headings: bool = False
    # Templates this type adds to other pages ("home.md" → "_events_upcoming.md"), included where those
    # pages call ``panels("home.md")``, and functions its templates call.
    panels: Mapping[str, str] = field(default_factory=dict)
    template_functions: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    # Files besides pages, made from the whole catalogue: (path under docs, content).
    files: Callable[[Catalogue, str], Iterable[tuple[str, str | bytes]]] | None = None
    scaffold: Scaffold | None = None

    def __reduce__(self) -> tuple[Callable[[str], RecordType], tuple[str]]:
        """Sent to or from a worker process as its name (its hooks are lambdas, which cannot be pickled)."""
        return _registered, (self.name,)

    @property
    def one_per_file(self) -> bool:
        return self.shape == "record"

    def page_paths(self, record_id: str) -> list[str]:
        return [page.path.format(id=record_id) for page in self.pages]


def _registered(name: str) -> RecordType:
    from .registry import record_type  # the registry imports this module

    return record_type(name)
