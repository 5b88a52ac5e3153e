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


class ExpansionError(yaml.YAMLError):
    """Anchors and aliases that would expand into far more than a definitions file holds (a "billion
    laughs" document): refused before anything is built."""

    def __init__(self, nodes: int, line: int):
        super().__init__(f"the aliases expand to {nodes:,} values")
        self.nodes, self.line = nodes, line


#: values a definitions file may expand to; the seed memo's file has about 1,500
MAX_EXPANDED_NODES = 100_000


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


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values the node becomes once every alias is expanded, counted without expanding (an
    aliased node is one object in the composed graph, counted once and multiplied)."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = MAX_EXPANDED_NODES + 1  # a node that contains itself counts as too many
    total = 1
    if isinstance(node, yaml.SequenceNode):
        total += sum(_expanded_size(child, sizes) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        total += sum(_expanded_size(k, sizes) + _expanded_size(v, sizes) for k, v in node.value)
    sizes[id(node)] = total = min(total, 10 * MAX_EXPANDED_NODES)
    return total


def load(text: str):
    """Parse one YAML document; raises ``yaml.YAMLError`` (with ``problem_mark``), DuplicateKeyError or
    ExpansionError."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        size = _expanded_size(node, {})
        if size > MAX_EXPANDED_NODES:
            raise ExpansionError(size, node.start_mark.line + 1)
        return loader.construct_document(node)
    finally:
        loader.dispose()
