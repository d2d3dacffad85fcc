"""Load stage: read one YAML file safely and remember where every value came from.

PyYAML's safe loader is used, with three changes that matter to editors:

* YAML 1.1's surprises are switched off: ``12:30`` stays a string instead of
  becoming the number 750, ``no`` and ``on`` stay strings, and dates stay
  strings so an impossible date becomes a clear validation error rather than
  a traceback. Plain values are read as YAML 1.2's core schema reads them
  (``true``/``false``, ``null``, numbers, strings), as VS Code does.
* Anchors and aliases are refused, which also defuses "billion laughs" bombs.
* Duplicate keys are reported instead of silently keeping the last one.
* A file larger than ``MAX_FILE_BYTES``, or nested deeper than ``MAX_DEPTH``
  (which would crash the recursive composer), is refused before it is parsed.

Every node's line and column is kept so that later stages can point at them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .limits import MAX_DEPTH, MAX_FILE_BYTES

FieldPath = tuple[str | int, ...]

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader with YAML-1.2-like plain scalars (see module docstring)."""

    yaml_implicit_resolvers: dict = {}


# YAML 1.2's core schema, which VS Code's YAML extension (and the JSON Schemas) read the files with: an unquoted
# 03503031234 is the number 3503031234 there, so it is a number here too and a phone number written that way is
# refused with "加上引号" instead of passing here and being marked red in the editor.
for _tag, _pattern, _first in [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$",
        "-+0123456789.",
    ),
]:
    _StrictLoader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    """YAML 1.2 integers: 0350 is 350 (PyYAML's YAML 1.1 reading would make it octal 232)."""
    text = loader.construct_scalar(node)
    if len(text) > 30:  # no field holds such a number, and Python refuses to convert one of 4,300 digits
        raise YamlFileError(node.start_mark.line + 1, node.start_mark.column + 1,
                            f"数字太长：{len(text):,} 位（number too long）。",
                            "检查是否粘贴错了；电话号码、编号这样的文字要加引号，如 \"0350-3031234\"。")
    if text.startswith(("0o", "0x")):
        return int(text[2:], 8 if text[1] == "o" else 16)
    return int(text, 10)


_StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


@dataclass
class Position:
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class _PositionIndex:
    values: dict[FieldPath, Position] = field(default_factory=dict)
    keys: dict[FieldPath, Position] = field(default_factory=dict)
    blocks: set[FieldPath] = field(default_factory=set)  # paths whose value is a mapping or list
    scalars: dict[FieldPath, yaml.ScalarNode] = field(default_factory=dict)  # text that may span lines


# YAML's line breaks (https://yaml.org/spec/1.1/#id871136): PyYAML counts lines with these.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
# ``found(text)`` says where in ``text`` a rule's offending text starts, or None if it is not there.
Finder = Callable[[str], int | None]


