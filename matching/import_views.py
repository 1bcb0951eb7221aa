"""The lists' spreadsheet import (/lists/import/), for community admins: upload, map the columns, preview,
add new skills, confirm.

An upload becomes an ``ImportDraft`` that only its uploader opens (another user gets a 404: it may hold ID
numbers), at ``/lists/import/<token>/``. When the columns are not all recognised (nor remembered for this
header row), the preview sends the admin to the mapping page ``…/columns/``, guesses preselected; the
preview names every bad row and column and offers unknown skill words as new skills (``…/skills/``);
``…/confirm/`` writes all or nothing. Every state change is a POST that ends in a redirect.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dispatch.web import refused_text
from workshop.models import ProcessKind
from workshop.validators import mask_id_number

from . import forms, imports, selectors
from .imports.checking import layout_for
from .imports.columns import column_letter, guess_header
from .imports.reading import HEADER_SCAN_ROWS, Table
from .imports.vocabulary import labels_for
from .models import ImportDraft, ImportKind
from .views import lists_view

ID_LIKE = re.compile(r"\d{17}[\dXx]")


def _admin_only(request: HttpRequest) -> None:
    if not request.scope.is_admin:
        raise PermissionDenied(_("只有社区管理员可以导入清单。"))


def _ctx(request: HttpRequest, **kw) -> dict:
    return {"scope": request.scope, "tab": "import", "kinds": ProcessKind.choices, **kw}


def _draft(request: HttpRequest, token: str) -> ImportDraft | None:
    """The user's own upload, or None (with a message) when it is more than two hours old."""
    draft = selectors.import_draft_get(request.scope, request.user, token)
    if draft.created_at < timezone.now() - ImportDraft.MAX_AGE:
        draft.delete()
        messages.error(request, _("预览已过期(超过2小时),请重新上传文件。"))
        return None
    return draft


