"""The admin log-in answers a student who gives their right password exactly as it answers a
wrong password: it must not confirm a guessed password (issue 16, item 5)."""

import re

import pytest

pytestmark = pytest.mark.django_db


def errors_of(response) -> str:
    """The page without its CSRF token (a new one each time)."""
    page = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_a_students_right_password_gets_the_same_answer_as_a_wrong_one(client, student, password):
    right = client.post(
        "/admin/login/", {"username": student.email, "password": password, "next": "/admin/"}
    )
    wrong = client.post(
        "/admin/login/", {"username": student.email, "password": "not it", "next": "/admin/"}
    )
    assert right.status_code == wrong.status_code == 200
    assert "Please enter the correct email address and password" in right.content.decode()
    assert "does not teach" not in right.content.decode()
    assert errors_of(right) == errors_of(wrong)
    assert "_auth_user_id" not in client.session
