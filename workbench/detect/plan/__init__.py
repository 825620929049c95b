"""The pack plan: which rules share a scan of a log table, the threshold census, the prefilter,
and the statements one detection window costs — written as Athena (Trino) SQL, whatever engine
runs them. See `workbench.detect.plan.window` for the plan of a window and its split back to rules.
"""
