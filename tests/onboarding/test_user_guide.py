"""docs/user-guide.md shows only pictures that scripts/user_guide_screenshots.py regenerates
from a browser test's named step, so the guide cannot drift from the product."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "user-guide.md"


def _script():
    spec = importlib.util.spec_from_file_location(
        "user_guide_screenshots", ROOT / "scripts" / "user_guide_screenshots.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_every_picture_in_the_guide_is_made_by_the_script_and_is_in_the_repository():
    shown = re.findall(r"!\[[^\]]+\]\(images/([a-z0-9-]+)\.png\)", GUIDE.read_text())
    made = {picture.name for picture in _script().PICTURES}
    assert shown, "the guide shows no pictures"
    assert set(shown) <= made, f"not made by the script: {sorted(set(shown) - made)}"
    assert set(shown) == made, f"made but not shown: {sorted(made - set(shown))}"
    for name in shown:
        assert (ROOT / "docs" / "images" / f"{name}.png").is_file(), name


def test_every_picture_comes_from_a_step_a_browser_test_really_checks():
    for picture in _script().PICTURES:
        source = (ROOT / picture.test_file).read_text()
        assert f"def {picture.test}(" in source, picture
        steps = re.findall(r"check\((?:\w+, )?\s*\"([^\"]+)\"", source)
        assert picture.step in steps, f"{picture.name}: no step {picture.step!r} in {picture.test}"
        assert picture.width in {None, 375, 768}, picture
        if picture.browser:
            assert f'another_browser("{picture.browser}"' in source, picture


def test_the_readme_points_to_the_guide_and_the_command():
    readme = (ROOT / "README.md").read_text()
    assert "docs/user-guide.md" in readme
    assert "make guide-screenshots" in readme
