"""Mantissa workbench."""
