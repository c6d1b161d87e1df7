from pathlib import Path

from bench.database import bench_database, production_env, redact


def test_postgres_runs_on_its_own_bench_database():
    db = bench_database("postgres://root@127.0.0.1:5432/test?sslmode=disable")

    assert db.engine == "postgresql"
    assert db.name == "test_bench"
    assert db.url == "postgres://root@127.0.0.1:5432/test_bench?sslmode=disable"
    assert db.admin_url == "postgres://root@127.0.0.1:5432/test?sslmode=disable"


def test_a_bench_database_url_is_used_as_is_and_administered_from_postgres():
    db = bench_database("postgresql://u:pw@db/mfg_bench")

    assert db.name == "mfg_bench"
    assert db.admin_url == "postgresql://u:pw@db/postgres"


def test_anything_else_runs_on_the_bench_sqlite_file_never_the_dev_database():
    path = Path("/tmp/x/bench.sqlite3")

    for url in (None, "", "sqlite:///db.sqlite3"):
        db = bench_database(url, sqlite_path=path)
        assert db.engine == "sqlite"
        assert db.url == "sqlite:////tmp/x/bench.sqlite3"


def test_passwords_are_not_printed():
    assert redact("postgres://u:secret@h/db") == "postgres://u:***@h/db"
    assert redact("postgres://u@h/db") == "postgres://u@h/db"


def test_production_settings_with_a_fresh_secret_each_run():
    db = bench_database(None)
    first, second = production_env(db), production_env(db)

    assert first["DEBUG"] == "0"
    assert first["SECURE_SSL_REDIRECT"] == "0"
    assert first["ALLOWED_HOSTS"] == "127.0.0.1,localhost"
    assert first["SECRET_KEY"] != second["SECRET_KEY"]


def test_the_maintenance_database_is_the_same_servers_postgres():
    from bench.database import maintenance_url

    assert maintenance_url("postgres://u:pw@h:5433/mfg?sslmode=disable") == (
        "postgres://u:pw@h:5433/postgres?sslmode=disable"
    )
