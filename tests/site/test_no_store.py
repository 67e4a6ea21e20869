"""Nothing a signed-in user sees or downloads stays in a browser's or proxy's cache."""

import pytest
from django.urls import reverse

from tests.access_matrix import ROWS

pytestmark = pytest.mark.django_db


def test_every_page_and_download_a_signed_in_user_opens_is_no_store(client, world):
    checked, failures = 0, []
    for name, args, allowed in ROWS:
        if not allowed or name == "school_theme_css":
            continue
        persona = sorted(allowed)[0]
        client.force_login(getattr(world, persona).user)
        url = reverse(name, args=args(world))
        response = client.get(url)
        if response.status_code != 200:
            continue
        checked += 1
        if "no-store" not in response.get("Cache-Control", ""):
            failures.append(f"{url} as {persona}: Cache-Control={response.get('Cache-Control')!r}")
    assert checked > 30
    assert not failures, "\n".join(failures)


def test_a_pupil_page_is_no_store_and_private(client, world):
    client.force_login(world.parent.user)
    response = client.get(reverse("pupil_detail", args=[world.child.pk]))
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control
    assert response["Expires"]


def test_the_colour_theme_stays_cacheable(client, world):
    client.force_login(world.teacher.user)
    assert client.get(reverse("school_theme_css"))["Cache-Control"] == "private, max-age=300"


# -- uploads -------------------------------------------------------------------------------------


def test_an_oversized_upload_is_refused_on_its_length_before_the_body_is_read(client, world, settings):
    client.force_login(world.data_manager.user)
    too_big = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1

    class Unreadable:
        """A body that fails the test if anyone reads it."""

        def read(self, *args):
            raise AssertionError("the body was read")

        readline = read

    response = client.generic(
        "POST",
        reverse("flight_paths"),
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(too_big),
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413
    assert "up to 2 MB" in response.content.decode()
    assert response["Connection"] == "close"


def test_mis_imports_accept_their_own_larger_limit(client, world, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.data_manager.user)
    big = SimpleUploadedFile("ctf.xml", b"<x>" + b" " * (3 * 1024 * 1024) + b"</x>", content_type="text/xml")
    response = client.post(reverse("import_list"), {"file": big})
    assert response.status_code != 413
