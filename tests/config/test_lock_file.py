"""requirements.lock, the production install's pinned and hashed dependencies, matches
pyproject.toml (scripts/lock makes it; CI also compiles it again and compares)."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)")


def locked() -> dict[str, tuple[Version, list[str]]]:
    """{package: (version, hashes)} as requirements.lock pins them."""
    pins: dict[str, tuple[Version, list[str]]] = {}
    current = None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match[1])
            assert current not in pins, f"{current} is pinned twice"
            pins[current] = (Version(match[2]), [])
        elif "--hash=sha256:" in line and current:
            pins[current][1].append(line.split("--hash=sha256:")[1].strip(" \\"))
    return pins


def test_every_dependency_of_pyproject_is_pinned_in_the_lock_within_its_range():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = locked()
    for line in dependencies:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is missing from requirements.lock: run scripts/lock"
        version = pins[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements.lock pins {name}=={version}, outside {requirement.specifier}: "
            "run scripts/lock"
        )


def test_every_pin_carries_the_hashes_of_its_files():
    pins = locked()
    assert len(pins) > 20  # the site's dependencies and theirs
    for name, (_, hashes) in pins.items():
        assert hashes, f"{name} has no hash"
        assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), name


def test_the_lock_says_how_it_is_made():
    head = (ROOT / "requirements.lock").read_text().splitlines()[:2]
    assert head[1].strip("# ") == "scripts/lock"
