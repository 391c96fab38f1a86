"""The GOV.UK form patterns every app's forms share: errors that say what to do, and dates
typed as day, month and year in three boxes (with the time in a fourth where one is needed).

They live here, in the lowest app with forms, so every app above can use them.
"""

import calendar
import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.text import capfirst

MONTHS = {
    name.lower(): number
    for names in (calendar.month_name, calendar.month_abbr)
    for number, name in enumerate(names)
    if name
}
TIME = re.compile(r"(\d{1,2})[:.]?(\d{2})")
LIMITS = {"max_length", "min_length", "min_value", "max_value"}  # each a field's attribute too


def _default_messages(field):
    """Every message Django gives a field of this kind unless told otherwise."""
    return {
        message
        for kind in type(field).__mro__
        for message in getattr(kind, "default_error_messages", {}).values()
    }


def _plain_messages(field, name):
    """Messages naming the field and saying what to do, for a field built from its label."""
    label = field.label or name.replace("_", " ")
    the = label[0].lower() + label[1:]
    if isinstance(field, forms.BooleanField):
        required = f"Tick ‘{label}’ to go on"
    elif isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        required = f"Choose the {the}"
    else:
        required = f"Enter the {the}"
    if isinstance(field, forms.IntegerField):
        invalid = f"{capfirst(the)} must be a whole number, like 3"
    elif isinstance(field, forms.EmailField):
        invalid = "Enter an email address in the correct format, like name@example.org"
    else:
        invalid = f"Check the {the}: it is not in a form we can read"
    return {
        "required": required,
        "invalid": invalid,
        "invalid_choice": f"Choose the {the} from the list",
        "invalid_list": f"Choose the {the} from the list",
        "invalid_pk_value": f"Choose the {the} from the list",
        "max_length": f"{capfirst(the)} must be %(limit_value)d characters or fewer "
        "(it has %(show_value)d)",
        "min_length": f"{capfirst(the)} must be at least %(limit_value)d characters",
        "min_value": f"{capfirst(the)} must be %(limit_value)s or more",
        "max_value": f"{capfirst(the)} must be %(limit_value)s or less",
        "null_characters_not_allowed": f"{capfirst(the)} has a character we cannot store: "
        "take it out and try again",
    }


class PlainErrorsMixin:
    """Django's own messages name no field ("This field is required."); these say which one
    and what to do. A message a form gives a field itself is kept."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            defaults = _default_messages(field)
            for code, message in _plain_messages(field, name).items():
                # A limit's message is the field's own only if the limit is: a validator
                # given with its own message (a model's, say) keeps it.
                if code in LIMITS and getattr(field, code, None) is None:
                    continue
                if field.error_messages.get(code, message) in defaults | {message}:
                    field.error_messages[code] = message


class Form(PlainErrorsMixin, forms.Form):
    pass


class ModelForm(PlainErrorsMixin, forms.ModelForm):
    pass


class DayMonthYearInput(forms.MultiWidget):
    """The GOV.UK date input: Day, Month and Year boxes, and a Time box when asked for."""

    template_name = "accounts/widgets/day_month_year.html"
    numeric = {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}

    def __init__(self, attrs=None, *, time=False):
        boxes = {
            "day": ("Day", "date-input-day"),
            "month": ("Month", "date-input-month"),
            "year": ("Year", "date-input-year"),
        }
        widgets = {
            name: forms.TextInput(attrs={**self.numeric, "class": css})
            for name, (_, css) in boxes.items()
        }
        if time:
            # Not numeric: a phone's number pad may have no colon.
            boxes["time"] = ("Time", "date-input-time")
            widgets["time"] = forms.TextInput(attrs={"class": "date-input-time"})
        self.labels = [label for label, _ in boxes.values()]
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if not value:
            return [None] * len(self.widgets)
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
            return [value.day, value.month, value.year, value.strftime("%H:%M")]
        return [value.day, value.month, value.year]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for box, label in zip(context["widget"]["subwidgets"], self.labels, strict=True):
            box["label"] = label
        return context


class DayMonthYearField(forms.Field):
    """A date typed into the GOV.UK date input; a date and time (in the site's time zone) when
    `time=True`. Month names ("March", "mar") are read as well as numbers, and the time as
    18:30, 18.30 or 1830. Each mistake gets its own message, naming what to fix."""

    def __init__(self, *, time=False, **kwargs):
        self.time = time
        kwargs.setdefault("widget", DayMonthYearInput(time=time))
        super().__init__(**kwargs)

    def to_python(self, value):
        if not isinstance(value, list | tuple):
            return value or None
        parts = [str(part or "").strip() for part in value]
        if not any(parts):
            return None
        names = ["day", "month", "year", "time"][: len(parts)]
        label = capfirst(self.label or "The date")
        missing = [name for name, part in zip(names, parts, strict=True) if not part]
        if missing:
            raise forms.ValidationError(
                f"{label} must include a {' and '.join(missing)}", code="incomplete"
            )
        day, month, year = parts[:3]
        month = MONTHS.get(month.lower(), month)
        if not re.fullmatch(r"\d{4}", year):
            raise forms.ValidationError("Enter the year as 4 digits, like 2026", code="year")
        try:
            date = datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(
                f"{label} must be a real date, like 27 3 2026", code="invalid"
            ) from None
        if not self.time:
            return date
        clock = TIME.fullmatch(parts[3])
        hours, minutes = (int(n) for n in clock.groups()) if clock else (99, 99)
        if hours > 23 or minutes > 59:
            raise forms.ValidationError(
                "Enter the time on the 24-hour clock, like 18:30", code="invalid_time"
            )
        return timezone.make_aware(datetime.datetime.combine(date, datetime.time(hours, minutes)))
