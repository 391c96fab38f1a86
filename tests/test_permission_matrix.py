"""Who may open what: every URL and every socket path, for every kind of visitor.

The table of routes is checked against the URL resolver itself, so a new URL without a row
here fails `test_every_named_route_has_a_row`.

Roles:
  anonymous          no cookie at all
  participant        joined this workshop (its signed per-workshop cookie)
  other_participant  joined another workshop of the same series; their cookie is sent under
                     its own name *and* replayed under this workshop's cookie name
  facilitator        facilitator of the organisation that owns the series
  analyst            analyst of that organisation
  admin              organisation admin of it (members, frameworks, audit log), no other role
  outsider           staff of another organisation: facilitator, analyst and admin there
  staff              is_staff user with no role: the admin flag alone grants nothing here

Outcomes:
  allow      2xx, or a redirect that is not to the sign-in page
  login      302 to /accounts/login/ (anonymous visitors and participants, who have no
             account, on staff pages)
  forbidden  403 (signed in, but holding the role in no organisation)
  not_found  404 (staff of another organisation: this one's objects do not exist for them)
  invalid    400 (a form naming another organisation's object: it is not a choice)
  join       participant pages for anyone who has not joined *this* workshop: the page
             shows the join form, never the feed; an action redirects to /w/<code>/ to join

Refused requests change nothing: every table the app writes is compared before and after.
"""

import asyncio
import itertools
import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEntry, Membership, Organisation
from accounts.services import organisation_create
from facilitation.models import Spotlight, WallDisplay
from live.sockets import CLOSE_NO_WORKSHOP, CLOSE_NOT_ALLOWED
from participants import tokens
from participants.models import Contribution, Participant, StakeholderGroup, Vote
from pillars.models import Framework, Pillar, Recommendation
from synthesis.models import (
    DismissedSuggestion,
    Embedding,
    Finding,
    FindingResponse,
    Judgement,
    ReportChoice,
    ReportExport,
    ReportText,
    ReportVersion,
    ResultsSubscription,
    Theme,
)
from tests.accounts.helpers import code_for
from tests.factories import (
    ContributionFactory,
    ParticipantFactory,
    SeriesFactory,
    UserFactory,
    make_workshop,
    send_reform,
    stakeholder_group,
)
from tests.helpers import form_post_data, framework_edit_data, new_client
from tests.sockets import communicator, staff_cookie
from workshops.forms import PromptFormSet
from workshops.models import Prompt, Series, Workshop

ROLES = (
    "anonymous",
    "participant",
    "other_participant",
    "facilitator",
    "analyst",
    "admin",
    "outsider",
    "staff",
)
STAFF_ROLES = ("facilitator", "analyst", "admin")

ALLOW, LOGIN, FORBIDDEN, JOIN = "allow", "login", "forbidden", "join"
NOT_FOUND, INVALID = "not_found", "invalid"

PUBLIC = dict.fromkeys(ROLES, ALLOW)
NO_ACCOUNT = {"anonymous": LOGIN, "participant": LOGIN, "other_participant": LOGIN}


def only(role):
    """Pages of one object of this organisation, for one role."""
    refused = {other: FORBIDDEN for other in (*STAFF_ROLES, "staff")}
    return {**NO_ACCOUNT, **refused, role: ALLOW, "outsider": NOT_FOUND}


FACILITATORS_ONLY = only("facilitator")
ANALYSTS_ONLY = only("analyst")
ADMINS_ONLY = only("admin")
# Lists show each person their own organisations' things, so an outsider gets theirs.
FACILITATORS_LIST = {**FACILITATORS_ONLY, "outsider": ALLOW}
ANALYSTS_LIST = {**ANALYSTS_ONLY, "outsider": ALLOW}
ADMINS_LIST = {**ADMINS_ONLY, "outsider": ALLOW}
SIGNED_IN = {**NO_ACCOUNT, **dict.fromkeys((*STAFF_ROLES, "outsider", "staff"), ALLOW)}
ANY_ROLE = {**NO_ACCOUNT, **dict.fromkeys((*STAFF_ROLES, "outsider"), ALLOW), "staff": FORBIDDEN}
PARTICIPANT_ONLY = {**dict.fromkeys(ROLES, JOIN), "participant": ALLOW}
NOWHERE = dict.fromkeys(ROLES, NOT_FOUND)

# Every table a view can write. Sessions are left out: signing in and out write them.
WRITTEN = [
    Series,
    Workshop,
    Prompt,
    Participant,
    Contribution,
    Vote,
    Theme,
    Theme.contributions.through,
    Finding,
    Finding.contributions.through,
    ReportText,
    ReportChoice,
    ReportVersion,
    ResultsSubscription,
    Finding.themes.through,
    FindingResponse,
    Judgement,
    ReportExport,
    Embedding,
    DismissedSuggestion,
    AuditEntry,
    Spotlight,
    WallDisplay,
    Framework,
    Pillar,
    Recommendation,
    StakeholderGroup,
    Organisation,
    Membership,
    TOTPDevice,
    get_user_model(),
]


def snapshot():
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in WRITTEN}


# The world every row is built in


