"""The plan runner: reads an export, runs a plan's sections, writes the results bundle.

The statistics a notebook user calls live one level up (analysis.compare, analysis.reliability, ...);
this package only orchestrates them.
"""
