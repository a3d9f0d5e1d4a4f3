"""``main.py --review FILE``: a global option that opens the window, exclusive of the others."""

from __future__ import annotations

import pytest

import main


@pytest.mark.parametrize("other", [["--demo"], ["--data-dir", "somewhere"]])
def test_review_excludes_demo_and_data_dir(
    other: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main.main(["--review", "export.json", *other])
    assert stop.value.code == 2
    assert "not allowed with argument --review" in capsys.readouterr().err


def test_review_with_a_command_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main.main(["--review", "export.json", "plan"]) == 2
    assert "--review open the window" in capsys.readouterr().err


def test_review_is_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main.main(["--help"])
    assert "--review FILE" in capsys.readouterr().out
