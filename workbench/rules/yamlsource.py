"""YAML with line numbers: `yaml.safe_load` semantics, plus the line of every key and value.

A rule's errors must name `file:line`, so instead of `safe_load` we compose the node tree with
the safe loader (same tags, same scalar typing) and build the Python values ourselves, noting
where each field path starts. Paths are written as in error messages: `threshold.count`,
`tests[0].expect.group_keys[1]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml


class YamlSourceError(ValueError):
    """The text is not YAML a rule can be built from; `line` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        self.line, self.message = line, message
        super().__init__(f"line {line}: {message}")


@dataclass(frozen=True)
class SourceMap:
    """Where each field path starts in the file (1-based lines)."""

    lines: dict[str, int]
    # Block scalars (`query: |`) start their text on the line after the indicator; the SQL
    # linter maps its own line numbers through this so a bad column points at its real line.
    text_lines: dict[str, int]

    def line_of(self, path: str, default: int = 1) -> int:
        """The line of `path`, else of its nearest parent that is known."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = parent_path(path)
        return self.lines.get("", default)


def join_path(base: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{base}[{key}]"
    return f"{base}.{key}" if base else str(key)


def parent_path(path: str) -> str:
    """`tests[0].expect` → `tests[0]` → `tests` → ``."""
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def load_yaml(text: str) -> tuple[Any, SourceMap]:
    """Parse one YAML document; return the data and the map of field lines.

    Raises YamlSourceError for syntax errors, several documents in one file and duplicate keys
    (which `safe_load` would silently resolve to the last one).
    """
    loader = yaml.SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 1
            problem = exc.problem or str(exc)
            if exc.context and "expected a single document" in exc.context:
                problem = "holds more than one YAML document; put one rule per file"
            raise YamlSourceError(line, f"not valid YAML: {problem}") from None
        lines: dict[str, int] = {}
        text_lines: dict[str, int] = {}
        if node is None:
            return None, SourceMap(lines, text_lines)
        lines[""] = _line(node)
        try:
            data = _build(loader, node, "", lines, text_lines)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise YamlSourceError(mark.line + 1 if mark else 1, f"not valid YAML: {exc.problem}") from None
        return data, SourceMap(lines, text_lines)
    finally:
        loader.dispose()


def _build(loader: yaml.SafeLoader, node: yaml.Node, path: str,
           lines: dict[str, int], text_lines: dict[str, int]) -> Any:
    if isinstance(node, yaml.MappingNode):
        # flatten_mapping rewrites the node in place, so an alias reaching the same node again
        # finds no merge key left: remember how many entries the merge brought in.
        merged = getattr(node, "_merged_entries", None)
        if merged is None:
            merge_keys = sum(1 for k, _ in node.value if k.tag == "tag:yaml.org,2002:merge")
            own = len(node.value) - merge_keys
            loader.flatten_mapping(node)  # resolves `<<:` merge keys as safe_load does
            # flatten_mapping puts merged entries first; the mapping's own keys may override them.
            merged = len(node.value) - own
            node._merged_entries = merged  # type: ignore[attr-defined]
        out: dict[Any, Any] = {}
        own_keys: set[Any] = set()
        for index, (key_node, value_node) in enumerate(node.value):
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise YamlSourceError(_line(key_node), "a mapping key must be a plain value")
            child = join_path(path, str(key))
            if index >= merged:
                if key in own_keys:
                    raise YamlSourceError(
                        _line(key_node),
                        f"key '{child}' appears twice (first on line {lines[child]}); keep one",
                    )
                own_keys.add(key)
            lines[child] = _line(key_node)
            out[key] = _build(loader, value_node, child, lines, text_lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            child = join_path(path, index)
            lines[child] = _line(item)
            items.append(_build(loader, item, child, lines, text_lines))
        return items
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        text_lines[path] = _line(node) + 1
    elif isinstance(node, yaml.ScalarNode):
        text_lines[path] = _line(node)
    return loader.construct_object(node, deep=True)
