"""Usage personas: clustering recovers groups of known structure."""

import numpy as np
import pandas as pd

from analysis import personas


def test_personas_find_three_well_separated_usage_groups():
    rng = np.random.default_rng(4)
    centres = [(5, 10), (40, 200), (80, 30)]
    frame = pd.concat([pd.DataFrame({"days": rng.normal(d, 2, 60), "prompts": rng.normal(p, 5, 60)})
                       for d, p in centres], ignore_index=True)
    found = personas.cluster_usage(frame, (2, 6), seed=0)
    assert int(found["choice"].loc[found["choice"]["chosen"], "k"].iloc[0]) == 3
    assert sorted(found["profiles"]["n"]) == [60, 60, 60]


def test_personas_with_too_few_people_give_a_message():
    found = personas.cluster_usage(pd.DataFrame({"days": [1.0, 2.0, 3.0]}))
    assert "at least 10" in found["message"]
