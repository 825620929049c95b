"""The attack scenario library. Importing this package registers every built-in scenario in `SCENARIOS`."""

from workbench.synth.scenarios import access, evasion, network  # noqa: F401  (registration)
from workbench.synth.scenarios.base import SCENARIOS, Scenario, ScenarioContext, register

# The order scenarios are injected in; new ones append, so existing seeds keep their data.
DEFAULT_SCENARIOS = ("leaked-key", "console-brute-force", "logging-tampering", "public-bucket", "port-scan",
                     "crypto-mining", "lateral-movement")

__all__ = ["SCENARIOS", "DEFAULT_SCENARIOS", "Scenario", "ScenarioContext", "register"]
