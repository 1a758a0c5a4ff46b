import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The demo creates ~40 users; production hashing costs ~0.5 s each and tests nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Production settings use the manifest storage, which needs collectstatic; pages rendered in
    # tests only need the plain URLs.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