def build_world():
    elsewhere = organisation_create(name="Another organisation")
    SeriesFactory(organisation=elsewhere, framework=send_reform(elsewhere), name="Theirs")
    users = {
        "facilitator": UserFactory(roles=["facilitator"]),
        "analyst": UserFactory(roles=["analyst"]),
        "admin": UserFactory(roles=["admin"]),
        "outsider": UserFactory(roles=STAFF_ROLES, roles__organisation=elsewhere),
        "staff": UserFactory(is_staff=True),
    }
    analyst = users["analyst"]
    series = SeriesFactory()
    workshop = make_workshop(series=series)
    other_workshop = make_workshop(series=series, title="Another workshop")
    prompt = workshop.prompts.get(is_open=True)
    participant = ParticipantFactory(workshop=workshop)
    author = ParticipantFactory(workshop=workshop, group=stakeholder_group("education"))
    erasable = ParticipantFactory(workshop=workshop, group=stakeholder_group("health"))
    other_participant = ParticipantFactory(workshop=other_workshop)

    def post(by, text):
        return ContributionFactory(participant=by, text=text)

    contribution = post(author, "Matrix words only a member of this workshop may read")
    duplicate = post(author, "Matrix duplicate post")
    own = post(participant, "Matrix post the participant may withdraw")
    withdrawn = post(participant, "Matrix post the participant may bring back")
    withdrawn.state, withdrawn.withdrawn_from = "withdrawn", "visible"
    withdrawn.withdrawn_at = timezone.now()
    withdrawn.save(update_fields=["state", "withdrawn_from", "withdrawn_at"])
    flagged = post(author, "My son Tom needs help")
    flagged.personal_data, flagged.masked_text = ["name"], "My son [name] needs help"
    flagged.save(update_fields=["personal_data", "masked_text"])
    in_theme = [post(author, "Matrix theme post one"), post(author, "Matrix theme post two")]
    free = [post(author, "Matrix free post one"), post(author, "Matrix free post two")]
    post(erasable, "Matrix post of someone to erase")

    theme = Theme.objects.create(series=series, title="Matrix theme", created_by=analyst)
    theme.contributions.set(in_theme)
    finding = Finding.objects.create(
        series=series,
        title="Matrix finding",
        body="Body",
        kind=Finding.Kind.COMMON_GROUND,
        created_by=analyst,
    )
    response = FindingResponse.objects.create(
        finding=finding,
        status=FindingResponse.Status.CONSIDERING,
        action="Matrix action",
        responsible="Matrix team",
        easy_read="Matrix Easy Read",
    )
    judgement = Judgement.objects.create(
        series=series,
        contribution=contribution,
        verdict="insufficient_data",
        computed="insufficient_data",
    )
    done = ReportExport(
        series=series,
        kind=ReportExport.Kind.CONTRIBUTIONS_CSV,
        fingerprint="matrix-done",
        status=ReportExport.Status.DONE,
        progress=100,
    )
    done.file.save("matrix.csv", ContentFile(b"comment-id,comment-body\r\n"), save=True)
    version = ReportVersion(
        series=series,
        number=1,
        fingerprint="matrix",
        contributions=1,
        votes=0,
        unconfirmed=0,
        finalised=timezone.now(),
        # What the public page would show of it, frozen when it was made final.
        public_content={
            "title": series.name,
            "about": {"people": 1, "workshops": 1, "regions": [], "first": None, "last": None},
            "findings": [],
            "overview": {"groups": [], "rows": []},
        },
    )
    version.file.save("matrix-version-1.pdf", ContentFile(b"%PDF-1.7 matrix"), save=False)
    version.easy_read_file.save("matrix-easy-read-1.pdf", ContentFile(b"%PDF-1.7 easy"), save=True)
    failed = ReportExport.objects.create(
        series=series,
        kind=ReportExport.Kind.VOTES_CSV,
        fingerprint="matrix-failed",
        status=ReportExport.Status.FAILED,
        error="The export could not be built.",
    )
    keep_address(series)
    return SimpleNamespace(
        attempts=itertools.count(),
        organisation=series.organisation,
        elsewhere=elsewhere,
        version=version,
        series=series,
        workshop=workshop,
        other_workshop=other_workshop,
        prompt=prompt,
        framework=series.framework,
        participant=participant,
        author=author,
        erasable=erasable,
        other_participant=other_participant,
        contribution=contribution,
        duplicate=duplicate,
        own=own,
        withdrawn=withdrawn,
        flagged=flagged,
        in_theme=in_theme,
        free=free,
        theme=theme,
        finding=finding,
        response=response,
        judgement=judgement,
        done_export=done,
        failed_export=failed,
        users=users,
    )


def participant_cookies(w, role):
    """name -> token for the participant roles; the other participant's token is also
    replayed under this workshop's cookie name, which must not let them in."""
    if role == "participant":
        return {tokens.cookie_name(w.workshop): tokens.make_token(w.participant)}
    if role == "other_participant":
        token = tokens.make_token(w.other_participant)
        return {tokens.cookie_name(w.other_workshop): token, tokens.cookie_name(w.workshop): token}
    return {}


# The key of an authenticator app being set up, kept in the session until a code works.
MATRIX_TOTP_KEY = "3132333435363738393031323334353637383930"


def client_for(w, role):
    client = new_client()
    if role in w.users:
        client.force_login(w.users[role])
        session = client.session
        session["two_factor_setup_key"] = MATRIX_TOTP_KEY
        session.save()
    for name, value in participant_cookies(w, role).items():
        client.cookies[name] = value
    return client


# POST bodies that succeed for a role that is allowed (so a refusal is not a form error)


