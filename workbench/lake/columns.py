"""Records → Arrow columns directly, losing nothing.

A table's Arrow schema is compiled once into a plan: every scalar leaf (struct members included)
gets a slot, a flat Python list per batch. Shredding a record is then a dictionary look-up and an
index store per field, and building the batch is one `pa.array` per leaf — several times faster
than building row dicts and letting pyarrow walk them.

Matching is case-insensitive (`eventTime` → `eventtime`, `sessionContext.sessionIssuer.userName` →
`sessioncontext.sessionissuer.username`). What the catalog does not know — a new field, a new
struct member, a second spelling of a field already filled, a value of the wrong shape — goes into
`extra` keyed by its original name or dotted path (`userIdentity.sessionContext.newField`).
Strings columns receive strings unchanged and any other scalar as its JSON text (`true`, `1.05`);
the free-form document columns receive compact JSON text of the original value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from workbench.catalog import EXTRA_COLUMN, Table, arrow_schema
from workbench.lake.jsontext import dumps

Extra = dict[str, Any]

STR, JSON, INT, FLOAT, STRUCT, VALUE = range(6)
_INT_BOUNDS = {8: 2**7, 16: 2**15, 32: 2**31, 64: 2**63}


class Node:
    """One column or struct member: where its values go and how they are converted."""

    __slots__ = ("kind", "slot", "type", "name", "members", "by_key", "canonical", "bound", "convert")

    def __init__(self, kind: int, slot: int, typ: pa.DataType, name: str) -> None:
        self.kind = kind
        self.slot = slot
        self.type = typ
        self.name = name
        self.members: dict[str, Node] = {}  # lower-case member name → node (structs)
        # exact key as met in records → (node, is the first spelling met for that node)
        self.by_key: dict[str, tuple[Node, bool] | None] = {}
        self.canonical: dict[int, str] = {}
        self.bound = 0
        self.convert: Callable[[Any, str, Extra], Any] | None = None


def _value_converter(typ: pa.DataType) -> Callable[[Any, str, Extra], Any]:
    """Python-level conversion for lists and maps (rare columns), with the same fidelity rules."""
    if pa.types.is_string(typ):
        return lambda v, path, extra: v if v is None or type(v) is str else dumps(v)
    if pa.types.is_struct(typ):
        fields = {typ.field(i).name.lower(): (typ.field(i).name, _value_converter(typ.field(i).type))
                  for i in range(typ.num_fields)}

        def struct(v: Any, path: str, extra: Extra) -> Any:
            if v is None:
                return None
            if not isinstance(v, dict):
                extra[path] = v
                return None
            out: dict[str, Any] = {}
            for key, item in v.items():
                target = fields.get(key.lower()) if isinstance(key, str) else None
                if target is None or target[0] in out:
                    extra[f"{path}.{key}"] = item
                else:
                    out[target[0]] = target[1](item, f"{path}.{key}", extra)
            return out

        return struct
    if pa.types.is_list(typ):
        element = _value_converter(typ.value_type)

        def listing(v: Any, path: str, extra: Extra) -> Any:
            if v is None:
                return None
            if not isinstance(v, list):
                extra[path] = v
                return None
            return [element(item, f"{path}.{i}", extra) for i, item in enumerate(v)]

        return listing
    if pa.types.is_map(typ):
        item = _value_converter(typ.item_type)

        def mapping(v: Any, path: str, extra: Extra) -> Any:
            if v is None:
                return None
            if not isinstance(v, dict):
                extra[path] = v
                return None
            return [(str(k), item(x, f"{path}.{k}", extra)) for k, x in v.items()]

        return mapping
    scalar = _leaf(typ)
    if scalar is None:
        raise TypeError(f"no converter for Arrow type {typ}")

    def number(v: Any, path: str, extra: Extra) -> Any:
        ok, out = _to_number(v, scalar)
        if not ok:
            extra[path] = v
        return out

    return number


def _leaf(typ: pa.DataType) -> tuple[int, int] | None:
    if pa.types.is_integer(typ):
        return INT, _INT_BOUNDS[typ.bit_width]
    if pa.types.is_floating(typ):
        return FLOAT, 0
    return None


def _to_number(value: Any, leaf: tuple[int, int]) -> tuple[bool, Any]:
    """(converted?, value): numbers, and strings holding one, fit for the column's type."""
    if value is None:
        return True, None
    kind, bound = leaf
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return False, None
    try:
        if kind == FLOAT:
            return True, float(value)
        number = int(value) if not isinstance(value, float) or value.is_integer() else None
    except (TypeError, ValueError, OverflowError):
        return False, None
    if number is None or not -bound <= number < bound:
        return False, None
    return True, number


