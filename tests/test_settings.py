"""Settings are declared once: the README's table is those declarations, and a bad value stops a
process with a sentence naming the variable and the value."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Any

import pytest

from conftest import REPOSITORY
from sluice.config import InvalidSetting, Settings, declared

ROW = re.compile(r"^\| `([A-Z][A-Z0-9_]*)` \| `([^`]*)` \| (.+) \|$")


def shown(default: Any) -> str:
    if default in (None, "", ()):
        return "unset"
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, float) and default.is_integer():
        return str(int(default))
    return str(default)


def test_the_readme_configuration_table_is_the_declared_settings():
    readme = (REPOSITORY / "README.md").read_text()
    rows = [match.groups() for line in readme.splitlines() if (match := ROW.match(line))]
    assert rows == [(env, shown(default), doc) for env, default, doc in declared()]


@pytest.mark.parametrize(("variable", "value", "complaint"), [
    ("SLUICE_PORT", "seventy", "expected a whole number"),
    ("SLUICE_LEASE_SECONDS", "-3", "expected a number above 0"),
    ("SLUICE_DEVELOPER_API", "maybe", "expected true or false"),
])
def test_a_bad_value_names_the_variable_and_the_value(variable, value, complaint):
    with pytest.raises(InvalidSetting) as refused:
        Settings.from_env({"DATABASE_URL": "postgresql://db/sluice", variable: value})
    assert str(refused.value) == f"{variable}={value!r} is not a valid value: {complaint}."


def test_a_secret_setting_never_shows_its_value():
    settings = Settings.from_env({"DATABASE_URL": "postgresql://u:hunter2@db/sluice", "SLUICE_SECRET_KEY": "k" * 20})
    assert "hunter2" not in repr(settings) and "k" * 20 not in repr(settings)
    assert settings.listen_url == settings.database_url


@pytest.mark.integration  # a child process
def test_a_process_with_a_bad_setting_exits_with_that_sentence_and_no_traceback():
    env = {**os.environ, "DATABASE_URL": "postgresql://127.0.0.1:1/none", "SLUICE_POOL_SIZE": "lots"}
    done = subprocess.run([sys.executable, "-m", "sluice", "worker"], env=env, capture_output=True, text=True,
                          cwd=REPOSITORY, timeout=60)
    assert done.returncode != 0
    assert "SLUICE_POOL_SIZE='lots' is not a valid value: expected a whole number." in done.stderr
    assert "Traceback" not in done.stderr
