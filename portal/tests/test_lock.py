"""The lock files hold final releases only, each with hashes, at the versions the requirement files pin
(tools/check_lock.py, also run by `make lint`)."""

import importlib.util
import shutil
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
FILES = [
    "requirements.txt",
    "requirements-dev.txt",
    "requirements-xsd.txt",
    "requirements.lock",
    "requirements-dev.lock",
    "requirements-xsd.lock",
]


def _check_lock():
    spec = importlib.util.spec_from_file_location("check_lock", BASE_DIR / "tools" / "check_lock.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_lock = _check_lock()


@pytest.fixture
def copy(tmp_path):
    """A copy of the requirement and lock files to break."""
    for name in FILES:
        shutil.copy(BASE_DIR / name, tmp_path / name)
    return tmp_path


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def test_the_committed_lock_files_pass():
    assert check_lock.problems() == []


def test_the_lock_holds_no_pre_release(copy):
    assert check_lock.problems(copy) == []
    # What the lock held before issue 12: capvalidator existed only as a development release.
    _append(copy / "requirements-dev.txt", "capvalidator==0.1.0.dev4\n")
    _append(copy / "requirements-dev.lock", "capvalidator==0.1.0.dev4 \\\n    --hash=sha256:" + "0" * 64 + "\n")
    _append(copy / "requirements.lock", "somelib==2.0rc1 \\\n    --hash=sha256:" + "1" * 64 + "\n")
    problems = check_lock.problems(copy)
    assert any("requirements-dev.lock" in p and "capvalidator==0.1.0.dev4 is a pre-release" in p for p in problems)
    assert any("requirements.lock" in p and "somelib==2.0rc1 is a pre-release" in p for p in problems)


def test_every_locked_package_has_a_hash(copy):
    _append(copy / "requirements.lock", "nohash==1.0\n")
    assert any("nohash==1.0 has no --hash" in p for p in check_lock.problems(copy))


def test_a_pin_changed_without_relocking_is_caught(copy):
    text = (copy / "requirements.txt").read_text()
    assert "Django==5.2.19" in text
    (copy / "requirements.txt").write_text(text.replace("Django==5.2.19", "Django==5.2.20"))
    assert "requirements.txt pins django==5.2.20 but requirements.lock has 5.2.19: run `make lock`" in (
        check_lock.problems(copy)
    )


def test_a_direct_requirement_must_be_pinned_exactly(copy):
    _append(copy / "requirements-dev.txt", "ruff>=0.17\n")
    assert any("'ruff>=0.17' is not pinned with == to one version" in p for p in check_lock.problems(copy))


def test_the_runtime_and_development_locks_agree(copy):
    lock = copy / "requirements-dev.lock"
    text = lock.read_text()
    assert "\nkombu==5.7.0 " in text
    lock.write_text(text.replace("\nkombu==5.7.0 ", "\nkombu==5.6.0 "))
    problems = check_lock.problems(copy)
    assert "kombu is 5.7.0 in requirements.lock but 5.6.0 in requirements-dev.lock: run `make lock`" in problems
