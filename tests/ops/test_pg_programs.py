"""backup and restore find PostgreSQL's client programs where Debian puts them."""

import glob
import os

import pytest

from newsroom.backups import find_pg_bin


@pytest.mark.parametrize("name", ["pg_dump", "pg_restore"])
def test_the_programs_are_found_off_path_in_debians_folder(name, monkeypatch, tmp_path):
    if not glob.glob(f"/usr/lib/postgresql/*/bin/{name}"):
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{name} is not in /usr/lib/postgresql/*/bin")
        pytest.skip(f"PostgreSQL's {name} is not installed")
    monkeypatch.setenv("PATH", str(tmp_path))

    found = find_pg_bin(name)

    assert found.startswith("/usr/lib/postgresql/") and found.endswith(f"/bin/{name}")


def test_a_program_on_path_comes_first(monkeypatch, tmp_path):
    program = tmp_path / "pg_dump"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))

    assert find_pg_bin("pg_dump") == str(program)
