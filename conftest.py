import pytest
from django.core.cache import cache

from pti.factories import UserFactory


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Hashing demo passwords with PBKDF2 would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test starts with empty counters (logins, password resets, API rate) and charts: the memory cache
    # outlives a test, and primary keys come back after a rollback.
    cache.clear()
    settings.PTI_WARM_WHEN_CACHE_LOST = False  # each test's empty cache is no lost cache to warm


@pytest.fixture
def referent(db):
    return UserFactory(username="referent")


@pytest.fixture
def copil_member(db):
    return UserFactory(username="copil", copil=True)


@pytest.fixture
def staff(db):
    return UserFactory(username="staff", staff=True)


@pytest.fixture
def administrator(db):
    return UserFactory(username="admin", admin=True)
