"""The job photo's phone-sized copy is made once, by a task after the job is saved, never in a request: a
real worker makes it after the firm issues the job; until then the worker's page gets the original's bytes;
a repeat of the task finds it made; an original over the pixel limit (stored before it) is left alone."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image, ImageFile

from config.celery import wait_until_idle
from dispatch.models import Job
from dispatch.tasks import make_job_photo_copy
from mobile.photos import photo_bytes
from tests.mobile.conftest import accepted_job, offer, sample_photo
from workshop.uploads import phone_copy_name


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _copy_exists(job) -> bool:
    job.refresh_from_db()
    return job.photo.storage.exists(phone_copy_name(job.photo.name))


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_makes_the_phone_copy_after_the_job_is_issued(celery_worker, cast, issue_job):
    job = issue_job(photo=sample_photo())
    wait_until_idle(timeout=30)

    assert _copy_exists(job)
    data, content_type = photo_bytes(job.photo)  # what the worker's photo page serves
    assert content_type == "image/jpeg" and Image.open(io.BytesIO(data)).size == (720, 540)


def test_the_photo_page_never_decodes_an_image(client, cast, issue_job, monkeypatch):
    job = accepted_job(cast, issue_job)
    job.refresh_from_db()
    job.photo.save("sample.png", _png(1600, 1200))
    a = offer(job, cast.alice)
    client.force_login(cast.alice.user)
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self, *a, **kw: decoded.append(1))

    before = client.get(f"/m/a/{a.pk}/photo/")  # the copy is not made yet: the original's bytes
    assert before["Content-Type"] == "image/png" and before.content == job.photo.open("rb").read()
    monkeypatch.undo()
    assert make_job_photo_copy(job.pk) == "made"
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self, *a, **kw: decoded.append(1))
    after = client.get(f"/m/a/{a.pk}/photo/")

    assert after["Content-Type"] == "image/jpeg" and len(after.content) < len(before.content)
    assert decoded == []


def test_the_copy_task_is_idempotent(cast, issue_job):
    job = issue_job(photo=sample_photo())
    assert make_job_photo_copy(job.pk) == "made"
    made = job.photo.storage.open(phone_copy_name(job.photo.name)).read()

    assert make_job_photo_copy(job.pk) == "exists"
    assert job.photo.storage.open(phone_copy_name(job.photo.name)).read() == made
    assert make_job_photo_copy(job.pk + 1000) == "missing"


def test_an_original_over_the_pixel_limit_gets_no_copy(cast, issue_job, settings):
    job = issue_job(photo=sample_photo())
    settings.NUANXIN_MAX_IMAGE_PIXELS = 1_000_000  # the photo (1600×1200) was stored under a higher limit

    assert make_job_photo_copy(job.pk) == "too-big"
    assert not _copy_exists(job)


def test_issuing_a_job_with_a_photo_queues_its_copy_after_commit(
    cast, issue_job, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        job = issue_job(photo=sample_photo())

    assert ("dispatch.tasks.make_job_photo_copy", (job.pk,)) in [(c.task.name, c.args) for c in callbacks]
    assert Job.objects.filter(pk=job.pk).exclude(photo="").exists()


def _png(width: int, height: int) -> ContentFile:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(out, "PNG")
    return ContentFile(out.getvalue(), name="sample.png")