def prompts_data(w):
    formset = PromptFormSet(
        queryset=w.workshop.prompts.all(), form_kwargs={"framework": w.framework}
    )
    data = form_post_data(formset)
    data["form-0-question"] = "Matrix: a changed question"
    return data


def framework_data(w):
    data = framework_edit_data(w.framework)
    data["name"] = "Matrix: a renamed framework"
    return data


def ids(posts):
    return ", ".join(str(p.pk) for p in posts)


@dataclass
class Route:
    kwargs: object = None  # world -> URL kwargs
    policy: dict = field(default_factory=lambda: PUBLIC)
    get: bool = False
    post: object = None  # world -> POST data; None for a GET-only route
    # Whether an allowed POST writes something (proves the request was a real one): True,
    # False, or the roles whose allowed POST does.
    post_changes: object = True
    # Where a POST is answered otherwise than a GET: {role: outcome}.
    post_policy: dict = field(default_factory=dict)

    def url(self, name, w):
        return reverse(name, kwargs=self.kwargs(w) if self.kwargs else None)


def code(w):
    return {"code": w.workshop.join_code}


def workshop_pk(w):
    return {"pk": w.workshop.pk}


def series_pk(w):
    return {"pk": w.series.pk}


def results_code(w):
    return {"code": w.series.results_code}


MATRIX_TOKEN = "matrix-token-for-results-notices"


def keep_address(series):
    """The series' one address kept for results notices, put back if it was unsubscribed."""
    ResultsSubscription.objects.get_or_create(
        series=series, token=MATRIX_TOKEN, defaults={"email": "matrix@example.org"}
    )


def address_kept_again(w):
    """No POST data; the address an earlier role unsubscribed is put back for this one."""
    keep_address(w.series)
    return {}


def address_link(w):
    return {"code": w.series.results_code, "token": MATRIX_TOKEN}


def in_workshop(**extra):
    return lambda w: {"pk": w.workshop.pk, **{k: get(w) for k, get in extra.items()}}


def in_series(**extra):
    return lambda w: {"pk": w.series.pk, **{k: get(w) for k, get in extra.items()}}


