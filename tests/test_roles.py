import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/owner/"])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_login_page_is_open(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_assistant_logs_in_and_sees_the_checklist(client, assistant):
    response = client.post(
        reverse("login"), {"username": "assistant@example.test", "password": "pass-for-tests-9"}
    )
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert b"Today's checklist" in page.content
    assert b"Unshipped orders" in page.content


def test_wrong_password_is_refused(client, assistant):
    response = client.post(reverse("login"), {"username": assistant.email, "password": "nope"})
    assert response.status_code == 200
    assert b"didn't match" in response.content
    assert client.get("/").status_code == 302


def test_assistant_gets_403_on_owner_page(client, assistant):
    client.force_login(assistant)
    assert client.get(reverse("owner-home")).status_code == 403


def test_owner_sees_owner_page_not_the_checklist(client, owner):
    client.force_login(owner)
    assert client.get(reverse("owner-home")).status_code == 200
    assert client.get("/")["Location"] == reverse("owner-home")


def test_assistant_is_kept_out_of_django_admin(client, assistant):
    client.force_login(assistant)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_reaches_everything(client, admin_user):
    client.force_login(admin_user)
    for url in ["/", reverse("owner-home"), "/admin/", "/admin/inbox/"]:
        response = client.get(url)
        assert response.status_code in (200, 404), url
    assert client.get("/admin/").status_code == 200


def test_person_without_a_role_gets_403(client, django_user_model):
    nobody = django_user_model.objects.create_user(
        "nobody@example.test", "pass-for-tests-9", full_name="No Body", initials="NB"
    )
    client.force_login(nobody)
    assert client.get("/").status_code == 403
    assert client.get(reverse("owner-home")).status_code == 403


def test_logout_needs_post_and_ends_the_session(client, assistant):
    client.force_login(assistant)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/").status_code == 302


def test_pages_render_on_a_phone_viewport(client, assistant):
    client.force_login(assistant)
    content = client.get("/").content
    assert b'name="viewport" content="width=device-width, initial-scale=1"' in content


def test_login_attempts_are_throttled(client, assistant):
    from django.core.cache import cache

    cache.clear()
    for _ in range(5):
        page = client.post("/login/", {"username": assistant.email, "password": "wrong"})
        assert page.status_code == 200
    refused = client.post("/login/", {"username": assistant.email, "password": "pass-for-tests-9"})
    assert refused.status_code == 429 and "Too many failed attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    cache.clear()
    assert (
        client.post(
            "/login/", {"username": assistant.email, "password": "pass-for-tests-9"}
        ).status_code
        == 302
    )
