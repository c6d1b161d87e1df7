"""The buttons of a BOM's page: the actions that still apply to this BOM in its state (submit
a draft; copy, cancel, make default, archive a submitted one; restore an archived one), each a
POST to `<id>/do/<verb>/` that calls the same service as the list's actions and the API. A
refusal comes back as an error message on the page, never a 500."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse

from config.admin import _parses
from config.exceptions import DomainError
from manufacturing.boms.models import BOM, BOMStatus
from manufacturing.boms.services import (
    bom_archive,
    bom_cancel,
    bom_copy,
    bom_set_default,
    bom_submit,
    bom_unarchive,
)
from manufacturing.permissions import BOM_ACTIONS


@dataclass(frozen=True)
class Button:
    verb: str
    label: str
    permission: str
    service: object
    done: str
    applies: object  # BOM -> bool
    danger: bool = False


BUTTONS = (
    Button(
        "submit",
        "Submit",
        BOM_ACTIONS["submit"],
        bom_submit,
        "Submitted {bom}.",
        lambda bom: bom.deleted_at is None and bom.status == BOMStatus.DRAFT,
    ),
    Button(
        "copy",
        "Copy as new version",
        BOM_ACTIONS["copy"],
        bom_copy,
        "Copied {bom} as the new draft {new}.",
        lambda bom: True,
    ),
    Button(
        "set-default",
        "Make default",
        "manufacturing.change_bom",
        bom_set_default,
        "{bom} is now the default BOM of its product.",
        lambda bom: (
            bom.deleted_at is None and not bom.is_default and bom.status != BOMStatus.CANCELLED
        ),
    ),
    Button(
        "cancel",
        "Cancel",
        BOM_ACTIONS["cancel"],
        bom_cancel,
        "Cancelled {bom}.",
        lambda bom: bom.deleted_at is None and bom.status == BOMStatus.SUBMITTED,
        danger=True,
    ),
    Button(
        "archive",
        "Archive",
        BOM_ACTIONS["archive"],
        bom_archive,
        "Archived {bom}.",
        lambda bom: bom.deleted_at is None,
        danger=True,
    ),
    Button(
        "restore",
        "Restore",
        BOM_ACTIONS["unarchive"],
        bom_unarchive,
        "Restored {bom}.",
        lambda bom: bom.deleted_at is not None,
    ),
)
BY_VERB = {button.verb: button for button in BUTTONS}


def bom_buttons(*, bom: BOM, user) -> list[Button]:
    """The buttons `user` may press on `bom` as it is now."""
    return [b for b in BUTTONS if b.applies(bom) and user.has_perm(b.permission)]


def bom_button_view(model_admin, request, object_id: str, verb: str):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    button = BY_VERB.get(verb)
    object_id = unquote(object_id)
    if button is None or not _parses(BOM._meta.pk, object_id):
        raise Http404
    bom = BOM.all_objects.filter(pk=object_id).first()
    if bom is None:
        raise Http404
    if not request.user.has_perm(button.permission):
        raise PermissionDenied
    page = reverse("admin:manufacturing_bom_change", args=[bom.pk])
    try:
        result = button.service(bom=bom, actor=request.user)
    except DomainError as exc:
        model_admin.message_user(request, f"{bom}: {exc.detail}", messages.ERROR)
        return redirect(page)
    model_admin.message_user(request, button.done.format(bom=bom, new=result), messages.SUCCESS)
    if result.pk != bom.pk:  # a copy: go to the new draft
        return redirect(reverse("admin:manufacturing_bom_change", args=[result.pk]))
    return redirect(page)
