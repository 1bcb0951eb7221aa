"""A job's and a share's state and a share's delivery read in the reader's language exactly as Django's
own ``get_FOO_display`` reads them (the models draw them from the enum, which costs a fifteenth: a list
page draws fifty), a value outside the choices included."""

from __future__ import annotations

import pytest
from django.db import models
from django.utils import translation

from dispatch.models import Assignment, AssignmentState, DeliveryMode, Job, JobState

CASES = [
    (Job, "state", JobState),
    (Assignment, "state", AssignmentState),
    (Assignment, "delivery", DeliveryMode),
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("model", "name", "choices"), CASES)
def test_each_label_reads_as_djangos_own(model, name, choices, language):
    field = model._meta.get_field(name)
    with translation.override(language):
        for value in [*choices.values, "no-such-value"]:
            row = model(**{name: value})
            ours = getattr(row, f"get_{name}_display")()
            djangos = models.Model._get_FIELD_display(row, field)
            assert ours == djangos and isinstance(ours, str), (value, ours, djangos)
    assert model.__dict__[f"get_{name}_display"]  # the model's own, not Django's generated one
