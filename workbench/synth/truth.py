"""Ground truth for the injected scenarios: kept beside the lake, never inside the log data.

Training notebooks check trainees' answers against `ScenarioTruth.answers`; tests check that every
claimed event id exists in the generated records with the claimed attributes.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbench.registry import unknown_name_message

TRUTH_FILE = "ground_truth.json"


class Principal(BaseModel):
    model_config = ConfigDict(frozen=True)

    arn: str
    username: str
    account_id: str
    type: str = Field(description="IAMUser, AssumedRole, AWSAccount (anonymous)…")
    access_key_id: str | None = None
    role: str = Field("compromised", description="compromised, created (by the attacker), or actor")


class FirstCall(BaseModel):
    model_config = ConfigDict(frozen=True)

    event_name: str
    event_time: str
    event_id: str
    event_source: str = ""


class ScenarioTruth(BaseModel):
    name: str
    description: str
    techniques: list[str]
    start: str
    end: str
    attacker_ips: list[str]
    principals: list[Principal] = Field(default_factory=list)
    event_ids: list[str] = Field(default_factory=list, description="CloudTrail eventIDs of every injected record")
    finding_ids: list[str] = Field(default_factory=list, description="GuardDuty finding ids the scenario raised")
    flow_count: int = Field(0, description="VPC flow records the scenario injected")
    first_malicious_call: FirstCall | None = None
    buckets: list[str] = Field(default_factory=list)
    accounts: list[str] = Field(default_factory=list)
    answers: dict[str, str] = Field(default_factory=dict, description="task name -> expected answer")

    @property
    def compromised(self) -> Principal | None:
        return next((p for p in self.principals if p.role == "compromised"), None)


class GroundTruth(BaseModel):
    seed: int
    days: int
    scale: float
    start: str
    end: str
    company: str
    accounts: dict[str, str] = Field(description="account name -> account id")
    scenarios: list[ScenarioTruth]

    def scenario(self, name: str) -> ScenarioTruth:
        for item in self.scenarios:
            if item.name == name:
                return item
        raise KeyError(unknown_name_message("scenario in ground truth", name, [s.name for s in self.scenarios]))

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.model_dump_json(indent=2) + "\n")
        return path


def load_ground_truth(path: Path | str) -> GroundTruth:
    """Read `ground_truth.json`; the error names the file and the field that is wrong."""
    path = Path(path)
    if path.is_dir():
        path = path / TRUTH_FILE
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no ground truth here — run `mantissa synth` first") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); regenerate with `mantissa synth`") from None
    try:
        return GroundTruth.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ValueError(f"{path}: not a ground-truth file — {problems}") from None
