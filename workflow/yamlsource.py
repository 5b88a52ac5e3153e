"""Read YAML keeping the line of every key and list item, refusing duplicate keys.

Dates and decimals stay strings: ``1.10`` is a measure code, not the number 1.1, and a date like
``2567-02-30`` must reach our own parser to be reported as impossible, not silently become text.
"""

from __future__ import annotations

import yaml
from yaml.constructor import ConstructorError


class LineDict(dict):
    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class DuplicateKeyError(yaml.YAMLError):
    def __init__(self, key: str, line: int, first_line: int):
        super().__init__(f"duplicate key {key!r}")
        self.key, self.line, self.first_line = key, line, first_line


class _Loader(yaml.SafeLoader):
    pass


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:float")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    explicit = {id(k) for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge"}
    loader.flatten_mapping(node)  # merged ("<<: *anchor") keys first, then the explicit ones
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise ConstructorError(None, None, "unhashable key", key_node.start_mark) from None
        line = key_node.start_mark.line + 1
        if key in result and id(key_node) in explicit and result.key_lines.get(key, -1) >= 0:
            raise DuplicateKeyError(str(key), line, result.key_lines[key])
        result[key] = loader.construct_object(value_node, deep=True)
        # a merged key may be overridden; mark it with a negative line until an explicit key replaces it
        result.key_lines[key] = line if id(key_node) in explicit else -line
    result.key_lines = {k: abs(v) for k, v in result.key_lines.items()}
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load(text: str):
    """Parse one YAML document; raises ``yaml.YAMLError`` (with ``problem_mark``) or DuplicateKeyError."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
