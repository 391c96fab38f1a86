"""The GOV.UK error summary and page title: "Error: " before the title of any page with a form
in error, and one list of every error on the page, each linking to its field."""

from django import forms, template

register = template.Library()


def _in_error(value):
    if isinstance(value, forms.BaseForm):
        return value.is_bound and bool(value.errors)
    if isinstance(value, forms.BaseFormSet):
        return value.is_bound and not value.is_valid()
    return False


@register.simple_tag(takes_context=True)
def error_prefix(context):
    """ "Error: " when a form on the page is in error, so a screen reader hears it first."""
    return "Error: " if any(_in_error(value) for value in context.flatten().values()) else ""


def field_anchor(field):
    """The id of the box a link to the field should move to: its first, when it has several
    (radios, ticks, the day of a date)."""
    return field.id_for_label or f"{field.auto_id}_0"


def _first_anchor(form):
    """Where an error about the whole form links: its first box."""
    return next((field_anchor(field) for field in form if not field.is_hidden), "")


def _errors_of_form(form):
    first = _first_anchor(form)
    errors = [(first, error) for error in form.non_field_errors()]
    for field in form:
        anchor = first if field.is_hidden else field_anchor(field)
        errors += [(anchor, error) for error in field.errors]
    return errors


@register.simple_tag
def errors_of(*forms_and_formsets):
    """[(anchor, message)] of every error in the forms and formsets given, in page order."""
    errors = []
    for item in forms_and_formsets:
        if isinstance(item, forms.BaseFormSet) and item.is_bound:
            first = _first_anchor(item.forms[0]) if item.forms else ""
            errors += [(first, error) for error in item.non_form_errors()]
            for form in item.forms:
                errors += _errors_of_form(form)
        elif isinstance(item, forms.BaseForm) and item.is_bound:
            errors += _errors_of_form(item)
    return errors
