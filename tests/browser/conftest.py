"""Workspaces with real alerts (see tests/widgets/demo_site.py)."""

from tests.widgets.demo_site import demo_settings, demo_site, hostile_settings, hostile_site  # noqa: F401
