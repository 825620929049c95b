"""Run Athena SQL on the embedded DuckDB lake or on Amazon Athena, bounded by a time window."""

from workbench.engines.base import ENGINES, Engine, EngineError, Execution, QueryTimeout, Result, get_engine

__all__ = ["ENGINES", "Engine", "EngineError", "Execution", "QueryTimeout", "Result", "get_engine"]
