"""Static checks in `make test`: ruff with the security rules, bandit, and the SBOM target."""
import json
import shutil
import subprocess  # runs our own tools with fixed arguments  # nosec B404
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGETS = ["ideas", "app.py", "config.py"]


def tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        pytest.skip(f"{name} is not installed (pip install -r requirements-dev.txt)")
    return str(path)


def run(*args, timeout=300):
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=timeout)  # noqa: S603  # nosec B603


def test_ruff_finds_nothing_with_the_security_rules():
    result = run(tool("ruff"), "check", "--no-cache", "--output-format", "concise", *TARGETS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_is_configured_with_the_security_rules():
    result = run(tool("ruff"), "check", "--no-cache", "--show-settings", "ideas/__init__.py")
    assert "flake8-bandit" in result.stdout or "S101" in result.stdout, result.stderr


def test_bandit_finds_nothing():
    result = run(tool("bandit"), "--ini", ".bandit", "-q", "-r", *TARGETS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_sbom_target_writes_cyclonedx_json(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    out = tmp_path / "sbom.json"
    # -o: take the virtualenv as installed; the test checks the target, not the installation.
    result = run("make", "--no-print-directory", "-o", ".venv/.installed", "sbom", f"SBOM={out}", f"BIN={BIN}",
                 timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(out.read_text())
    assert data["bomFormat"] == "CycloneDX"
    names = {c["name"].lower() for c in data["components"]}
    assert {"flask", "sqlalchemy", "bleach"} <= names
