"""Specific exceptions: each names the location and what was expected."""


class AnalysisError(Exception):
    """Base class for every error the analysis package raises on purpose."""


class InputFormatError(AnalysisError):
    """The data table or codebook does not have the shape of docs/export-format.md."""


class PlanError(AnalysisError):
    """The analysis plan is malformed or names something the data does not have."""