MATRIX = {
    # Public pages
    # A wrong password is answered on the sign-in page (200) whoever asks; each role tries
    # another account, so the sign-in throttle (per account and address) stays out of it.
    "login": Route(
        get=True,
        post=lambda w: {"username": f"nobody-{next(w.attempts)}", "password": "wrong"},
        post_changes=False,
    ),
    # Forgotten passwords: the same answer whether an address has an account or not.
    "password_reset": Route(
        get=True,
        post=lambda w: {"email": f"nobody-{next(w.attempts)}@example.org"},
        post_changes=False,
    ),
    "password_reset_done": Route(get=True),
    "password_reset_confirm": Route(
        kwargs=lambda w: {"uidb64": "MQ", "token": "not-a-token"},
        get=True,
        post=lambda w: {"new_password1": "x", "new_password2": "x"},
        post_changes=False,
    ),
    "password_reset_complete": Route(get=True),
    # Two-step sign-in: for anyone signed in, whatever their roles.
    "two_factor_setup": Route(
        policy=SIGNED_IN, get=True, post=lambda w: {"code": code_for(MATRIX_TOTP_KEY)}
    ),
    "two_factor_verify": Route(
        policy=SIGNED_IN, get=True, post=lambda w: {"code": "123456"}, post_changes=False
    ),
    "two_factor_disable": Route(
        policy=SIGNED_IN, get=True, post=lambda w: {"code": "123456"}, post_changes=False
    ),
    # The load balancer's probe: public, and says nothing but "ok".
    "healthz": Route(get=True),
    "logout": Route(post=lambda w: {}, post_changes=False),
    "accessibility": Route(get=True),
    # Participants: anyone may enter a code and join; the rest needs this workshop's cookie.
    "participants:home": Route(
        get=True, post=lambda w: {"code": w.workshop.join_code}, post_changes=False
    ),
    # A phone that joined already sending the form again is the same person: nothing new.
    "participants:join": Route(
        kwargs=code,
        post=lambda w: {"group": stakeholder_group("pcf").pk, "consent": "on"},
        post_changes=tuple(role for role in ROLES if role != "participant"),
    ),
    "participants:workshop": Route(kwargs=code, policy=PARTICIPANT_ONLY, get=True),
    # The join page is in Easy Read too, so anyone may switch: it sets a cookie, nothing more.
    "participants:easy_read": Route(
        kwargs=code, post=lambda w: {"easy_read": "on"}, post_changes=False
    ),
    "participants:contribute": Route(
        kwargs=code,
        policy=PARTICIPANT_ONLY,
        post=lambda w: {
            "text": "Matrix new post",
            "client_id": uuid.uuid4(),
            "prompt": w.prompt.pk,
        },
    ),
    "participants:vote": Route(
        kwargs=lambda w: {**code(w), "contribution_id": w.contribution.pk},
        policy=PARTICIPANT_ONLY,
        post=lambda w: {"choice": "agree"},
    ),
    "participants:withdraw": Route(
        kwargs=lambda w: {**code(w), "contribution_id": w.own.pk},
        policy=PARTICIPANT_ONLY,
        post=lambda w: {},
    ),
    "participants:withdraw_undo": Route(
        kwargs=lambda w: {**code(w), "contribution_id": w.withdrawn.pk},
        policy=PARTICIPANT_ONLY,
        post=lambda w: {},
    ),
    # Facilitators
    "facilitation:staff_home": Route(policy=ANY_ROLE, get=True),
    "facilitation:series_list": Route(
        policy=FACILITATORS_LIST,
        get=True,
        post=lambda w: {
            "name": "Matrix series",
            "organisation": w.organisation.pk,
            "framework": w.framework.pk,
        },
        post_policy={"outsider": INVALID},
    ),
    "facilitation:series_detail": Route(
        kwargs=series_pk,
        policy=FACILITATORS_ONLY,
        get=True,
        post=lambda w: {
            "title": "Matrix",
            "kind": "regional",
            "starts_at_day": "1",
            "starts_at_month": "5",
            "starts_at_year": "2031",
            "starts_at_time": "10:00",
        },
    ),
    "facilitation:console": Route(kwargs=workshop_pk, policy=FACILITATORS_ONLY, get=True),
    "facilitation:workshop_status": Route(
        kwargs=workshop_pk, policy=FACILITATORS_ONLY, post=lambda w: {"status": "closed"}
    ),
    # Asks before closing: the page's button posts to workshop_status.
    "facilitation:workshop_close": Route(kwargs=workshop_pk, policy=FACILITATORS_ONLY, get=True),
    "facilitation:easy_read_default": Route(
        kwargs=workshop_pk, policy=FACILITATORS_ONLY, post=lambda w: {"easy_read_default": "on"}
    ),
    "facilitation:premoderation": Route(
        kwargs=workshop_pk, policy=FACILITATORS_ONLY, post=lambda w: {"premoderation": "on"}
    ),
    "facilitation:spotlight": Route(
        kwargs=workshop_pk,
        policy=FACILITATORS_ONLY,
        post=lambda w: {"contribution": w.contribution.pk},
    ),
    "facilitation:scribe": Route(
        kwargs=workshop_pk,
        policy=FACILITATORS_ONLY,
        post=lambda w: {
            "prompt": w.prompt.pk,
            "group": stakeholder_group("pcf").pk,
            "text": "Matrix card",
            "client_id": uuid.uuid4(),
        },
    ),
    "facilitation:prompts_edit": Route(
        kwargs=workshop_pk, policy=FACILITATORS_ONLY, get=True, post=prompts_data
    ),
    "facilitation:prompt_toggle": Route(
        kwargs=in_workshop(prompt_id=lambda w: w.prompt.pk),
        policy=FACILITATORS_ONLY,
        post=lambda w: {},
    ),
    "facilitation:prompt_timer": Route(
        kwargs=in_workshop(prompt_id=lambda w: w.prompt.pk),
        policy=FACILITATORS_ONLY,
        post=lambda w: {"minutes": "5"},
    ),
    "facilitation:contribution_moderate": Route(
        kwargs=in_workshop(contribution_id=lambda w: w.contribution.pk),
        policy=FACILITATORS_ONLY,
        post=lambda w: {"state": "hidden"},
    ),
    "facilitation:contribution_edit": Route(
        kwargs=in_workshop(contribution_id=lambda w: w.contribution.pk),
        policy=FACILITATORS_ONLY,
        post=lambda w: {"text": "Matrix: edited by a facilitator"},
    ),
    "facilitation:contribution_merge": Route(
        kwargs=in_workshop(contribution_id=lambda w: w.duplicate.pk),
        policy=FACILITATORS_ONLY,
        post=lambda w: {"into": w.contribution.pk},
    ),
    "facilitation:merge_candidates": Route(
        kwargs=in_workshop(contribution_id=lambda w: w.duplicate.pk),
        policy=FACILITATORS_ONLY,
        get=True,
    ),
    "facilitation:contribution_release": Route(
        kwargs=in_workshop(contribution_id=lambda w: w.flagged.pk),
        policy=FACILITATORS_ONLY,
        post=lambda w: {},
    ),
    # GET asks first, naming what will be lost; POST erases.
    "facilitation:participant_erase": Route(
        kwargs=in_workshop(participant_id=lambda w: w.erasable.pk),
        policy=FACILITATORS_ONLY,
        get=True,
        post=lambda w: {},
    ),
    "facilitation:wall": Route(kwargs=workshop_pk, policy=FACILITATORS_ONLY, get=True),
    "facilitation:wall_pause": Route(
        kwargs=workshop_pk, policy=FACILITATORS_ONLY, post=lambda w: {"paused": "yes"}
    ),
    "facilitation:wall_show": Route(
        kwargs=workshop_pk,
        policy=FACILITATORS_ONLY,
        post=lambda w: {"showing": "results", "prompt": w.prompt.pk},
    ),
    "facilitation:qr_code": Route(kwargs=workshop_pk, policy=FACILITATORS_ONLY, get=True),
    "facilitation:results_qr_code": Route(kwargs=workshop_pk, policy=FACILITATORS_ONLY, get=True),
    # Organisation admins
    "facilitation:organisations": Route(policy=ADMINS_LIST, get=True),
    "facilitation:organisation": Route(
        kwargs=lambda w: {"pk": w.organisation.pk},
        policy=ADMINS_ONLY,
        get=True,
        post=lambda w: {"email": f"new-{next(w.attempts)}@example.org", "roles": ["analyst"]},
    ),
    "facilitation:member_roles": Route(
        kwargs=lambda w: {"pk": w.organisation.pk, "user_id": w.users["analyst"].pk},
        policy=ADMINS_ONLY,
        post=lambda w: {f"member-{w.users['analyst'].pk}-roles": ["analyst", "facilitator"]},
    ),
    "facilitation:organisation_audit": Route(
        kwargs=lambda w: {"pk": w.organisation.pk}, policy=ADMINS_ONLY, get=True
    ),
    "pillars:framework_list": Route(policy=ADMINS_LIST, get=True),
    "pillars:framework_edit": Route(
        kwargs=lambda w: {"pk": w.framework.pk},
        policy=ADMINS_ONLY,
        get=True,
        post=framework_data,
    ),
    # Analysts
    "synthesis:series_list": Route(policy=ANALYSTS_LIST, get=True),
    "synthesis:series_board": Route(kwargs=series_pk, policy=ANALYSTS_ONLY, get=True),
    "synthesis:workshop_board": Route(kwargs=workshop_pk, policy=ANALYSTS_ONLY, get=True),
    "synthesis:series_contributions": Route(kwargs=series_pk, policy=ANALYSTS_ONLY, get=True),
    "synthesis:judge": Route(
        kwargs=in_series(kind=lambda w: "contribution", item_pk=lambda w: w.contribution.pk),
        policy=ANALYSTS_ONLY,
        post=lambda w: {"verdict": "common_ground", "reason": "Matrix reason"},
    ),
    "synthesis:report_choice": Route(
        kwargs=in_series(kind=lambda w: "contribution", item_pk=lambda w: w.contribution.pk),
        policy=ANALYSTS_ONLY,
        post=lambda w: {"choice": "pinned"},
    ),
    "synthesis:suggestion_dismiss": Route(
        kwargs=series_pk,
        policy=ANALYSTS_ONLY,
        post=lambda w: {"contributions": f"{w.contribution.pk}"},
    ),
    # The work is queued for after the commit and done in the background.
    "synthesis:meanings": Route(
        kwargs=series_pk, policy=ANALYSTS_ONLY, post=lambda w: {}, post_changes=False
    ),
    "synthesis:similar_posts": Route(
        kwargs=in_series(contribution_pk=lambda w: w.contribution.pk),
        policy=ANALYSTS_ONLY,
        get=True,
    ),
    "synthesis:judgement_withdraw": Route(
        kwargs=in_series(judgement_id=lambda w: w.judgement.pk),
        policy=ANALYSTS_ONLY,
        post=lambda w: {},
    ),
    "synthesis:themes": Route(
        kwargs=series_pk,
        policy=ANALYSTS_ONLY,
        get=True,
        post=lambda w: {"title": "Matrix new theme", "contributions": ids(w.free)},
    ),
    "synthesis:theme_edit": Route(
        kwargs=in_series(theme_id=lambda w: w.theme.pk),
        policy=ANALYSTS_ONLY,
        get=True,
        post=lambda w: {"title": "Matrix renamed theme", "contributions": ids(w.in_theme)},
    ),
    "synthesis:theme_delete": Route(
        kwargs=in_series(theme_id=lambda w: w.theme.pk), policy=ANALYSTS_ONLY, post=lambda w: {}
    ),
    "synthesis:findings": Route(
        kwargs=series_pk,
        policy=ANALYSTS_ONLY,
        get=True,
        post=lambda w: {"title": "Matrix new finding", "body": "B", "kind": "debate"},
    ),
    "synthesis:report_text": Route(
        kwargs=series_pk,
        policy=ANALYSTS_ONLY,
        get=True,
        post=lambda w: {"summary": "Matrix summary"},
    ),
    "synthesis:workshop_report_text": Route(
        kwargs=workshop_pk,
        policy=ANALYSTS_ONLY,
        get=True,
        post=lambda w: {"summary": "Matrix workshop summary"},
    ),
    "synthesis:finding_edit": Route(
        kwargs=in_series(finding_id=lambda w: w.finding.pk),
        policy=ANALYSTS_ONLY,
        get=True,
        post=lambda w: {"title": "Matrix edited", "body": "B", "kind": "common_ground"},
    ),
    "synthesis:finding_delete": Route(
        kwargs=in_series(finding_id=lambda w: w.finding.pk),
        policy=ANALYSTS_ONLY,
        post=lambda w: {},
    ),
    "synthesis:exports": Route(
        kwargs=series_pk,
        policy=ANALYSTS_ONLY,
        get=True,
        post=lambda w: {"kind": "contributions_csv"},
    ),
    "synthesis:series_report": Route(kwargs=series_pk, policy=ANALYSTS_ONLY, get=True),
    "synthesis:series_opinion_map": Route(kwargs=series_pk, policy=ANALYSTS_ONLY, get=True),
    "synthesis:workshop_opinion_map": Route(kwargs=workshop_pk, policy=ANALYSTS_ONLY, get=True),
    "synthesis:report_versions": Route(
        kwargs=series_pk, policy=ANALYSTS_ONLY, get=True, post=lambda w: {"reviewed": "on"}
    ),
    "synthesis:report_version_file": Route(
        kwargs=in_series(number=lambda w: w.version.number), policy=ANALYSTS_ONLY, get=True
    ),
    "synthesis:report_version_easy_read_file": Route(
        kwargs=in_series(number=lambda w: w.version.number), policy=ANALYSTS_ONLY, get=True
    ),
    "synthesis:workshop_report": Route(kwargs=workshop_pk, policy=ANALYSTS_ONLY, get=True),
    "synthesis:export_status": Route(
        kwargs=lambda w: {"token": w.done_export.token}, policy=ANALYSTS_ONLY, get=True
    ),
    "synthesis:export_download": Route(
        kwargs=lambda w: {"token": w.done_export.token}, policy=ANALYSTS_ONLY, get=True
    ),
    "synthesis:export_retry": Route(
        kwargs=lambda w: {"token": w.failed_export.token},
        policy=ANALYSTS_ONLY,
        post=lambda w: {},
    ),
    # The public results of a series: anyone, no sign-in; before publication they say so.
    "results": Route(kwargs=results_code, get=True),
    "results_easy_read": Route(kwargs=results_code, get=True),
    "results_feed": Route(kwargs=results_code, get=True),
    # The world's final version is not published, and nothing unpublished is served to anyone.
    "results_file": Route(kwargs=results_code, policy=NOWHERE, get=True),
    "results_easy_read_file": Route(kwargs=results_code, policy=NOWHERE, get=True),
    # Responses to key findings, and publishing a final version: analysts. Deleting and
    # unpublishing ask first (GET), then act (POST).
    "synthesis:finding_response_add": Route(
        kwargs=in_series(finding_id=lambda w: w.finding.pk),
        policy=ANALYSTS_ONLY,
        get=True,
        post=lambda w: {
            "status": "agreed",
            "action": "Matrix new action",
            "date_day": "3",
            "date_month": "4",
            "date_year": "2031",
            "responsible": "Matrix team",
            "easy_read": "Matrix Easy Read",
        },
    ),
    "synthesis:finding_response_edit": Route(
        kwargs=in_series(response_id=lambda w: w.response.pk),
        policy=ANALYSTS_ONLY,
        get=True,
        post=lambda w: {
            "status": "done",
            "action": "Matrix action done",
            "date_day": "4",
            "date_month": "4",
            "date_year": "2031",
            "responsible": "Matrix team",
            "easy_read": "Matrix Easy Read",
        },
    ),
    "synthesis:finding_response_delete": Route(
        kwargs=in_series(response_id=lambda w: w.response.pk),
        policy=ANALYSTS_ONLY,
        get=True,
        post=lambda w: {},
    ),
    "synthesis:report_version_publish": Route(
        kwargs=in_series(number=lambda w: w.version.number),
        policy=ANALYSTS_ONLY,
        post=lambda w: {},
    ),
    # The world's version is not published: there is nothing to take down, so an allowed
    # request changes nothing (tests/synthesis/test_publishing.py takes one down).
    "synthesis:report_version_unpublish": Route(
        kwargs=in_series(number=lambda w: w.version.number),
        policy=ANALYSTS_ONLY,
        get=True,
        post=lambda w: {},
        post_changes=False,
    ),
    # Following the results by email: anyone, no sign-in. Each asks for another address.
    "results_subscribe": Route(
        kwargs=results_code,
        get=True,
        post=lambda w: {"email": f"follower-{next(w.attempts)}@example.org", "consent": "on"},
    ),
    "results_subscribe_sent": Route(kwargs=results_code, get=True),
    # The emailed links: the first POST confirms (later ones find it confirmed) or deletes
    # the address (put back before each later one, which then leaves the table as it was).
    "results_confirm": Route(
        kwargs=address_link, get=True, post=lambda w: {}, post_changes=("anonymous",)
    ),
    "results_unsubscribe": Route(
        kwargs=address_link, get=True, post=address_kept_again, post_changes=("anonymous",)
    ),
}


