"""Notebook widgets (ipywidgets): the triage table and the session window picker.

    import workbench
    settings = workbench.widgets.use_workspace()   # the demo's folder, or MANTISSA_WORKSPACE
    workbench.window_picker()                     # the window %%athena, %ask and %hunt use
    workbench.triage()                            # filter, sort, page, act on alerts
"""

from workbench.widgets.detail import AlertDetail
from workbench.widgets.picker import WindowPicker, window_picker
from workbench.widgets.triage import TriageWidget, triage
from workbench.widgets.workspace import lake_window, shared_session, use_workspace

__all__ = ["AlertDetail", "TriageWidget", "WindowPicker", "lake_window", "shared_session", "triage", "use_workspace",
           "window_picker"]