@require_http_methods(["GET", "POST"])
@lists_view
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a spreadsheet: it is kept for its preview (nothing goes on the lists) and the preview opens."""
    scope = request.scope
    _admin_only(request)
    workshops = selectors.workshops_for(scope)
    initial = {k: request.GET[k] for k in ("kind", "workshop") if k in request.GET}
    form = forms.ImportForm(request.POST or None, request.FILES or None, workshops=workshops, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        upload = d["file"]
        try:
            if upload.size > imports.MAX_BYTES:
                raise ValidationError(_("文件太大(超过5MB),请拆分后再导入。"))
            table = imports.read_table(upload.name, upload.read())
            draft = imports.draft_create(
                actor=request.user,
                kind=d["kind"],
                workshop=d["workshop"],
                filename=upload.name,
                table=table,
                attest=d["attest"],
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("matching:import_preview", token=draft.token)
    context = _ctx(request, form=form, batches=selectors.imports_for(scope)[:10])
    return render(request, "matching/import.html", context)


def _render_preview(request: HttpRequest, preview, *, status: int = 200) -> HttpResponse:
    draft = preview.draft
    context = _ctx(
        request,
        preview=preview,
        draft=draft,
        skill_kinds=ProcessKind.choices,
        wishes=draft.kind == ImportKind.WISHES,
        shown=preview.rows[:20],
    )
    return render(request, "matching/import_preview.html", context, status=status)


@require_GET
@lists_view
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    """What the upload would write, or every problem by row and column; writes nothing. Sends the admin
    to the mapping page first when the columns are not all known."""
    _admin_only(request)
    draft = _draft(request, token)
    if draft is None:
        return redirect("matching:import")
    preview = imports.preview(actor=request.user, draft=draft)
    if preview.needs_mapping:
        return redirect("matching:import_columns", token=draft.token)
    return _render_preview(request, preview)


def _samples(table: Table, index: int, width: int) -> list[list[str]]:
    """The first three rows under the header, cell by cell, anything shaped like an ID number masked."""
    rows = []
    for _number, cells in table.rows[index + 1 : index + 4]:
        padded = (cells + [""] * width)[:width]
        rows.append([mask_id_number(c) if ID_LIKE.fullmatch(c) else c for c in padded])
    return rows


@require_http_methods(["GET", "POST"])
@lists_view
def import_columns(request: HttpRequest, token: str) -> HttpResponse:
    """The mapping page: which column is which, the best guess preselected (or the remembered or chosen
    mapping); ``?header=N`` takes sheet row N as the header. Saving remembers it for the community's next
    sheet with the same header row, and opens the preview."""
    _admin_only(request)
    draft = _draft(request, token)
    if draft is None:
        return redirect("matching:import")
    table = Table(rows=[(int(n), list(cells)) for n, cells in draft.rows])
    if not table.rows:
        messages.error(request, _("表格里没有内容。"))
        return redirect("matching:import")
    heads = [n for n, _cells in table.rows[:HEADER_SCAN_ROWS]]
    picked = request.POST.get("header_row") or request.GET.get("header")
    row = int(picked) if picked and picked.isdigit() and int(picked) in heads else None
    layout = layout_for(draft, table)
    if row is not None and row != layout.row:
        layout = guess_header(table, draft.kind, row=row)
    labels = labels_for(draft.kind)
    form = forms.ColumnsForm(
        request.POST or None, headers=layout.headers, labels=labels, initial_columns=layout.columns
    )
    if request.method == "POST" and form.is_valid():
        try:
            imports.mapping_save(
                actor=request.user, draft=draft, header_row=layout.row, columns=form.columns()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已按您选的对应读取;下次同样表头的表格会自动这样对应。"))
            return redirect("matching:import_preview", token=draft.token)
    width = len(layout.headers)
    samples = _samples(table, layout.index, width)
    columns = [(column_letter(i), field, [s[i] for s in samples]) for i, field in enumerate(form.selects())]
    context = _ctx(
        request,
        draft=draft,
        form=form,
        layout=layout,
        columns=columns,
        heads=heads,
        required=", ".join(layout.missing),
    )
    return render(request, "matching/import_columns.html", context)


@require_POST
@lists_view
def import_skill(request: HttpRequest, token: str) -> HttpResponse:
    """Add a word of the upload as the community's new skill (community admins only; anyone else is
    told so in words), then show the preview again."""
    if not request.scope.is_admin:
        message = _("只有社区管理员可以添加新技能。请把这个词告诉社区管理员。")
        return render(request, "matching/refused.html", _ctx(request, message=message), status=403)
    draft = _draft(request, token)
    if draft is None:
        return redirect("matching:import")
    form = forms.NewSkillForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写技能名称并选择它属于哪类工序。"))
    else:
        d = form.cleaned_data
        try:
            skill = imports.skill_add(
                actor=request.user, workshop=draft.workshop, name=d["name"], process_kind=d["process_kind"]
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, refused_text(exc))
        else:
            messages.success(
                request,
                _("已添加新技能“%(w)s”(属于%(k)s)。")
                % {"w": skill.name, "k": skill.get_process_kind_display()},
            )
    return redirect("matching:import_preview", token=draft.token)


@require_POST
@lists_view
def import_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Write a previewed upload, all or nothing."""
    _admin_only(request)
    draft = _draft(request, token)
    if draft is None:
        return redirect("matching:import")
    try:
        batch = imports.commit(actor=request.user, draft=draft)
    except imports.ImportRefused as exc:
        messages.error(request, _("数据有变化,以下行不能导入,什么都没有写入。"))
        return _render_preview(request, exc.preview, status=409)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refused_text(exc))
        return redirect("matching:import_preview", token=draft.token)
    messages.success(
        request,
        _("已导入%(rows)d行:新增%(c)d,更新%(u)d。")
        % {"rows": batch.rows, "c": batch.created_count, "u": batch.updated_count},
    )
    return redirect("matching:supply" if batch.kind == ImportKind.WISHES else "matching:demands")