# The resolver is the source of truth


def named_routes(patterns=None, namespace=None, prefix=""):
    """Every route's full name (or, unnamed, its pattern), leaving out admin/ and static."""
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(("admin/", "static/", "media/")):
            continue
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            found += named_routes(entry.url_patterns, inner, route)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            found.append(name or f"<unnamed {route!r}>")
    return found


def test_every_named_route_has_a_row():
    """A URL without a row here fails, and so does a row for a URL that has gone."""
    routes = named_routes()
    assert len(routes) == len(set(routes))
    assert sorted(set(routes) - set(MATRIX)) == [], "routes missing from the permission matrix"
    assert sorted(set(MATRIX) - set(routes)) == [], "matrix rows for routes that do not exist"


def test_every_row_is_requested_some_way():
    for name, route in MATRIX.items():
        assert route.get or route.post, name
        assert set(route.policy) == set(ROLES), name


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["facilitation:series_list", "synthesis:series_list", "pillars:framework_list"]
)
def test_lists_show_staff_only_their_own_organisations(name):
    """An outsider's list holds their organisation's series (or framework), never ours."""
    w = build_world()
    page = client_for(w, "outsider").get(reverse(name)).content.decode()
    if name == "pillars:framework_list":
        assert reverse("pillars:framework_edit", args=[send_reform(w.elsewhere).pk]) in page
        assert reverse("pillars:framework_edit", args=[w.framework.pk]) not in page
    else:
        assert "Theirs" in page
        assert w.series.name not in page


