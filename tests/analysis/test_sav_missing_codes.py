import pandas as pd
import pyreadstat

from analysis.pipeline.io import read_table


def test_sav_input_keeps_declared_missing_codes_like_the_csv_export(tmp_path):
    # docs/export-format.md: -1 = not applicable, declared as user-missing in the .sav export.
    path = tmp_path / "wave_responses.sav"
    table = pd.DataFrame({"satisfaction": [4.0, -1.0, 2.0]})
    pyreadstat.write_sav(table, str(path), missing_ranges={"satisfaction": [-1]})

    assert read_table(path)["satisfaction"].tolist() == [4.0, -1.0, 2.0]
