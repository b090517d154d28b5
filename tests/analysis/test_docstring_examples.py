"""Every public statistic's docstring example (numpydoc `Examples`) runs and prints what it says."""

import doctest

import pytest

import analysis

PUBLIC = ["agreement", "apa", "categories", "compare", "correlate", "descriptives", "disclosure", "factors",
          "longitudinal", "meta", "nonresponse",
          "personas", "quality", "regression", "reliability", "scoring", "text"]


@pytest.mark.parametrize("name", PUBLIC)
def test_docstring_examples_hold(name):
    module = getattr(analysis, name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