# HTTP


def body(response):
    if response.streaming:
        # Reading it all closes it (the test client's wrapper does, with the database left
        # alone); closing it again would close the test's connection on PostgreSQL.
        return b"".join(response.streaming_content)
    return response.content


def check(response, expected, w, method):
    """A list of problems (empty when the response is what the role should get)."""
    status, location = response.status_code, response.headers.get("Location", "")
    content = body(response)
    login = reverse("login")
    if expected == ALLOW:
        ok = 200 <= status < 300 or (300 <= status < 400 and not location.startswith(login))
        return [] if ok else [f"expected allowed, got {status} {location}"]
    if expected == LOGIN:
        ok = status == 302 and location.startswith(login + "?next=")
        return [] if ok else [f"expected a redirect to sign in, got {status} {location}"]
    if expected in (FORBIDDEN, NOT_FOUND, INVALID):
        code = {FORBIDDEN: 403, NOT_FOUND: 404, INVALID: 400}[expected]
        return [] if status == code else [f"expected {code}, got {status} {location}"]
    # JOIN: never this workshop's feed; a page shows the join form, an action sends to join.
    join_page = reverse("participants:workshop", args=[w.workshop.join_code])
    if method == "get":
        text = content.decode()
        problems = [] if status == 200 else [f"expected the join form (200), got {status}"]
        if "Join the workshop" not in text:
            problems.append("the join form is not shown")
        if "data-live-socket" in text or w.contribution.text in text:
            problems.append("the feed of this workshop is shown")
        return problems
    ok = status == 302 and location == join_page
    return [] if ok else [f"expected a redirect to {join_page}, got {status} {location}"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_route_answers_each_role_as_the_matrix_says(name):
    route = MATRIX[name]
    w = build_world()
    url = route.url(name, w)
    clients = {role: client_for(w, role) for role in ROLES}
    # Refused roles go first, so an allowed write cannot hide a refused one.
    roles = sorted(ROLES, key=lambda role: route.policy[role] == ALLOW)
    problems = []
    if route.get:
        before = snapshot()
        for role in roles:
            response = clients[role].get(url)
            problems += [
                f"GET as {role}: {p}" for p in check(response, route.policy[role], w, "get")
            ]
        if snapshot() != before:
            problems.append("a GET changed something")
    if route.post:
        policy = {**route.policy, **route.post_policy}
        roles = sorted(ROLES, key=lambda role: policy[role] == ALLOW)
        refused = [role for role in roles if policy[role] != ALLOW]
        before = snapshot()
        for role in refused:
            response = clients[role].post(url, route.post(w))
            problems += [f"POST as {role}: {p}" for p in check(response, policy[role], w, "post")]
        after = snapshot()
        if after != before:
            changed = [label for label in before if before[label] != after[label]]
            problems.append(f"a refused POST (by one of {refused}) changed {changed}")
        for role in roles[len(refused) :]:
            before = after
            response = clients[role].post(url, route.post(w))
            problems += [f"POST as {role}: {p}" for p in check(response, ALLOW, w, "post")]
            after = snapshot()
            must_change = route.post_changes is True or (
                route.post_changes and role in route.post_changes
            )
            if must_change and after == before:
                problems.append(f"POST as {role} was allowed but saved nothing")
    assert problems == [], f"{name} {url}"


@pytest.mark.django_db
def test_methods_a_route_does_not_take_are_405_and_change_nothing():
    w = build_world()
    client = client_for(w, "facilitator")
    before = snapshot()
    wrong = []
    for name, route in MATRIX.items():
        url = route.url(name, w)
        if not route.get and client.get(url).status_code != 405:
            wrong.append(f"GET {name}")
        if not route.post and client.post(url, {}).status_code != 405:
            wrong.append(f"POST {name}")
    assert wrong == []
    assert snapshot() == before


# Crossing workshops and series by id: the right role, the wrong object


@pytest.mark.django_db
def test_a_participant_cannot_act_on_another_workshops_posts_through_their_own_code():
    """Through their own workshop's code, a participant of another workshop can neither
    vote on nor withdraw a post of this one."""
    w = build_world()
    client = client_for(w, "other_participant")
    own_code = w.other_workshop.join_code
    before = snapshot()
    vote = client.post(
        reverse("participants:vote", args=[own_code, w.contribution.pk]), {"choice": "agree"}
    )
    assert vote.status_code == 302  # back to their own feed, with the refusal as a message
    withdraw = client.post(reverse("participants:withdraw", args=[own_code, w.own.pk]))
    assert withdraw.status_code == 404
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("facilitation:contribution_moderate", lambda w, o: {"contribution_id": o.pk}),
        ("facilitation:contribution_edit", lambda w, o: {"contribution_id": o.pk}),
        ("facilitation:contribution_merge", lambda w, o: {"contribution_id": o.pk}),
        ("facilitation:contribution_release", lambda w, o: {"contribution_id": o.pk}),
        ("facilitation:participant_erase", lambda w, o: {"participant_id": o.participant_id}),
        ("facilitation:prompt_toggle", lambda w, o: {"prompt_id": o.prompt_id}),
        ("facilitation:prompt_timer", lambda w, o: {"prompt_id": o.prompt_id}),
    ],
)
def test_a_facilitator_cannot_reach_another_workshops_objects_through_this_one(name, kwargs):
    """The workshop in the URL bounds the objects: another workshop's post is a 404."""
    w = build_world()
    elsewhere = ContributionFactory(participant=w.other_participant, text="Elsewhere")
    elsewhere.personal_data = ["name"]
    elsewhere.save(update_fields=["personal_data"])
    url = reverse(name, kwargs={"pk": w.workshop.pk, **kwargs(w, elsewhere)})
    client = client_for(w, "facilitator")
    before = snapshot()
    response = client.post(
        url, {"state": "hidden", "text": "Changed", "into": w.contribution.pk, "minutes": "5"}
    )
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "synthesis:judge",
        "synthesis:report_choice",
        "synthesis:judgement_withdraw",
        "synthesis:theme_edit",
        "synthesis:theme_delete",
        "synthesis:finding_edit",
        "synthesis:finding_delete",
    ],
)
def test_an_analyst_cannot_reach_another_series_objects_through_this_one(name):
    """The series in the URL bounds the objects: another series' item is a 404."""
    w = build_world()
    other_series = SeriesFactory()
    kwargs = {
        "synthesis:judge": {"kind": "contribution", "item_pk": w.contribution.pk},
        "synthesis:report_choice": {"kind": "contribution", "item_pk": w.contribution.pk},
        "synthesis:judgement_withdraw": {"judgement_id": w.judgement.pk},
        "synthesis:theme_edit": {"theme_id": w.theme.pk},
        "synthesis:theme_delete": {"theme_id": w.theme.pk},
        "synthesis:finding_edit": {"finding_id": w.finding.pk},
        "synthesis:finding_delete": {"finding_id": w.finding.pk},
    }[name]
    url = reverse(name, kwargs={"pk": other_series.pk, **kwargs})
    client = client_for(w, "analyst")
    before = snapshot()
    data = {"verdict": "common_ground", "reason": "R", "title": "Moved", "body": "B"}
    assert (
        client.post(url, {**data, "kind": "debate", "contributions": ids(w.in_theme)}).status_code
        == 404
    )
    assert snapshot() == before


