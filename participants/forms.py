import uuid

from django import forms
from django.conf import settings

from accounts import govuk
from participants.models import StakeholderGroup


class JoinCodeForm(govuk.Form):
    code = forms.CharField(
        label="Workshop code",
        max_length=20,
        help_text="The code on the screen at the front of the room, like K7MPX2Q.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class ParticipantJoinForm(govuk.Form):
    group = forms.ModelChoiceField(
        queryset=StakeholderGroup.objects.all(),
        label="Who are you here for?",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Please choose who you are here for."},
    )
    display_name = forms.CharField(
        label="Your name on the screen (you can leave this empty)",
        max_length=40,
        required=False,
        help_text="Use a first name or a nickname. You do not have to give your real name.",
        error_messages={"max_length": "Your name must be 40 characters or fewer"},
    )
    table_number = forms.IntegerField(
        label="Table number (if you have one)",
        min_value=1,
        max_value=500,
        required=False,
        error_messages={
            "invalid": "Enter your table number as a number, like 3, or leave it empty",
            "min_value": "Table numbers start at 1",
            "max_value": "Table numbers go up to 500",
        },
    )
    consent = forms.BooleanField(
        label="I am happy for what I write to be used as described above.",
        required=False,
    )


class ContributionForm(govuk.Form):
    # Length and emptiness are checked by the service, so the socket and this form agree. No
    # maxlength: the browser would cut a long paste silently; the character count explains.
    text = forms.CharField(label="Your answer", required=False, strip=False)
    client_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    prompt = forms.IntegerField(widget=forms.HiddenInput)

    @property
    def max_length(self):
        """The limit the character count states: the service's, read when the page is drawn."""
        return settings.CONTRIBUTION_MAX_LENGTH


class EasyReadForm(govuk.Form):
    """The phone's Easy Read switch: its one button sends the state it switches to."""

    CHOOSE = "Please choose to switch Easy Read on or off."

    easy_read = forms.ChoiceField(
        choices=[("on", "On"), ("off", "Off")],
        error_messages={"required": CHOOSE, "invalid_choice": CHOOSE},
    )
