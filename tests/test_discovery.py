"""How commands find their database: DATABASE_URL, else what `sluice up` recorded in `.data/`."""

from __future__ import annotations

import stat

import pytest

from sluice import discovery


@pytest.fixture
def data(tmp_path, monkeypatch):
    for name in ("DATABASE_URL", "SLUICE_SECRET_KEY", "SLUICE_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".data").mkdir()
    return tmp_path / ".data"


def test_the_recorded_database_is_private_and_found_from_the_working_directory(data):
    path = discovery.record("postgresql://postgres:pw@127.0.0.1:54329/sluice")
    assert path == data / "database-url"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    found = discovery.find()
    assert found.url == "postgresql://postgres:pw@127.0.0.1:54329/sluice"
    assert found.source == str(path)
    assert found.describe() == f"postgresql://postgres:***@127.0.0.1:54329/sluice (from {path})"
    assert "pw" not in repr(found)


def test_database_url_wins_and_keeps_the_local_secret_key_out(data, monkeypatch):
    discovery.record("postgresql://postgres@127.0.0.1:54329/sluice")
    discovery.write_private(data / "secret-key", "local-secret-key-0123456789\n")
    assert discovery.secret_key(discovery.find()) == "local-secret-key-0123456789"
    monkeypatch.setenv("DATABASE_URL", "postgresql://elsewhere/db")
    found = discovery.find()
    assert (found.url, found.source) == ("postgresql://elsewhere/db", "DATABASE_URL")
    assert discovery.secret_key(found) is None


def test_without_either_the_error_names_both_ways_out(data):
    with pytest.raises(discovery.NoDatabase) as raised:
        discovery.find()
    assert "set DATABASE_URL" in str(raised.value) and "make run" in str(raised.value)


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://u:p%40ss@[::1]:5432/d", "postgresql://u:***@[::1]:5432/d"),
    ("postgresql://u@h/d?password=secret&sslmode=require", "postgresql://u@h/d?password=***&sslmode=require"),
    ("host=h password='two words' dbname=d", "host=h password=*** dbname=d"),
    ("postgresql://u@h/d", "postgresql://u@h/d"),
])
def test_passwords_never_show(url, shown):
    assert discovery.redacted(url) == shown