class Plan:
    """The compiled shape of one table; `key_name` maps a record's key to a column's name."""

    def __init__(self, table: Table, json_columns: frozenset[str] = frozenset(),
                 key_name: Callable[[str], str] = str.lower) -> None:
        self.table = table
        self.schema = arrow_schema(table)
        self.key_name = key_name
        self.slots = 0
        self.root = Node(STRUCT, -1, pa.struct(list(self.schema)), table.name)
        for field in self.schema:
            if field.name == EXTRA_COLUMN:
                continue  # ours: a record's own field called "extra" is itself unknown
            kind_json = field.name in json_columns
            self.root.members[field.name] = self._compile(field, kind_json)
        self.extra_slot = self._slot()

    def _slot(self) -> int:
        self.slots += 1
        return self.slots - 1

    def _compile(self, field: pa.Field, as_json: bool = False) -> Node:
        typ = field.type
        if as_json:
            return Node(JSON, self._slot(), pa.string(), field.name)
        if pa.types.is_string(typ):
            return Node(STR, self._slot(), typ, field.name)
        leaf = _leaf(typ)
        if leaf is not None:
            node = Node(leaf[0], self._slot(), typ, field.name)
            node.bound = leaf[1]
            return node
        if pa.types.is_struct(typ):
            node = Node(STRUCT, self._slot(), typ, field.name)  # slot holds validity
            for i in range(typ.num_fields):
                child = typ.field(i)
                node.members[child.name.lower()] = self._compile(child)
            return node
        node = Node(VALUE, self._slot(), typ, field.name)
        node.convert = _value_converter(typ)
        return node

    def new_lists(self, capacity: int) -> list[list]:
        return [[None] * capacity for _ in range(self.slots)]

    # -- shredding ---------------------------------------------------------------------------

    def _resolve(self, parent: Node, key: Any) -> tuple[Node, bool] | None:
        if not isinstance(key, str):
            return None
        name = self.key_name(key) if parent is self.root else key.lower()
        node = parent.members.get(name)
        found = None
        if node is not None:
            first = node.slot not in parent.canonical
            if first:
                parent.canonical[node.slot] = key
            found = (node, first)
        if len(parent.by_key) < 10_000:  # a hostile stream of random keys must not grow it forever
            parent.by_key[key] = found
        return found

    def put(self, record: dict, lists: list[list], i: int, extra: Extra) -> None:
        """Store `record`'s fields in row `i`; unknown ones into `extra` (stored by the caller)."""
        self._put_members(self.root, record, lists, i, "", extra)

    def _put_members(self, parent: Node, record: dict, lists: list[list], i: int, prefix: str,
                     extra: Extra) -> None:
        by_key = parent.by_key
        for key, value in record.items():
            try:
                hit = by_key[key]
            except (KeyError, TypeError):
                hit = self._resolve(parent, key)
            if hit is None:
                extra[prefix + str(key)] = value
                continue
            node, first = hit
            # A second spelling of a field yields to the first spelling ever met (when the record
            # has it too) or to a spelling earlier in this record; both checks are O(1).
            if not first and (parent.canonical.get(node.slot) in record or lists[node.slot][i] is not None):
                extra[prefix + key] = value
                continue
            kind = node.kind
            if kind == STR:
                lists[node.slot][i] = value if value is None or type(value) is str else dumps(value)
            elif kind == JSON:
                lists[node.slot][i] = None if value is None else dumps(value)
            elif kind == STRUCT:
                if value is None:
                    continue
                if not isinstance(value, dict):
                    extra[prefix + key] = value
                    continue
                lists[node.slot][i] = True
                self._put_members(node, value, lists, i, f"{prefix}{key}.", extra)
            elif kind == VALUE:
                lists[node.slot][i] = node.convert(value, prefix + key, extra)
            elif type(value) is int and kind == INT and -node.bound <= value < node.bound:
                lists[node.slot][i] = value
            else:
                ok, number = _to_number(value, (kind, node.bound))
                if ok:
                    lists[node.slot][i] = number
                else:
                    extra[prefix + key] = value

    # -- building ----------------------------------------------------------------------------

    def arrays(self, lists: list[list], n: int) -> list[pa.Array]:
        """The batch's columns, in schema order, from the first `n` rows of `lists`."""
        out = []
        for field in self.schema:
            if field.name == EXTRA_COLUMN:
                out.append(pa.array(_head(lists[self.extra_slot], n), pa.string()))
            else:
                out.append(self._array(self.root.members[field.name], lists, n))
        return out

    def _array(self, node: Node, lists: list[list], n: int) -> pa.Array:
        values = _head(lists[node.slot], n)
        if values.count(None) == n:  # sparse columns are common (addendum, insightdetails, ...)
            return pa.nulls(n, node.type)
        if node.kind != STRUCT:
            return pa.array(values, node.type)
        children = [self._array(node.members[f.name.lower()], lists, n) for f in node.type]
        # validity lists hold True or None: pyarrow turns that into a null mask without a Python loop
        mask = pc.is_null(pa.array(values, pa.bool_()))
        return pa.StructArray.from_arrays(children, fields=list(node.type), mask=mask)

    def record_batch(self, lists: list[list], n: int) -> pa.RecordBatch:
        return pa.RecordBatch.from_arrays(self.arrays(lists, n), schema=self.schema)


def _head(values: list, n: int) -> list:
    return values if len(values) == n else values[:n]
