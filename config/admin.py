"""Admin building blocks: soft-delete aware model admins, domain errors shown as messages,
autocomplete widgets that survive a malformed id."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from config.exceptions import DomainError, field_path_parse
from config.quantities import MINUTES, MONEY, PERCENT, QUANTITY, NumberKind, Sign, number_errors


class SafeAutocompleteMixin:
    """Django's autocomplete widget looks the submitted ids up to show their labels again, and
    a value that is not an id of the target (`item=not-a-uuid`) makes that lookup raise: a 500
    instead of the form's "Select a valid choice" error. Values the target field cannot parse
    are left out of the lookup (nothing can match them); the field's own validation reports
    them."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        opts = remote.model._meta
        target = opts.get_field(getattr(remote, "field_name", None) or opts.pk.name)
        return super().optgroups(name, [v for v in value if _parses(target, v)], attr)


def _parses(field, value) -> bool:
    try:
        field.to_python(value)
    except (ValidationError, ValueError, TypeError):
        return False
    return True


class AutocompleteSelect(SafeAutocompleteMixin, widgets.AutocompleteSelect):
    pass


class AutocompleteSelectMultiple(SafeAutocompleteMixin, widgets.AutocompleteSelectMultiple):
    pass


# A model DecimalField's shape → its kind under the one number policy.
_KINDS = {(k.integer_digits + k.places, k.places): k for k in (QUANTITY, MONEY, PERCENT, MINUTES)}


class NumberFormField(forms.DecimalField):
    """A form's number under the one policy (config.quantities): the same parse, refusal of
    extra places and messages as the API and the CSV import. The kind is given, or read from
    the model column's `max_digits`/`decimal_places`; a column of no kind (a unit's factor)
    keeps Django's own parse. The sign is the service's to judge unless given."""

    def __init__(self, *, kind: NumberKind | None = None, sign: Sign = "any", **kwargs):
        self.kind = kind or _KINDS.get((kwargs.get("max_digits"), kwargs.get("decimal_places")))
        self.sign = sign
        if self.kind is not None:
            kwargs.setdefault("max_digits", self.kind.integer_digits + self.kind.places)
            kwargs.setdefault("decimal_places", self.kind.places)
        super().__init__(**kwargs)

    def to_python(self, value):
        if self.kind is None:
            return super().to_python(value)
        if value in self.empty_values:
            return None
        number, message = number_errors(value, kind=self.kind, sign=self.sign)
        if number is None:
            raise ValidationError(message, code="invalid")
        return number


NUMBER_OVERRIDES = {models.DecimalField: {"form_class": NumberFormField}}


class SafeAutocompleteAdminMixin:
    """For every model admin and inline: `autocomplete_fields` get the widgets above, and every
    number column the one number policy's form field (`NUMBER_OVERRIDES`)."""

    formfield_overrides = NUMBER_OVERRIDES

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ModelAdmin(SafeAutocompleteAdminMixin, admin.ModelAdmin):
    """The project's base model admin (use it instead of `admin.ModelAdmin`)."""


class TabularInline(SafeAutocompleteAdminMixin, admin.TabularInline):
    """The project's base tabular inline (use it instead of `admin.TabularInline`)."""


class StackedInline(SafeAutocompleteAdminMixin, admin.StackedInline):
    """The project's base stacked inline (use it instead of `admin.StackedInline`)."""


class HistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's admin (use it instead of `SimpleHistoryAdmin`). Its history
    pages look the ids of the URL up as they come, so `…/not-a-uuid/history/` was a 500: a
    malformed id is a 404 here, as an unknown one is.

    Its history list has one `style="border-top: 0"` attribute (its template, not ours): that
    page alone allows style attributes (`style-src-attr`; never `<style>` elements or
    scripts) in the Content-Security-Policy (settings)."""

    def history_view(self, request, object_id, extra_context=None):
        if not _parses(self.opts.pk, unquote(object_id)):
            raise Http404
        response = super().history_view(request, object_id, extra_context)
        # django-csp's per-response additions, to the policy and to its report-only form
        response._csp_update = response._csp_update_ro = {"style-src-attr": ["'unsafe-inline'"]}
        return response

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        version_pk = self.model.history.model._meta.pk
        if not (_parses(self.opts.pk, unquote(object_id)) and _parses(version_pk, version_id)):
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)


def truncated(text, *, title: str | None = None, size: str = "") -> str:
    """A long text for a list cell: cut to one line by the stylesheet (`.truncate` in
    config/static/config/admin.css), the whole text as its tooltip. `size`: "", "wide",
    "narrow"."""
    text = "" if text is None else str(text)
    return format_html(
        '<span class="truncate{}" title="{}">{}</span>',
        f" {size}" if size else "",
        title or text,
        text,
    )


def plain_number(value) -> str:
    """A quantity for a list cell without trailing zeros: `10`, not `10.000000`."""
    return "-" if value is None else f"{value.normalize():f}"


def number_column(field: str, description: str | None = None):
    """A list column showing the decimal `field` as `plain_number`, sortable by it: for a
    `list_display` (`number_column("quantity")`)."""

    @admin.display(description=description or field.replace("_", " "), ordering=field)
    def column(obj):
        return plain_number(getattr(obj, field))

    column.__name__ = f"{field}_shown"
    return column


def short_datetime(value) -> str:
    """A date and time for a list cell: `2026-12-04 06:00`, in the current time zone."""
    if value is None:
        return "-"
    return f"{localtime(value):%Y-%m-%d %H:%M}"


class ArchivedListFilter(admin.SimpleListFilter):
    title = _("active / archived")
    parameter_name = "archived"

    def lookups(self, request, model_admin):
        return [("no", _("Active")), ("yes", _("Archived")), ("all", _("All"))]

    def choices(self, changelist):
        value = self.value() or "no"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or "no"
        if value == "yes":
            return queryset.filter(deleted_at__isnull=False)
        if value == "all":
            return queryset
        return queryset.filter(deleted_at__isnull=True)


def _form_field(form, name: str, aliases: dict[str, str]) -> str | None:
    """The form field a domain field path names: itself, its alias (`product_id` → `item` on a
    BOM line), or the relation without its `_id` (`from_warehouse_id` → `from_warehouse`)."""
    for candidate in (name, aliases.get(name), name.removesuffix("_id")):
        if candidate and candidate in form.fields:
            return candidate
    return None


def add_service_error(form, error: DomainError, *, aliases: dict[str, str] | None = None) -> bool:
    """Show a service's refusal on `form`: each `errors` path without a collection on the field
    it names. Returns whether anything was placed (if not, callers show the refusal above the
    form)."""
    placed = False
    for path, messages_ in (error.extra.get("errors") or {}).items():
        target = field_path_parse(path)
        if target.collection:
            continue
        field = _form_field(form, target.field, aliases or {})
        if field is not None:
            for message in messages_:
                form.add_error(field, message)
            placed = True
    return placed


def add_service_row_errors(
    formsets, error: DomainError, rows: dict[str, list[str]], aliases: dict[str, str]
) -> bool:
    """Put the `errors` of a collection (`components[1].quantity`) on the inline row that
    became that spec line: `rows` maps the collection to the prefixes of the inline forms, in
    the order the admin built the spec (`{"components": ["components-0", "components-2"]}`),
    with the refusal's code, as the message above a form shows it. Returns whether anything was
    placed."""
    forms_by_prefix = {f.prefix: f for formset in formsets for f in formset.forms}
    placed = False
    for path, messages_ in (error.extra.get("errors") or {}).items():
        target = field_path_parse(path)
        prefixes = rows.get(target.collection, [])
        if target.index is None or target.index >= len(prefixes):
            continue
        line = forms_by_prefix.get(prefixes[target.index])
        if line is None:
            continue
        line.full_clean()  # errors can only be added to a cleaned form
        field = _form_field(line, target.field, aliases)
        for message in messages_:
            line.add_error(field, f"{message} ({error.code})")
        placed = True
    return placed


class ServiceAdminMixin:
    """Admin forms save through services. When a service refuses (a DomainError), the transaction
    the admin opened rolls back and the same POST is shown again with the refusal as a form
    error, keeping what the user typed: never a 500.

    A model admin names its services instead of writing `save_model`: `create_service(**data,
    actor=…)`, `update_service(<service_arg>=obj, data=…, actor=…)`, fed the form's
    `service_fields` (wrap each service in `staticmethod`)."""

    service_arg = ""
    service_fields: tuple[str, ...] = ()
    create_service = None
    update_service = None
    # Domain field names that are called otherwise on this admin's forms (`product_id` → `item`).
    service_error_fields: dict[str, str] = {}

    @staticmethod
    def remember_service_rows(request, collection: str, forms) -> None:
        """Record which inline forms became the spec lines of `collection`, in order, so a
        refusal about `components[1]` is shown on the second of them."""
        request._service_rows = {
            **getattr(request, "_service_rows", {}),
            collection: [f.prefix for f in forms],
        }

    def save_model(self, request, obj, form, change):
        if self.create_service is None:
            return super().save_model(request, obj, form, change)
        data = {f: form.cleaned_data[f] for f in self.service_fields if f in form.cleaned_data}
        if change:
            saved = self.update_service(**{self.service_arg: obj}, data=data, actor=request.user)
        else:
            saved = self.create_service(**data, actor=request.user)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def apply_to_each(self, request, objects, call, done_message: str = "") -> int:
        """Run `call(obj)` (a service, its own transaction) for every selected object: each
        refusal becomes an error message naming the object, the others go through and are
        counted in one success message (`done_message` with `{done}`, when given)."""
        done = 0
        for obj in objects:
            try:
                call(obj)
            except DomainError as exc:
                self.message_user(request, f"{obj}: {exc.detail}", messages.ERROR)
            else:
                done += 1
        if done and done_message:
            self.message_user(request, done_message.format(done=done), messages.SUCCESS)
        return done

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            if request.method != "POST" or getattr(request, "_service_error", None):
                raise
            request._service_error = exc
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        error = getattr(request, "_service_error", None)
        if error is None:
            return form_class
        aliases = self.service_error_fields

        class ServiceErrorForm(form_class):
            def clean(self):
                cleaned = super().clean()
                on_rows = getattr(request, "_service_error_on_rows", False)
                if not add_service_error(self, error, aliases=aliases) and not on_rows:
                    self.add_error(None, f"{error.detail} ({error.code})")
                return cleaned

        return ServiceErrorForm

    def _create_formsets(self, request, obj, change):
        formsets, inlines = super()._create_formsets(request, obj, change)
        error = getattr(request, "_service_error", None)
        if error is not None:
            rows = getattr(request, "_service_rows", {})
            request._service_error_on_rows = add_service_row_errors(
                formsets, error, rows, self.service_error_fields
            )
        return formsets, inlines


class SoftDeleteAdmin(ServiceAdminMixin, ModelAdmin):
    """Lists live rows by default, archived ones behind the status filter; "delete" archives
    (through `perform_archive`, which subclasses point at their service so the same in-use
    rules apply) and archived rows can be
    restored."""

    actions = ["archive_selected", "restore_selected"]

    def get_queryset(self, request):
        qs = self.model.all_objects.get_queryset()
        ordering = self.get_ordering(request)
        return qs.order_by(*ordering) if ordering else qs

    def get_list_filter(self, request):
        return [ArchivedListFilter, *super().get_list_filter(request)]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(boolean=True, description=_("active"))
    def is_active(self, obj):
        return obj.deleted_at is None

    archive_service = None
    restore_service = None

    def perform_archive(self, obj, *, actor) -> None:
        if self.archive_service is None:
            obj.delete()
        else:
            self.archive_service(**{self.service_arg: obj}, actor=actor)

    def perform_restore(self, obj, *, actor) -> None:
        if self.restore_service is None:
            obj.restore()
        else:
            self.restore_service(**{self.service_arg: obj}, actor=actor)

    @admin.action(description=_("Archive selected %(verbose_name_plural)s"), permissions=["delete"])
    def archive_selected(self, request, queryset):
        self.apply_to_each(
            request,
            queryset.filter(deleted_at__isnull=True),
            lambda obj: self.perform_archive(obj, actor=request.user),
            "Archived {done} record(s).",
        )

    def has_restore_permission(self, request) -> bool:
        """Restoring is an action of its own, as over the API: `<app>.restore_<model>`."""
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.restore_{opts.model_name}")

    @admin.action(
        description=_("Restore selected %(verbose_name_plural)s"), permissions=["restore"]
    )
    def restore_selected(self, request, queryset):
        self.apply_to_each(
            request,
            queryset.filter(deleted_at__isnull=False),
            lambda obj: self.perform_restore(obj, actor=request.user),
            "Restored {done} record(s).",
        )

    def get_deleted_objects(self, objs, request):
        # Archiving cascades nothing, so the confirmation page lists only the record itself.
        return [str(obj) for obj in objs], {}, set(), []

    def delete_model(self, request, obj):
        self.delete_queryset(request, [obj])

    def delete_queryset(self, request, queryset):
        self.apply_to_each(
            request, queryset, lambda obj: self.perform_archive(obj, actor=request.user)
        )


# The Jobs page (background jobs: config.jobs).
import config.jobs.admin  # noqa: E402, F401
