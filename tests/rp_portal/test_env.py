import pytest
from django.core.exceptions import ImproperlyConfigured

from rp_portal.env import env_bool, env_int, env_list, env_str


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("TRUE", True), ("no", False), ("0", False)]
)
def test_it_reads_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("RP_FLAG", raw)
    assert env_bool("RP_FLAG", default=not expected) is expected


def test_it_refuses_a_boolean_it_cannot_read(monkeypatch):
    monkeypatch.setenv("RP_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="RP_FLAG='maybe' is not a boolean"):
        env_bool("RP_FLAG", default=False)


def test_it_refuses_a_number_it_cannot_read(monkeypatch):
    monkeypatch.setenv("RP_PORT", "eighty")
    with pytest.raises(ImproperlyConfigured, match="RP_PORT='eighty' is not a whole number"):
        env_int("RP_PORT", 80)


def test_it_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("RP_UNSET", raising=False)
    assert env_str("RP_UNSET", "fallback") == "fallback"
    assert env_int("RP_UNSET", 7) == 7
    assert env_list("RP_UNSET", ["a"]) == ["a"]


def test_it_requires_a_value_without_a_default(monkeypatch):
    monkeypatch.delenv("RP_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="RP_REQUIRED is required"):
        env_str("RP_REQUIRED")


def test_it_splits_lists_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("RP_HOSTS", "a.example, b.example,,")
    assert env_list("RP_HOSTS", []) == ["a.example", "b.example"]


def test_it_reads_secrets_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.delenv("RP_SECRET", raising=False)
    monkeypatch.setenv("RP_SECRET_FILE", str(secret))
    assert env_str("RP_SECRET") == "from-a-file"


def test_it_names_a_secret_file_it_cannot_read(monkeypatch, tmp_path):
    monkeypatch.delenv("RP_SECRET", raising=False)
    monkeypatch.setenv("RP_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="RP_SECRET_FILE"):
        env_str("RP_SECRET")
