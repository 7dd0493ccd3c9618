"""The operator's `collectstatic` with production storage: whitenoise's manifest storage
rewrites every reference inside CSS and JavaScript (url(), sourceMappingURL) to a hashed
name, so a reference to a file that is not shipped stops the whole deployment."""

import re

from tests.config.test_settings import PRODUCTION, ROOT, run_manage

STATIC = ROOT / "static"


def test_collectstatic_with_the_manifest_storage_collects_every_asset(tmp_path):
    result = run_manage(
        "collectstatic", "--noinput", **PRODUCTION, STATIC_ROOT=str(tmp_path / "static")
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    for name in ("vendor/bootstrap/bootstrap.min.css", "vendor/bootstrap/bootstrap.bundle.min.js"):
        hashed = re.search(rf'"{re.escape(name)}": "([^"]+)"', manifest).group(1)
        assert hashed != name  # a content hash in the name: cacheable for a year
        assert (tmp_path / "static" / hashed).exists()
        assert (tmp_path / "static" / f"{hashed}.gz").exists()  # compressed by whitenoise


def test_no_vendored_asset_points_at_a_source_map_that_is_not_shipped():
    """Checked over the source folder too, so the message names the file to fix."""
    missing = []
    for path in STATIC.rglob("*"):
        if path.suffix not in {".css", ".js"}:
            continue
        for target in re.findall(r"sourceMappingURL=([^\s*]+)", path.read_text(errors="replace")):
            if not (path.parent / target).exists():
                missing.append(f"{path.relative_to(ROOT)} -> {target}")
    assert missing == []
