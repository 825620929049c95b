"""Saved, parameterised hunting queries: YAML files shipped with the package plus a team's own.

A hunt is Athena SQL with `:name` placeholders, bound as quoted literals at run time
(workbench.sqlparams), and run bounded by a window like any other query.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbench.registry import unknown_name_message
from workbench.sqlparams import bind_parameters, placeholders

LIBRARY = Path(__file__).parent / "library"


class HuntError(ValueError):
    """A hunt file that cannot be used, or a hunt asked for with wrong parameters."""


class HuntParameter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str
    example: Any = None
    default: Any = None
    type: str = "string"  # string | list | number


class Hunt(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    title: str
    description: str = ""
    tables: list[str] = Field(default_factory=list)
    parameters: dict[str, HuntParameter] = Field(default_factory=dict)
    query: str
    source: str = ""

    def bind(self, values: dict[str, Any]) -> str:
        unknown = sorted(set(values) - set(self.parameters))
        if unknown:
            raise HuntError(
                f"hunt '{self.name}' has no parameter '{unknown[0]}' "
                f"(parameters: {', '.join(self.parameters) or 'none'})"
            )
        merged = {k: p.default for k, p in self.parameters.items() if p.default is not None}
        merged.update({k: _coerce(v, self.parameters[k].type) for k, v in values.items()})
        missing = [k for k in self.parameters if k not in merged]
        if missing:
            example = " ".join(f"{k}={self.parameters[k].example or '…'}" for k in missing)
            raise HuntError(f"hunt '{self.name}' needs {', '.join(missing)}: e.g. %hunt {self.name} {example}")
        return bind_parameters(self.query, merged)

    def usage(self) -> str:
        params = " ".join(f"{k}=<{p.description}>" for k, p in self.parameters.items())
        return f"{self.name} {params}".strip()


def _coerce(value: Any, kind: str) -> Any:
    if kind == "list" and isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if kind == "number" and isinstance(value, str):
        return float(value) if "." in value else int(value)
    return value


def hunt_folders(extra: list[Path] | None = None) -> list[Path]:
    """A team's own folders first (they may override a bundled hunt by name), the library last."""
    return [*(extra or []), LIBRARY]


def load_hunts(folders: list[Path] | None = None) -> dict[str, Hunt]:
    hunts: dict[str, Hunt] = {}
    for folder in reversed(folders or hunt_folders()):
        for path in sorted(Path(folder).glob("*.y*ml")):
            hunt = load_hunt(path)
            hunts[hunt.name] = hunt
    return dict(sorted(hunts.items()))


def load_hunt(path: Path) -> Hunt:
    try:
        data = yaml.safe_load(path.read_text())
        hunt = Hunt.model_validate({**data, "source": str(path)})
    except yaml.YAMLError as exc:
        raise HuntError(f"{path}: not valid YAML: {exc}") from exc
    except (ValidationError, TypeError) as exc:
        raise HuntError(f"{path}: {exc}") from exc
    declared, used = set(hunt.parameters), set(placeholders(hunt.query))
    if declared != used:
        raise HuntError(
            f"{path}: parameters {sorted(declared)} do not match the query's placeholders {sorted(used)}"
        )
    return hunt


def get_hunt(name: str, hunts: dict[str, Hunt] | None = None) -> Hunt:
    hunts = hunts if hunts is not None else load_hunts()
    try:
        return hunts[name]
    except KeyError:
        raise HuntError(unknown_name_message("hunt", name, list(hunts))) from None
