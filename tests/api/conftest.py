"""What the API's tests share: a personal access token for a person, and its header."""

import pytest

from accounts.services import token_create
from tests.test_url_matrix import world  # noqa: F401 - the URL matrix's people and records

API = "/api/v1"
BASE = "/courses/deep-learning/2016"


@pytest.fixture
def token_for():
    """token_for(user, scope="read_write") -> the `Authorization` header of a new token."""

    def make(user, scope="read_write", **kwargs):
        secret = token_create(user=user, name="Test", scope=scope, **kwargs).secret
        return {"Authorization": f"Bearer {secret}"}

    return make