@dataclass
class YamlDocument:
    """The data of one file, and its node tree for finding where a value came from.

    Positions are indexed only when a problem needs one: most files have none,
    and indexing every node of 10,000 files cost more than parsing them.
    """

    path: Path
    data: Any
    root: yaml.Node | None = field(default=None, repr=False)
    _positions: _PositionIndex | None = field(default=None, repr=False)
    _lines: list[str] | None = field(default=None, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        """Sent to another process without its nodes (most of its size): ``locate`` reads them again."""
        return {**self.__dict__, "root": None, "_positions": None, "_lines": None}

    def _index(self) -> _PositionIndex:
        if self._positions is None:
            self._positions = _PositionIndex()
            # A document checked in another process comes without its nodes: read them again.
            root = self.root if self.root is not None else load_yaml_file(self.path, _UNLIMITED).root
            if root is not None:
                _index(root, (), self._positions)
        return self._positions

    def locate(self, path: FieldPath, at_key: bool = False) -> Position:
        """Where ``path`` is, or its nearest existing parent (for missing fields).

        A mapping or list value starts on the line after its key, so problems
        with a whole block point at the key ("hours:"), as do ``at_key`` ones.
        """
        index = self._index()
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if prefix in index.keys and (at_key or prefix in index.blocks):
                return index.keys[prefix]
            if prefix in index.values:
                return index.values[prefix]
        return Position(1, 1)

    def locate_text(self, path: FieldPath, found: Finder) -> Position:
        """The line inside the text at ``path`` where ``found`` finds what a rule objects to.

        A text on one line is reported where it starts, as ``locate`` does. A text over
        several lines (``body: |``, ``>``, or plain and quoted text that goes on to the next
        line) is searched line by line in the file, so that a problem in the fourth line of
        a story's body is reported at that line, not at ``body:``.
        """
        start = self.locate(path)
        node = self._index().scalars.get(path)
        if node is None:
            return start
        first, last = node.start_mark.line, node.end_mark.line - (node.end_mark.column == 0)
        lines = self._source_lines()[first:last + 1]
        # The value's own part of each line: after "key: " on the first, without indentation on the others.
        offsets = [node.start_mark.column] + [len(line) - len(line.lstrip(" ")) for line in lines[1:]]
        for number, (line, offset) in enumerate(zip(lines, offsets, strict=True)):
            where = found(line[offset:])
            if where is not None:
                return Position(first + number + 1, offset + where + 1)
        # Text split over lines (a folded number, say): the first line by which all of it has appeared.
        for number in range(2, len(lines) + 1):
            so_far = "\n".join(line[offset:] for line, offset in zip(lines[:number], offsets, strict=False))
            if found(so_far) is not None:
                return Position(first + number, offsets[number - 1] + 1)
        return start

    def _source_lines(self) -> list[str]:
        if self._lines is None:
            self._lines = _LINE_BREAK.split(_decode(self.path.read_bytes()))
        return self._lines


class YamlFileError(Exception):
    """The file cannot be read as YAML; carries a Chinese message, hint and place."""

    def __init__(self, line: int, column: int, message: str, hint: str = ""):
        self.line, self.column, self.message, self.hint = line, column, message, hint
        super().__init__(message)


class _AliasFound(Exception):
    """A node was reached twice: the file uses an alias."""


_UNLIMITED = 1 << 62  # for reading again a file that was already checked


def load_yaml_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> YamlDocument:
    size = path.stat().st_size
    if size > max_bytes:
        raise YamlFileError(
            1, 1, f"文件太大：{_kilobytes(size)}，上限是 {_kilobytes(max_bytes)}（file too large）。",
            "一个驿站文件通常约 2 KB，一篇长动态也不到 60 KB。检查是否粘贴了重复多遍的文字或图片数据；"
            "照片放进 docs/assets/images/，在 images 里引用。",
        )
    raw = path.read_bytes()
    text = _decode(raw)
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise YamlFileError(1, 1, "文件是空的（empty file）。", "填写记录内容，或删除这个文件。")
    loader = _StrictLoader(text)
    try:
        _check_depth(text)  # the composer below is recursive: 1,000 levels would crash it
        node = loader.get_single_node()
        # An alias needs a "*"; without one the alias walk can be skipped.
        _check_structure(node, set() if "*" in text else None)
        document = YamlDocument(path, loader.construct_document(node), node)
    except yaml.MarkedYAMLError as error:
        raise _translate(error, text) from None
    except _AliasFound:
        alias = next(e for e in yaml.parse(text, Loader=_StrictLoader) if isinstance(e, yaml.AliasEvent))
        raise YamlFileError(
            alias.start_mark.line + 1, alias.start_mark.column + 1,
            "不支持 YAML 锚点和别名（& 和 *）（anchors and aliases are not allowed）。",
            "把要重复的内容直接写出来。",
        ) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise YamlFileError(
            line, 1, f"文件含有不允许的控制字符 {error.character!r}（invalid character）。",
            "删除这个字符；从网页或 Word 复制的文字有时会带上它。",
        ) from None
    finally:
        loader.dispose()
    return document


def _kilobytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def _check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """Refuse mappings and lists nested more than ``limit`` deep, counting parser events (no recursion)."""
    depth = 0
    for event in yaml.parse(text, Loader=_StrictLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > limit:
                raise YamlFileError(
                    event.start_mark.line + 1, event.start_mark.column + 1,
                    f"嵌套超过 {limit} 层（nesting too deep）。",
                    "真实的记录最多嵌套五六层（如 hours → weekly → periods）。检查这里是否多写了 [ 、{ 或“- ”，"
                    "或者缩进一层比一层多；文件也可能已经损坏，可与同类文件对照。",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise YamlFileError(
            line, 1, "文件不是 UTF-8 编码（not UTF-8）。",
            "用编辑器把文件另存为 UTF-8 编码（不要用 GBK/GB2312/ANSI）。",
        ) from None


def _key(node: yaml.Node) -> str:
    return node.value if isinstance(node, yaml.ScalarNode) else str(node.value)


def _check_structure(node: yaml.Node, seen: set[int] | None) -> None:
    """Refuse aliases (a node reached twice; ``seen`` is None when none can exist) and duplicate keys."""
    if seen is not None:
        if id(node) in seen:
            raise _AliasFound
        seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first_seen: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = _key(key_node)
            if key in first_seen:
                raise YamlFileError(
                    key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                    f"字段 {key} 重复出现（duplicate key）。",
                    f"删除其中一个；第一次出现在第 {first_seen[key].start_mark.line + 1} 行。",
                )
            first_seen[key] = key_node
            _check_structure(value_node, seen)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_structure(item, seen)


def _index(node: yaml.Node, path: FieldPath, index: _PositionIndex) -> None:
    """Record the position of every value and key under ``node``."""
    index.values[path] = _position(node)
    if isinstance(node, yaml.ScalarNode) and node.end_mark.line > node.start_mark.line:
        index.scalars[path] = node
    if isinstance(node, yaml.CollectionNode):
        index.blocks.add(path)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, _key(key_node))
            index.keys[child] = _position(key_node)
            _index(value_node, child, index)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            _index(item, (*path, position), index)


def _position(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


# PyYAML's English problems, turned into Chinese messages and hints.
_TAB_PROBLEM = ("使用了制表符（Tab）缩进（tab character）。", "YAML 只能用空格缩进：把 Tab 换成两个空格。")
_YAML_PROBLEMS: list[tuple[str, str, str]] = [
    ("mapping values are not allowed", "这里不能出现“键: 值”（mapping value not allowed）。",
     "检查缩进是否与上一行对齐；如果文字里有英文冒号“:”，请把整段文字用引号括起来。"),
    ("could not find expected ':'", "缺少冒号（expected ':'）。", "每个字段写成“字段名: 值”，冒号后加一个空格。"),
    ("expected <block end>", "缩进不一致（bad indentation）。", "同一层的字段要用相同数量的空格缩进。"),
    ("did not find expected key", "缩进不一致（bad indentation）。", "同一层的字段要用相同数量的空格缩进。"),
    ("expected ',' or ']'", "方括号 [ ] 没有闭合，或两项之间缺少逗号（unclosed [ ]）。",
     "检查这一行和上一行：写成 [a, b]，用英文逗号和方括号。"),
    ("expected ',' or '}'", "花括号 { } 没有闭合，或两项之间缺少逗号（unclosed { }）。",
     "写成 {lat: 38.4, lng: 112.7}，用英文逗号和花括号。"),
    ("found undefined alias", "不支持 YAML 别名（alias）。", "把要重复的内容直接写出来。"),
    ("unexpected end of stream", "引号或括号没有闭合（unexpected end of file）。", "检查引号和括号是否成对。"),
    ("but found another document", "一个文件只能有一条记录或一个列表（more than one document）。",
     "删除多余的 --- 分隔线，或把记录拆到不同文件。"),
    ("found character '@'", "值不能以 @ 或 ` 开头（reserved character）。", "把这段文字用引号括起来。"),
    ("found unknown escape character", "双引号中的反斜杠用法不对（bad escape）。", "改用单引号，或把 \\ 写成 \\\\。"),
]


def _translate(error: yaml.MarkedYAMLError, text: str) -> YamlFileError:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    # The C and Python parsers word tab errors differently; look at the text itself.
    source_line = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
    if "\t" in source_line[: column + 1]:
        return YamlFileError(line, source_line.index("\t") + 1, *_TAB_PROBLEM)
    text = f"{error.context or ''} {error.problem or ''}"
    for needle, message, hint in _YAML_PROBLEMS:
        if needle in text:
            return YamlFileError(line, column, message, hint)
    return YamlFileError(
        line, column, f"YAML 格式错误（{(error.problem or 'syntax error').strip()}）。",
        "对照同类文件检查这一行和上一行的缩进、冒号和引号。",
    )
