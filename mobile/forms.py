"""Forms of the phone pages. They parse and bound the input; the services decide what is allowed.

Every error is a sentence in words (never a colour alone), shown next to its field.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dispatch.services.jobs import MAX_JOB_PIECES
from materials.models import ProblemKind
from workshop.fields import MobileNumberFormField
from workshop.models import ProcessKind, WorkPlace, WorkWish
from workshop.text import CheckedForm, clean_pin, hidden_key_field
from workshop.uploads import BoundedImageField


class PinLoginForm(CheckedForm):
    """Phone number + 6-digit PIN (the head sets it)."""

    phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel", "placeholder": "13800000000"}
        ),
        error_messages={"required": _("请填写手机号。")},
    )
    pin = forms.CharField(
        label=_("6位数字 PIN"),
        min_length=6,
        max_length=6,
        strip=True,
        widget=forms.PasswordInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "current-password",
                "pattern": "[0-9]{6}",
                "maxlength": "6",
            }
        ),
        error_messages={
            "required": _("请填写6位数字 PIN。"),
            "min_length": _("PIN 是6位数字。"),
            "max_length": _("PIN 是6位数字。"),
        },
    )

    def clean_pin(self) -> str:
        """ASCII or full-width digits, the latter NFKC'd to ASCII; superscripts and other scripts refused."""
        return clean_pin(self.cleaned_data["pin"], length=6)


# What she reads when a page's hidden key was tampered with or cut short.
PAGE_KEY_WORDS = _("这一页出了问题,请返回刷新后再提交。")


class ReportForm(CheckedForm):
    """One work report (报工): pieces and the idempotency key rendered with the page."""

    pieces = forms.IntegerField(
        label=_("这次做完几件"),
        min_value=1,
        # A share is at most a job (``MAX_JOB_PIECES``): a longer number is a slip of the thumb (and one past
        # 2⁶³ does not fit the database's integer: a trial's 20 nines gave an error page).
        max_value=MAX_JOB_PIECES,
        error_messages={
            "required": _("请填写这次做完的件数。"),
            "invalid": _("件数要填整数。"),
            "min_value": _("件数要大于0。"),
            "max_value": _("件数太大了,请看一下是不是多按了几个数字。"),
        },
    )
    key = hidden_key_field(PAGE_KEY_WORDS)


class MaterialProblemForm(CheckedForm):
    """A shortage or a damaged part (缺料 / 零件坏了) on one's share: which material (of the job's), what,
    how many, an optional photo (an image the phone took, checked by Pillow and by size) and a word."""

    line = forms.ChoiceField(
        label=_("哪种材料"),
        widget=forms.RadioSelect,
        error_messages={"required": _("请选是哪种材料。"), "invalid_choice": _("请选是哪种材料。")},
    )
    kind = forms.ChoiceField(
        label=_("什么问题"),
        choices=[(ProblemKind.SHORT, _("缺料(不够用)")), (ProblemKind.DAMAGED, _("零件坏了"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选缺料还是零件坏了。"),
            "invalid_choice": _("请选缺料还是零件坏了。"),
        },
    )
    quantity = forms.CharField(
        label=_("数量"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"required": _("请填写数量。")},
    )
    photo = BoundedImageField(
        label=_("拍张照片(可以不拍)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        error_messages={"invalid_image": _("这不是一张照片,请重新拍一张。")},
    )
    note = forms.CharField(label=_("说一句(可以不写)"), max_length=200, required=False)
    key = hidden_key_field(PAGE_KEY_WORDS)

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self._lines = {str(b.pk): b for b in lines}
        self.fields["line"].choices = [(str(b.pk), b.material) for b in lines]
        if len(lines) == 1:
            self.fields["line"].initial = str(lines[0].pk)

    def clean_line(self):
        return self._lines[self.cleaned_data["line"]]

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > settings.NUANXIN_PHOTO_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("照片太大了,不能超过 %(mb)d MB。") % {"mb": settings.NUANXIN_PHOTO_MAX_MB}
            )
        return photo


SKILL_CHOICES = [(k.value, k.label) for k in ProcessKind if k != ProcessKind.OTHER] + [
    (ProcessKind.OTHER.value, _("其他简单手工"))
]


class WishForm(CheckedForm):
    """A resident's wish to work (就业意向). The low-income box needs the consent box ticked with it."""

    name = forms.CharField(label=_("姓名"), max_length=50, error_messages={"required": _("请填写姓名。")})
    phone = MobileNumberFormField(
        label=_("手机号"),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"}),
        error_messages={"required": _("请填写手机号。"), "invalid": _("请填写正确的手机号。")},
    )
    skills = forms.MultipleChoiceField(
        label=_("会做哪些活(可多选)"),
        choices=SKILL_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选一样会做的活。")},
    )
    hours_per_week = forms.TypedChoiceField(
        label=_("每周能做多久"),
        coerce=int,
        choices=[(6, _("6小时以内")), (12, _("大约12小时")), (20, _("大约20小时")), (40, _("差不多全天"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选一下每周能做多久。"),
            "invalid_choice": _("请选一下每周能做多久。"),
        },
    )
    work_place = forms.ChoiceField(
        label=_("想在哪里做"),
        choices=WorkPlace.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选在家做还是在工坊做。")},
    )
    area = forms.CharField(
        label=_("住在哪个小区或片区"),
        max_length=100,
        error_messages={"required": _("请填写住的小区或片区。")},
    )
    low_income = forms.BooleanField(label=_("我家是低收入家庭(自愿申报,可不填)"), required=False)
    consent = forms.BooleanField(label=_("我同意上面这段话"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("low_income") and not data.get("consent"):
            self.add_error("consent", _("申报低收入需要先勾选“我同意上面这段话”;不想申报可以不勾低收入。"))
        return data


CONSENT_TEXT = _(
    "低收入情况只给社区管理员看,只用于优先安排活和统计帮扶成效,不会给企业、坊长或其他人看。"
    "以后不想申报了,再填一次这张表、不勾低收入即可撤回。"
)
CONSENT_VERSION = WorkWish.CONSENT_VERSION


class SlipQuestionForm(CheckedForm):
    """A question about one's wage slip (工资条有疑问): a few words (the service normalises and bounds them
    to 200 characters and refuses invisible control characters) and the key rendered with the page."""

    text = forms.CharField(
        label=_("哪里不对?写几句话告诉坊长"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": "200"}),
        error_messages={"required": _("请写几句话。"), "max_length": _("最多 200 个字。")},
    )
    key = hidden_key_field(PAGE_KEY_WORDS)
