"""A request body over NUANXIN_UPLOAD_MAX_MB is answered 413 with a page that says the limit, before any
view reads it; a body under the limit goes on to the view."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from dispatch.models import Job


def test_an_upload_over_the_limit_is_refused_before_the_view(client, cast, settings):
    settings.NUANXIN_UPLOAD_MAX_MB = 1
    client.force_login(cast.clerk)
    big = SimpleUploadedFile("样品.jpg", b"x" * (1024 * 1024 + 1), content_type="image/jpeg")

    response = client.post("/dashboard/jobs/new/", {"title": "开关面板装配", "photo": big})

    assert response.status_code == 413
    assert "一次上传的文件合计不能超过 1 MB" in response.content.decode()
    assert not Job.objects.exists()


def test_an_upload_under_the_limit_reaches_the_view(client, cast, settings):
    settings.NUANXIN_UPLOAD_MAX_MB = 1
    client.force_login(cast.clerk)
    small = SimpleUploadedFile("样品.jpg", b"x" * 1000, content_type="image/jpeg")

    response = client.post("/dashboard/jobs/new/", {"title": "开关面板装配", "photo": small})

    assert response.status_code != 413
