"""Investigate one alert: what its principal, access key and source IP did around it, across
CloudTrail, VPC flows and GuardDuty; related alerts; first-seen facts; containment suggestions.

    from workbench.investigate import investigate, render_investigation
    inv = investigate("root-account-usage-1a2b", hours_around=6)   # data + report sections
    inv.cloudtrail, inv.facts, inv.containment
    render_investigation("root-account-usage-1a2b").html            # the playbook → HTML report

`playbooks/investigate.ipynb` is the thin notebook over this module; `mantissa investigate ALERT_ID`
runs it.
"""

from workbench.investigate.containment import Step, suggest
from workbench.investigate.facts import first_seen_facts
from workbench.investigate.gather import Investigation, QueryRun, investigate
from workbench.investigate.report import (
    ReportPaths,
    investigate_top,
    notebook_to_html,
    render_investigation,
    report_stem,
)
from workbench.investigate.subjects import Subjects, subjects_of

__all__ = ["Investigation", "QueryRun", "ReportPaths", "Step", "Subjects", "first_seen_facts", "investigate",
           "investigate_top", "notebook_to_html", "render_investigation", "report_stem", "subjects_of", "suggest"]
