"""One rule for a mainland mobile everywhere (``workshop.validators.parse_mainland_mobile``): the models'
full_clean, the lists' wish form, the public wish form at /m/join/, the import, and sign-in. A number in a
segment that libphonenumber's metadata does not know (149, 1740x are in use) is no longer refused by one
of them while the others take it; a number that is no mobile is refused by all, in the same words."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from matching import imports
from matching.forms import WishEntryForm
from mobile.forms import WishForm
from tests.factories import UserFactory, WorkerFactory, WorkshopFactory
from workshop.lockout import normalize_phone
from workshop.models import Worker, Workshop
from workshop.validators import parse_mainland_mobile

# Numbers people hold that libphonenumber 9.0 calls invalid, and ones it knows (19x, 16x, 17x).
MOBILES = ["14912345678", "17401234567", "16212345678", "19212345678", "19912345678", "17012345678"]
NOT_MOBILES = ["12345678901", "1491234567", "057386012345", "+85291234567", "11912345678"]


@pytest.mark.parametrize("number", MOBILES)
def test_a_mainland_mobile_is_accepted_by_the_model_and_stored_as_e164(db, number):
    worker = WorkerFactory.build(user=UserFactory(), workshop=WorkshopFactory(), phone=number)
    worker.full_clean()
    worker.save()
    stored = Worker.objects.filter(pk=worker.pk).values_list("phone", flat=True).get()
    assert stored == f"+86{number}"
    assert Worker.objects.get(phone=f"+86{number}").pk == worker.pk


@pytest.mark.parametrize("number", MOBILES)
def test_a_mainland_mobile_is_accepted_by_both_wish_forms_and_the_import(db, number):
    ws = WorkshopFactory()
    typed = f"{number[:3]} {number[3:7]}-{number[7:]}"
    entry = WishEntryForm(
        {"workshop": ws.pk, "name": "王秀英", "phone": typed, "skills": ["assembly"], "hours_per_week": "20"}
        | {"work_place": "workshop", "area": "新街"},
        workshops=Workshop.objects.all(),
    )
    assert entry.is_valid(), entry.errors
    assert entry.cleaned_data["phone"].as_e164 == f"+86{number}"
    join = WishForm(
        {"name": "王秀英", "phone": f"+86{number}", "skills": ["assembly"], "hours_per_week": "20"}
        | {"work_place": "home", "area": "新街", "consent": "on"}
    )
    join.is_valid()
    assert "phone" not in join.errors
    assert imports.parse_mobile(typed) == f"+86{number}"
    assert normalize_phone(typed) == f"+86{number}"


@pytest.mark.parametrize("number", NOT_MOBILES)
def test_a_number_that_is_no_mainland_mobile_is_refused_everywhere(db, number):
    with pytest.raises(ValidationError) as exc:
        parse_mainland_mobile(number)
    assert exc.value.messages == ["请输入11位中国大陆手机号码。"]
    worker = WorkerFactory.build(user=UserFactory(), workshop=WorkshopFactory(), phone=number)
    with pytest.raises(ValidationError) as exc:
        worker.full_clean()
    assert "phone" in exc.value.message_dict
    entry = WishEntryForm({"phone": number}, workshops=Workshop.objects.all())
    assert not entry.is_valid() and entry.errors["phone"] == ["请填写正确的手机号。"]
    with pytest.raises(imports.CellError, match="不是11位大陆手机号"):
        imports.parse_mobile(number)
