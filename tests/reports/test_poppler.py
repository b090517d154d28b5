"""The journal files run poppler's commands one at a time, each finished before the next starts, and a failed
command stops them with its name and file."""

import pytest

from reports.assets import Poppler


def test_each_command_ends_before_the_next_starts_and_its_follow_up_runs_after_it(tmp_path):
    log = tmp_path / "log"
    poppler = Poppler()
    for name in ("first", "second"):
        poppler.run(["sh", "-c", f"echo {name} started >> {log}; sleep 0.2; echo {name} ended >> {log}", name, "x"],
                    lambda name=name: log.open("a").write(f"{name} finished\n"))
    poppler.wait()
    assert log.read_text().split("\n")[:-1] == ["first started", "first ended", "first finished",
                                                "second started", "second ended", "second finished"]


def test_a_failed_command_names_itself_and_its_file(tmp_path):
    poppler = Poppler()
    poppler.run(["sh", "-c", "exit 3", str(tmp_path / "figure.pdf"), "stem"])
    with pytest.raises(RuntimeError, match="sh failed for .*figure.pdf"):
        poppler.wait()
