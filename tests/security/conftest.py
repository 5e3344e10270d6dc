"""Security tests share the API tests' cast and use fast password hashing."""

import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Hashing passwords properly is slow by design; these tests are about access.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
