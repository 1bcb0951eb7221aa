"""A photo with too many pixels (a 12,000 px PNG of a few tens of KB) is refused from its header, before
any pixel is decoded, with words in the user's language; in a fresh process the refusal costs under 100 MB.
A phone's ordinary photo still goes through."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from materials.models import MaterialProblem
from materials.services import BomInput
from tests.bombs import huge_png, peak_growth
from tests.mobile.conftest import accepted_job, in_hand
from workshop.uploads import BoundedImageField

PANEL = BomInput("面板", "ge", "1", "0.5")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def no_decoding(monkeypatch):
    """Any decode of pixels fails the test."""

    def refuse(self, *args, **kwargs):
        raise AssertionError("an image was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


def upload(path, content_type="image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type=content_type)


def test_pillows_own_limit_is_set_from_the_setting(settings):
    assert Image.MAX_IMAGE_PIXELS == settings.NUANXIN_MAX_IMAGE_PIXELS == 40_000_000


def test_a_12000_px_png_is_refused_from_its_header_before_decoding(tmp_path, no_decoding):
    png = huge_png(tmp_path / "样品.png")
    assert png.stat().st_size < 200_000

    with pytest.raises(Exception, match="照片太大了") as refused:
        BoundedImageField().clean(upload(png))
    assert refused.value.code == "too_many_pixels"


def test_an_image_just_over_the_limit_is_refused_though_pillow_would_only_warn(tmp_path, settings):
    settings.NUANXIN_MAX_IMAGE_PIXELS = 1_000_000
    path = tmp_path / "宽.png"
    Image.new("L", (1001, 1000), 200).save(path, "PNG")
    with pytest.raises(Exception, match="最多 1 百万像素"):
        BoundedImageField().clean(upload(path))


def test_a_phone_photo_within_the_limit_is_accepted(tmp_path):
    path = tmp_path / "ok.jpg"
    Image.new("RGB", (4000, 3000), (120, 90, 60)).save(path, "JPEG")
    assert BoundedImageField().clean(upload(path, "image/jpeg")).name == "ok.jpg"


def test_a_worker_cannot_report_a_problem_with_a_12000_px_photo(client, cast, issue_job, tmp_path):
    job = accepted_job(cast, issue_job, quantity=20, bom=[PANEL])
    share = in_hand(job, cast.alice, 10)
    client.force_login(cast.alice.user)
    png = huge_png(tmp_path / "坏了.png")
    data = {"line": job.bom_lines.get().pk, "kind": "damaged", "quantity": "1", "key": uuid.uuid4().hex}

    response = client.post(f"/m/a/{share.pk}/material/", {**data, "photo": upload(png)})

    assert response.status_code == 400 and "照片太大了" in response.content.decode()
    assert not MaterialProblem.objects.exists()


def test_a_firm_cannot_issue_a_job_with_a_12000_px_sample_photo(cast, tmp_path):
    from dashboard.forms import JobIssueForm

    form = JobIssueForm(data={}, files={"photo": upload(huge_png(tmp_path / "样品.png"))}, user=cast.clerk)
    form.is_valid()
    assert "照片太大了" in " ".join(form.errors["photo"])


@pytest.mark.faults
def test_a_12000_px_png_costs_under_100_mb_to_refuse(tmp_path):
    found = peak_growth(
        huge_png(tmp_path / "样品.png"),
        "import io\n"
        "from django.core.files.uploadedfile import SimpleUploadedFile\n"
        "from workshop.uploads import BoundedImageField, phone_copy_make\n"
        "BoundedImageField().clean(SimpleUploadedFile(name, data, content_type='image/png'))\n"
        # accepted: its first view would make the phone copy, decoding it all
        "from PIL import Image\n"
        "Image.MAX_IMAGE_PIXELS = None\n"
        "Image.open(io.BytesIO(data)).thumbnail((720, 720))\n",
    )
    assert "照片太大了" in found["refused"]
    assert found["growth_mb"] < 100


def test_the_pixel_check_leaves_the_upload_rewound(tmp_path):
    path = tmp_path / "ok.png"
    Image.new("L", (10, 10), 1).save(path, "PNG")
    f = upload(path)
    BoundedImageField().clean(f)
    f.seek(0)
    assert Image.open(io.BytesIO(f.read())).size == (10, 10)