# Themes and findings have a creator but no owner: any analyst may edit them


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["theme", "finding"])
def test_an_analyst_can_edit_a_theme_or_finding_whose_creator_has_left(kind):
    """created_by is SET_NULL when the creator's account is deleted; the item must stay
    editable by the other analysts (not a 500)."""
    w = build_world()
    leaver = UserFactory(roles=["analyst"])
    item = w.theme if kind == "theme" else w.finding
    item.created_by = leaver
    item.save(update_fields=["created_by"])
    leaver.delete()
    client = client_for(w, "analyst")
    if kind == "theme":
        url = reverse("synthesis:theme_edit", args=[w.series.pk, w.theme.pk])
        data = {"title": "Renamed after the creator left", "contributions": ids(w.in_theme)}
    else:
        url = reverse("synthesis:finding_edit", args=[w.series.pk, w.finding.pk])
        data = {"title": "Renamed after the creator left", "body": "B", "kind": "debate"}
    response = client.post(url, data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Renamed after the creator left"


# Sockets

SOCKETS = {
    "phone": (lambda w: f"/ws/w/{w.workshop.join_code}/", PARTICIPANT_ONLY),
    "console": (lambda w: f"/ws/facilitate/{w.workshop.pk}/", FACILITATORS_ONLY),
    "wall": (lambda w: f"/ws/wall/{w.workshop.pk}/", FACILITATORS_ONLY),
}
UNKNOWN = {"phone": "/ws/w/ZZZZZZZ/", "console": "/ws/facilitate/0/", "wall": "/ws/wall/0/"}


def socket_cookies(w, role):
    if role in w.users:
        return staff_cookie(w.users[role])
    return "; ".join(f"{name}={value}" for name, value in participant_cookies(w, role).items())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_socket_path_admits_only_its_role():
    """Allowed sockets are accepted and stay open; the rest close with 4403. A staff socket's
    path naming no workshop closes with 4404 whoever asks, as does one naming another
    organisation's workshop; a phone's closes with 4403, as for a workshop not joined, so it
    tells no one which codes exist."""
    w = build_world()
    # Sockets (and their session cookies) are made here: the database is not for async code.
    cookies = {role: socket_cookies(w, role) for role in ROLES}
    cases = []
    for kind, (path, policy) in SOCKETS.items():
        for role in ROLES:
            expected = {ALLOW: None, NOT_FOUND: CLOSE_NO_WORKSHOP}.get(
                policy[role], CLOSE_NOT_ALLOWED
            )
            cases.append((kind, role, expected, communicator(path(w), cookies[role])))
        for role in ("participant", "facilitator"):
            socket = communicator(UNKNOWN[kind], cookies[role])
            unknown = CLOSE_NOT_ALLOWED if kind == "phone" else CLOSE_NO_WORKSHOP
            cases.append((f"{kind} (unknown)", role, unknown, socket))
    problems = []

    async def scenario():
        for kind, role, expected, socket in cases:
            connected, _ = await socket.connect()
            if not connected:
                problems.append(f"{kind} as {role}: the handshake failed")
                continue
            if expected is None:
                if not await socket.receive_nothing(timeout=0.05):
                    output = await socket.receive_output()
                    problems.append(f"{kind} as {role}: expected open, got {output}")
                await socket.disconnect()
            else:
                output = await socket.receive_output(timeout=1)
                if output != {"type": "websocket.close", "code": expected}:
                    problems.append(f"{kind} as {role}: expected close {expected}, got {output}")

    # Every wait above has its own timeout; this bounds them all, so a socket that never
    # answers fails the test rather than holding up the suite.
    async_to_sync(asyncio.wait_for)(scenario(), timeout=120)
    assert problems == []
