"""Tests for moderation and the console's services: premoderation, approve/hide, edit, merge,
posts entered for a group, spotlight and timers, and the live operations each one publishes."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from facilitation import renderers
from facilitation.renderers import FACILITATORS, WALL
from facilitation.selectors import spotlight
from facilitation.services import workshop_spotlight
from live import broadcast
from participants import services, signals
from participants.models import Contribution, Participant, Vote
from participants.renderers import PARTICIPANTS
from participants.selectors import participant_feed
from tests.factories import (
    ContributionFactory,
    ParticipantFactory,
    UserFactory,
    VoteFactory,
    make_workshop,
    stakeholder_group,
)
from workshops import services as workshop_services

pytestmark = pytest.mark.django_db

AUDIENCES = (PARTICIPANTS, FACILITATORS, WALL)
PENDING = Contribution.State.PENDING
VISIBLE = Contribution.State.VISIBLE
HIDDEN = Contribution.State.HIDDEN
MERGED = Contribution.State.MERGED


# Fixtures and helpers


@pytest.fixture
def open_prompt(workshop):
    return workshop.prompts.get(is_open=True)


@pytest.fixture
def closed_prompt(workshop):
    return workshop.prompts.filter(is_open=False).order_by("order").first()


@pytest.fixture
def other(workshop):
    """Another participant in the same workshop."""
    return ParticipantFactory(workshop=workshop, group=stakeholder_group("education"))


@pytest.fixture
def post(participant):
    """A visible post by `participant`."""
    return ContributionFactory(participant=participant, text="More speech therapists")


@pytest.fixture
def sent(monkeypatch):
    """Live updates as they would go out: [(workshop id, {audience: [operation, ...]})].

    Every event, once committed, reaches `send_now(workshop_id, build_events)`; recording
    `build_events()` when it runs shows exactly what each audience would be sent.
    """
    calls = []
    monkeypatch.setattr(
        broadcast, "send_now", lambda workshop_id, build: calls.append((workshop_id, build()))
    )
    return calls


def create(participant, prompt, text="A fair point", client_id=None):
    contribution, _ = services.contribution_create(
        participant=participant, prompt=prompt, text=text, client_id=client_id or uuid.uuid4()
    )
    return contribution


def enter_for_group(prompt, slug="pcf", text="From a paper card", client_id=None, by=None):
    return services.contribution_create_for_group(
        prompt=prompt,
        group=stakeholder_group(slug),
        text=text,
        client_id=client_id or uuid.uuid4(),
        entered_by=by or UserFactory(roles=["facilitator"]),
    )


def ops(events, audience):
    """(op, id, into) for each operation sent to one audience."""
    return [(e["op"], e.get("id"), e.get("into")) for e in events.get(audience, [])]


def html_of(events, audience, element_id):
    """The markup of the upsert for `element_id` sent to `audience`."""
    (html,) = [e["html"] for e in events[audience] if e["op"] == "upsert" and e["id"] == element_id]
    return html


def assert_shown_to_everyone(events, contribution):
    pk = contribution.pk
    assert ops(events, PARTICIPANTS) == [
        ("upsert", f"contribution-{pk}", f"feed-{contribution.prompt_id}")
    ]
    assert ops(events, WALL) == [
        ("upsert", f"wall-contribution-{pk}", f"wall-feed-{contribution.prompt_id}")
    ]
    assert ops(events, FACILITATORS) == [
        ("upsert", f"console-contribution-{pk}", "console-feed"),
    ]


def assert_withdrawn(events, contribution, *, console_into="console-feed"):
    """Phones and the wall drop the post; consoles move it to `console_into`."""
    pk = contribution.pk
    assert ops(events, PARTICIPANTS) == [("remove", f"contribution-{pk}", None)]
    assert ops(events, WALL) == [("remove", f"wall-contribution-{pk}", None)]
    assert ops(events, FACILITATORS) == [
        ("upsert", f"console-contribution-{pk}", console_into),
    ]


def resync_everyone(sent, workshop):
    return sent == [(workshop.pk, {audience: [{"op": "resync"}] for audience in AUDIENCES})]


def feed_texts(participant):
    return [c.text for prompt in participant_feed(participant) for c in prompt.feed]


# Premoderation


@pytest.fixture
def held_workshop():
    return make_workshop(premoderation=True)


@pytest.fixture
def author(held_workshop):
    return ParticipantFactory(workshop=held_workshop)


def test_premoderation_holds_a_new_post_as_pending(author, held_workshop):
    """While the workshop holds posts for approval, a new post is saved as pending."""
    contribution = create(author, held_workshop.prompts.get(is_open=True))
    contribution.refresh_from_db()
    assert contribution.state == PENDING


def test_author_sees_own_pending_post_and_others_do_not(author, held_workshop):
    """The author's feed shows their post waiting for approval; nobody else's feed has it."""
    create(author, held_workshop.prompts.get(is_open=True), text="Waiting for approval")
    someone_else = ParticipantFactory(workshop=held_workshop)
    assert feed_texts(author) == ["Waiting for approval"]
    assert feed_texts(someone_else) == []


def test_another_participants_pending_post_is_not_in_my_feed_even_once_i_post(
    author, held_workshop
):
    """Two people's pending posts: each sees only their own."""
    prompt = held_workshop.prompts.get(is_open=True)
    someone_else = ParticipantFactory(workshop=held_workshop)
    create(author, prompt, text="Mine")
    create(someone_else, prompt, text="Theirs")
    assert feed_texts(author) == ["Mine"]
    assert feed_texts(someone_else) == ["Theirs"]


def test_scribe_posts_are_never_held(held_workshop):
    """A post a facilitator enters for a group shows at once, even under premoderation."""
    contribution = enter_for_group(held_workshop.prompts.get(is_open=True))
    assert contribution.state == VISIBLE
    assert feed_texts(ParticipantFactory(workshop=held_workshop)) == ["From a paper card"]


def test_a_held_post_goes_only_to_the_consoles_queue(author, held_workshop, sent, committed):
    """Phones and the wall are told to drop it; consoles get it in the approval queue."""
    with committed():
        contribution = create(author, held_workshop.prompts.get(is_open=True), text="Held back")
    (workshop_id, events), *rest = sent
    assert workshop_id == held_workshop.pk and not rest
    assert_withdrawn(events, contribution, console_into="console-queue")
    assert "Held back" in html_of(events, FACILITATORS, f"console-contribution-{contribution.pk}")
    assert "Held back" not in str(events[PARTICIPANTS]) + str(events[WALL])


def test_an_unheld_post_goes_to_every_audience(participant, open_prompt, sent, committed):
    """Without premoderation a new post is upserted on phones, the wall and consoles."""
    with committed():
        contribution = create(participant, open_prompt, text="Straight through")
    [(_, events)] = sent
    assert_shown_to_everyone(events, contribution)
    for audience, element_id in [
        (PARTICIPANTS, f"contribution-{contribution.pk}"),
        (WALL, f"wall-contribution-{contribution.pk}"),
        (FACILITATORS, f"console-contribution-{contribution.pk}"),
    ]:
        assert "Straight through" in html_of(events, audience, element_id)


def test_nothing_is_published_before_commit(participant, open_prompt, sent):
    """Live updates wait for the commit: nothing is sent while the transaction is open."""
    create(participant, open_prompt)
    assert sent == []


# contribution_set_state


def test_approving_a_pending_post_shows_it_to_everyone(author, held_workshop, sent, committed):
    """Approve: pending becomes visible; phones and the wall get it, consoles move it."""
    contribution = create(author, held_workshop.prompts.get(is_open=True))
    with committed():
        services.contribution_set_state(contribution=contribution, state="visible")
    contribution.refresh_from_db()
    assert contribution.state == VISIBLE
    assert feed_texts(ParticipantFactory(workshop=held_workshop)) == [contribution.text]
    [(_, events)] = sent
    assert_shown_to_everyone(events, contribution)


def test_hiding_a_post_withdraws_it_and_showing_it_again_brings_it_back(post, sent, committed):
    """Hide drops the post from phones and the wall; show again puts it back."""
    with committed():
        services.contribution_set_state(contribution=post, state="hidden")
    post.refresh_from_db()
    assert post.state == HIDDEN
    assert feed_texts(ParticipantFactory(workshop=post.workshop)) == []
    assert_withdrawn(sent[-1][1], post)
    assert "Waiting for approval" not in html_of(
        sent[-1][1], FACILITATORS, f"console-contribution-{post.pk}"
    )
    assert "Hidden" in html_of(sent[-1][1], FACILITATORS, f"console-contribution-{post.pk}")

    with committed():
        services.contribution_set_state(contribution=post, state="visible")
    post.refresh_from_db()
    assert post.state == VISIBLE
    assert feed_texts(ParticipantFactory(workshop=post.workshop)) == [post.text]
    assert_shown_to_everyone(sent[-1][1], post)
    assert len(sent) == 2


def test_holding_a_visible_post_moves_it_to_the_approval_queue(post, sent, committed):
    """A visible post sent back for approval leaves phones and the wall, and joins the queue."""
    with committed():
        services.contribution_set_state(contribution=post, state="pending")
    post.refresh_from_db()
    assert post.state == PENDING
    assert_withdrawn(sent[0][1], post, console_into="console-queue")


@pytest.mark.parametrize("state", ["merged", "deleted", "Hidden", "", None, 3])
def test_set_state_refuses_a_bogus_state_and_publishes_nothing(post, state, sent, committed):
    """Only show, hide or hold are moderation states (merging has its own service)."""
    with committed(), pytest.raises(ValidationError):
        services.contribution_set_state(contribution=post, state=state)
    post.refresh_from_db()
    assert post.state == VISIBLE
    assert sent == []


@pytest.mark.parametrize("state", ["visible", "hidden", "pending"])
def test_set_state_refuses_to_change_a_merged_post(participant, state, sent, committed):
    """A merged post stays merged: it is changed through the post it was merged into."""
    into = ContributionFactory(participant=participant)
    duplicate = ContributionFactory(participant=participant)
    services.contribution_merge(duplicate=duplicate, into=into)
    with committed(), pytest.raises(ValidationError, match="merged"):
        services.contribution_set_state(contribution=duplicate, state=state)
    duplicate.refresh_from_db()
    assert duplicate.state == MERGED
    assert duplicate.merged_into == into
    assert sent == []


# contribution_edit


def test_edit_keeps_the_first_original_text_across_two_edits(post):
    """The participant's own words are kept from the first edit; later edits don't replace them."""
    services.contribution_edit(contribution=post, text="More speech and language therapists")
    post.refresh_from_db()
    assert post.text == "More speech and language therapists"
    assert post.original_text == "More speech therapists"
    first_edit_at = post.edited_at
    assert first_edit_at is not None
    assert timezone.now() - first_edit_at < timedelta(minutes=1)

    services.contribution_edit(contribution=post, text="  More speech and language therapy  ")
    post.refresh_from_db()
    assert post.text == "More speech and language therapy"
    assert post.original_text == "More speech therapists"
    assert post.edited_at >= first_edit_at


@pytest.mark.parametrize("text", ["", "   \n ", None, "x" * 1001, "bad \x00 byte"], ids=repr)
def test_edit_refuses_bad_text_and_leaves_the_post_unchanged(post, text, sent, committed):
    """Empty, over-long or unstorable text is refused; the row is as it was; nothing is sent."""
    with committed(), pytest.raises(ValidationError) as refused:
        services.contribution_edit(contribution=post, text=text)
    assert "text" in refused.value.message_dict
    post.refresh_from_db()
    assert post.text == "More speech therapists"
    assert post.original_text == ""
    assert post.edited_at is None
    assert sent == []


def test_edit_accepts_exactly_the_length_limit(post, settings):
    """A text of exactly the limit is allowed."""
    text = "y" * settings.CONTRIBUTION_MAX_LENGTH
    services.contribution_edit(contribution=post, text=text)
    post.refresh_from_db()
    assert post.text == text


@pytest.mark.parametrize("text", ["More speech therapists", "  More speech therapists\n"])
def test_edit_with_the_same_text_is_a_no_op(post, text, sent, committed):
    """Saving the text unchanged records no edit and sends nothing."""
    with committed():
        services.contribution_edit(contribution=post, text=text)
    post.refresh_from_db()
    assert post.text == "More speech therapists"
    assert post.original_text == ""
    assert post.edited_at is None
    assert sent == []


def test_edit_publishes_the_new_text_to_every_audience(post, sent, committed):
    """Phones, the wall and consoles get the corrected text; consoles also see the original."""
    with committed():
        services.contribution_edit(contribution=post, text="Speech therapists in every school")
    [(_, events)] = sent
    assert_shown_to_everyone(events, post)
    assert "Speech therapists in every school" in html_of(
        events, PARTICIPANTS, f"contribution-{post.pk}"
    )
    assert "Speech therapists in every school" in html_of(
        events, WALL, f"wall-contribution-{post.pk}"
    )
    console_html = html_of(events, FACILITATORS, f"console-contribution-{post.pk}")
    assert "Speech therapists in every school" in console_html
    assert "First written as" in console_html and "More speech therapists" in console_html


def test_editing_a_hidden_post_keeps_it_off_phones_and_the_wall(post, sent, committed):
    """An edit does not bring a hidden post back."""
    services.contribution_set_state(contribution=post, state="hidden")
    with committed():
        services.contribution_edit(contribution=post, text="Tidied up")
    post.refresh_from_db()
    assert post.state == HIDDEN
    assert_withdrawn(sent[-1][1], post)


# contribution_merge


@pytest.fixture
def pair(workshop, participant, other):
    """A duplicate (by `other`) and the post to merge it into (by `participant`)."""
    into = ContributionFactory(participant=participant, text="Keep this one")
    duplicate = ContributionFactory(participant=other, text="Same idea again")
    return duplicate, into


def voter(workshop, slug="health"):
    return ParticipantFactory(workshop=workshop, group=stakeholder_group(slug))


def set_updated(vote, minutes_ago):
    Vote.objects.filter(pk=vote.pk).update(updated=timezone.now() - timedelta(minutes=minutes_ago))


def choices_on(contribution):
    return dict(contribution.votes.values_list("participant_id", "choice"))


def test_merge_pools_the_votes_one_per_person(workshop, pair):
    """Votes on the duplicate join the other post's; each person still has one vote."""
    duplicate, into = pair
    a, b, c = voter(workshop), voter(workshop, "education"), voter(workshop, "other")
    VoteFactory(contribution=duplicate, participant=a, choice="agree")
    VoteFactory(contribution=duplicate, participant=b, choice="disagree")
    VoteFactory(contribution=into, participant=c, choice="pass")
    services.contribution_merge(duplicate=duplicate, into=into)
    assert choices_on(into) == {a.pk: "agree", b.pk: "disagree", c.pk: "pass"}
    assert not duplicate.votes.exists()
    assert Vote.objects.count() == 3


@pytest.mark.parametrize(
    ("duplicate_minutes_ago", "into_minutes_ago", "expected"),
    [(1, 5, "agree"), (5, 1, "disagree")],
    ids=["duplicate-vote-newer", "target-vote-newer"],
)
def test_merge_keeps_the_latest_vote_of_someone_who_voted_on_both(
    workshop, pair, duplicate_minutes_ago, into_minutes_ago, expected
):
    """Someone who voted on both posts keeps one vote: the one they cast last."""
    duplicate, into = pair
    both = voter(workshop)
    set_updated(
        VoteFactory(contribution=duplicate, participant=both, choice="agree"),
        duplicate_minutes_ago,
    )
    set_updated(
        VoteFactory(contribution=into, participant=both, choice="disagree"), into_minutes_ago
    )
    services.contribution_merge(duplicate=duplicate, into=into)
    assert choices_on(into) == {both.pk: expected}
    assert Vote.objects.filter(participant=both).count() == 1


def test_merge_drops_a_vote_by_the_target_posts_author(workshop, pair, participant):
    """The author of the post merged into cannot end up voting on their own post."""
    duplicate, into = pair
    VoteFactory(contribution=duplicate, participant=participant, choice="agree")
    someone = voter(workshop)
    VoteFactory(contribution=duplicate, participant=someone, choice="pass")
    services.contribution_merge(duplicate=duplicate, into=into)
    assert choices_on(into) == {someone.pk: "pass"}
    assert not Vote.objects.filter(participant=participant).exists()


def test_merge_marks_the_duplicate_merged_and_keeps_its_text(pair):
    """The duplicate is kept, marked merged into the other; the other stays as it was."""
    duplicate, into = pair
    assert services.contribution_merge(duplicate=duplicate, into=into) == into
    duplicate.refresh_from_db()
    into.refresh_from_db()
    assert duplicate.state == MERGED
    assert duplicate.merged_into == into
    assert duplicate.text == "Same idea again"
    assert into.state == VISIBLE
    assert into.merged_into is None


def test_merge_publishes_the_duplicate_withdrawn_and_the_target_updated(
    workshop, pair, sent, committed
):
    """Phones and the wall drop the duplicate and refresh the target; consoles get both."""
    duplicate, into = pair
    VoteFactory(contribution=duplicate, participant=voter(workshop), choice="agree")
    with committed():
        services.contribution_merge(duplicate=duplicate, into=into)
    assert [workshop_id for workshop_id, _ in sent] == [workshop.pk]
    [(_, events)] = sent
    dup_events, into_events = about(events, duplicate), about(events, into)
    assert_withdrawn(dup_events, duplicate)
    console_html = html_of(dup_events, FACILITATORS, f"console-contribution-{duplicate.pk}")
    assert "Merged into another" in console_html and f"(post {into.pk})" in console_html
    assert_shown_to_everyone(into_events, into)
    tallies = html_of(into_events, FACILITATORS, f"console-contribution-{into.pk}")
    assert "<td>1</td>" in tallies  # the moved agree vote is counted on the target


def about(events, contribution):
    """The operations of one update that concern one post."""
    ids = {f"{prefix}{contribution.pk}" for prefix in ("contribution-", "wall-contribution-")}
    ids.add(f"console-contribution-{contribution.pk}")
    return {
        audience: [op for op in operations if op.get("id") in ids]
        for audience, operations in events.items()
    }


def merge_refused(duplicate, into):
    with pytest.raises(ValidationError):
        services.contribution_merge(duplicate=duplicate, into=into)


def test_merge_into_itself_is_refused(workshop, pair, sent, committed):
    """A post cannot be merged into itself."""
    duplicate, _ = pair
    VoteFactory(contribution=duplicate, participant=voter(workshop))
    with committed():
        merge_refused(duplicate, duplicate)
    duplicate.refresh_from_db()
    assert duplicate.state == VISIBLE and duplicate.merged_into is None
    assert duplicate.votes.count() == 1
    assert sent == []


def test_merge_into_another_workshops_post_is_refused(workshop, pair, sent, committed):
    """Posts from different workshops are never merged; nothing moves."""
    duplicate, _ = pair
    vote = VoteFactory(contribution=duplicate, participant=voter(workshop))
    elsewhere = ContributionFactory()
    with committed():
        merge_refused(duplicate, elsewhere)
    duplicate.refresh_from_db()
    vote.refresh_from_db()
    assert duplicate.state == VISIBLE and duplicate.merged_into is None
    assert vote.contribution == duplicate
    assert not elsewhere.votes.exists()
    assert sent == []


@pytest.mark.parametrize("already", ["duplicate", "into"])
def test_merge_with_an_already_merged_post_is_refused(
    workshop, participant, pair, already, sent, committed
):
    """Neither post may already be merged; nothing changes on refusal."""
    duplicate, into = pair
    third = ContributionFactory(participant=participant, text="A third")
    services.contribution_merge(duplicate=duplicate if already == "duplicate" else into, into=third)
    vote = VoteFactory(contribution=duplicate, participant=voter(workshop))
    before = {c.pk: (c.state, c.merged_into_id) for c in Contribution.objects.all()}
    with committed():
        merge_refused(duplicate, into)
    after = {c.pk: (c.state, c.merged_into_id) for c in Contribution.objects.all()}
    assert after == before
    vote.refresh_from_db()
    assert vote.contribution == duplicate
    assert sent == []


# contribution_create_for_group


def test_entering_for_a_group_posts_as_that_groups_scribe(workshop, open_prompt, facilitator):
    """The post belongs to the workshop's scribe participant for the group, marked as entered."""
    contribution = enter_for_group(open_prompt, "health", by=facilitator)
    contribution.refresh_from_db()
    scribe = contribution.participant
    assert scribe.is_scribe
    assert scribe.workshop == workshop
    assert scribe.group.slug == "health"
    assert scribe.consented_at is not None
    assert contribution.entered_by == facilitator
    assert contribution.text == "From a paper card"
    assert contribution.prompt == open_prompt


def test_one_scribe_per_workshop_and_group(workshop, open_prompt):
    """Posts for the same group reuse one scribe; another group or workshop gets its own."""
    first = enter_for_group(open_prompt, "pcf")
    second = enter_for_group(open_prompt, "pcf")
    health = enter_for_group(open_prompt, "health")
    elsewhere = enter_for_group(make_workshop().prompts.get(is_open=True), "pcf")
    assert first.participant_id == second.participant_id
    assert health.participant_id != first.participant_id
    assert elsewhere.participant_id not in (first.participant_id, health.participant_id)
    assert Participant.objects.filter(workshop=workshop, is_scribe=True).count() == 2


def test_scribe_participants_are_separate_from_people_of_the_same_group(participant, open_prompt):
    """A group's scribe is never one of its real participants."""
    contribution = enter_for_group(open_prompt, participant.group.slug)
    assert contribution.participant_id != participant.pk


def test_entering_for_a_group_is_idempotent_on_client_id(open_prompt, facilitator):
    """Sending the same form twice saves one post."""
    client_id = uuid.uuid4()
    first = enter_for_group(open_prompt, client_id=client_id, by=facilitator)
    again = enter_for_group(open_prompt, text="Typed twice", client_id=client_id, by=facilitator)
    assert again.pk == first.pk
    assert Contribution.objects.count() == 1
    assert Contribution.objects.get().text == "From a paper card"


def test_resending_an_entered_post_after_its_question_closed_returns_the_saved_post(
    open_prompt, facilitator
):
    """A resend of a post already saved is recognised, as for phones, even once it has closed."""
    client_id = uuid.uuid4()
    first = enter_for_group(open_prompt, client_id=client_id, by=facilitator)
    open_prompt.is_open = False
    open_prompt.save(update_fields=["is_open"])
    again = enter_for_group(open_prompt, client_id=client_id, by=facilitator)
    assert again.pk == first.pk
    assert Contribution.objects.count() == 1


def test_entering_for_a_group_on_a_closed_prompt_is_refused_and_saves_nothing(closed_prompt):
    """A closed question takes no posts, from phones or facilitators; no scribe is left behind."""
    with pytest.raises(ValidationError, match="closed"):
        enter_for_group(closed_prompt)
    assert not Contribution.objects.exists()
    assert not Participant.objects.filter(is_scribe=True).exists()


def test_entering_empty_text_for_a_group_is_refused_and_saves_nothing(open_prompt):
    """Empty text is refused with a message about the text; no scribe is left behind."""
    with pytest.raises(ValidationError) as refused:
        enter_for_group(open_prompt, text="   ")
    assert "text" in refused.value.message_dict
    assert not Contribution.objects.exists()
    assert not Participant.objects.filter(is_scribe=True).exists()


def test_entering_paper_cards_is_not_held_to_the_phone_rate_limit(
    open_prompt, settings, fixed_window
):
    """A facilitator typing a table's cards may enter more than a phone may post in a minute."""
    settings.CONTRIBUTIONS_PER_MINUTE = 2
    for n in range(4):
        enter_for_group(open_prompt, text=f"Card {n}")
    assert Contribution.objects.count() == 4


def test_entering_for_a_group_publishes_to_every_audience(open_prompt, sent, committed):
    """The entered post goes to phones, the wall and consoles like any other."""
    with committed():
        contribution = enter_for_group(open_prompt)
    [(_, events)] = sent
    assert_shown_to_everyone(events, contribution)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_live_console_copy_of_an_entered_post_says_who_entered_it(
    open_prompt, facilitator, sent
):
    """Consoles are sent the post already marked as entered by the facilitator.

    Run outside a test transaction, as a request is: the update must be built after the
    whole service has committed, not after its first save.
    """
    contribution = enter_for_group(open_prompt, by=facilitator)
    [(_, events)] = sent
    console_html = html_of(events, FACILITATORS, f"console-contribution-{contribution.pk}")
    assert "entered by the facilitator" in console_html


# vote_cast


def test_a_pending_post_takes_no_votes(author, held_workshop):
    """Nobody can vote on a post still waiting for approval."""
    contribution = create(author, held_workshop.prompts.get(is_open=True))
    with pytest.raises(ValidationError):
        services.vote_cast(
            participant=ParticipantFactory(workshop=held_workshop),
            contribution=contribution,
            choice="agree",
        )
    assert not Vote.objects.exists()


def test_a_vote_updates_tallies_after_commit(post, other, committed):
    """A vote asks for the post's tallies to be refreshed, once it has committed."""
    calls = []

    def record(sender, workshop_id, contribution_ids, **event):
        calls.extend((workshop_id, pk) for pk in contribution_ids)

    signals.votes_changed.connect(record)
    with committed():
        services.vote_cast(participant=other, contribution=post, choice="agree")
        assert calls == []
    assert calls == [(post.workshop_id, post.pk)]


def test_tally_events_reach_consoles_and_the_wall_but_not_phones(post, other):
    """Tallies go to consoles and, for visible posts, the wall; phones get none."""
    VoteFactory(contribution=post, participant=other)
    hidden = ContributionFactory(participant=other, state=HIDDEN)
    events = renderers.tally_events({post.pk, hidden.pk})
    assert PARTICIPANTS not in events
    assert sorted(e["id"] for e in events[FACILITATORS]) == sorted(
        [f"tallies-{post.pk}", f"tallies-{hidden.pk}"]
    )
    assert [e["id"] for e in events[WALL]] == [f"wall-tally-{post.pk}"]


# workshop_spotlight


def only_staff_pages_resync(sent, workshop):
    """Consoles and the wall re-sync; phones, which never show the spotlight, are left be."""
    return sent == [(workshop.pk, {FACILITATORS: [{"op": "resync"}], WALL: [{"op": "resync"}]})]


def test_spotlight_puts_a_visible_post_on_the_wall_and_staff_pages_resync(
    workshop, post, sent, committed
):
    """A visible post of the workshop can be spotlit; consoles and the wall re-sync."""
    with committed():
        workshop_spotlight(workshop=workshop, contribution=post)
    workshop.refresh_from_db()
    assert spotlight(workshop.pk) == post
    assert only_staff_pages_resync(sent, workshop)


def test_spotlight_none_clears_it(workshop, post, sent, committed):
    """None takes the post off the wall."""
    workshop_spotlight(workshop=workshop, contribution=post)
    with committed():
        workshop_spotlight(workshop=workshop, contribution=None)
    workshop.refresh_from_db()
    assert spotlight(workshop.pk) is None
    assert only_staff_pages_resync(sent, workshop)


@pytest.mark.parametrize("state", [HIDDEN, PENDING, MERGED])
def test_spotlight_refuses_a_post_that_is_not_visible(workshop, post, state, sent, committed):
    """Only a visible post can be put on the wall; the spotlight stays as it was."""
    shown = ContributionFactory(participant=post.participant)
    workshop_spotlight(workshop=workshop, contribution=shown)
    Contribution.objects.filter(pk=post.pk).update(state=state)
    post.refresh_from_db()
    with committed(), pytest.raises(ValidationError):
        workshop_spotlight(workshop=workshop, contribution=post)
    workshop.refresh_from_db()
    assert spotlight(workshop.pk) == shown
    assert sent == []


def test_spotlight_refuses_another_workshops_post(workshop, sent, committed):
    """A post from another workshop cannot be put on this wall."""
    with committed(), pytest.raises(ValidationError):
        workshop_spotlight(workshop=workshop, contribution=ContributionFactory())
    workshop.refresh_from_db()
    assert spotlight(workshop.pk) is None
    assert sent == []


def spotlight_op(events):
    """An operation that takes the spotlight off or redraws it (or re-syncs the wall)."""
    return [e for e in events.get(WALL, []) if e["op"] == "resync" or e.get("id") == "spotlight"]


@pytest.mark.parametrize("action", ["hide", "hold", "merge", "edit"])
def test_changing_the_spotlit_post_updates_the_walls_spotlight(
    workshop, post, participant, action, sent, committed
):
    """Hiding, holding, merging or editing the post on the wall changes the wall's spotlight too.

    The wall shows the spotlight outside its feed (id "spotlight"), so removing or upserting
    the feed item alone would leave a hidden post, or the old words, on the projector.
    """
    workshop_spotlight(workshop=workshop, contribution=post)
    with committed():
        if action == "hide":
            services.contribution_set_state(contribution=post, state="hidden")
        elif action == "hold":
            services.contribution_set_state(contribution=post, state="pending")
        elif action == "merge":
            into = ContributionFactory(participant=participant)
            services.contribution_merge(duplicate=post, into=into)
        else:
            services.contribution_edit(contribution=post, text="Reworded on the wall")
    assert any(spotlight_op(events) for _, events in sent)


# prompt_set_timer and prompt_set_open


def test_timer_starts_a_countdown_and_everyone_resyncs(workshop, open_prompt, sent, committed):
    """Minutes from now; every page re-syncs to show it."""
    before = timezone.now()
    with committed():
        workshop_services.prompt_set_timer(prompt=open_prompt, minutes=5)
    open_prompt.refresh_from_db()
    assert before + timedelta(minutes=5) <= open_prompt.timer_ends_at
    assert open_prompt.timer_ends_at <= timezone.now() + timedelta(minutes=5)
    assert resync_everyone(sent, workshop)


def test_timer_accepts_the_maximum(open_prompt):
    """The largest allowed timer is accepted."""
    workshop_services.prompt_set_timer(
        prompt=open_prompt, minutes=workshop_services.MAX_TIMER_MINUTES
    )
    open_prompt.refresh_from_db()
    assert open_prompt.timer_ends_at is not None


def test_timer_zero_clears_it(workshop, open_prompt, sent, committed):
    """0 minutes stops the countdown."""
    workshop_services.prompt_set_timer(prompt=open_prompt, minutes=5)
    with committed():
        workshop_services.prompt_set_timer(prompt=open_prompt, minutes=0)
    open_prompt.refresh_from_db()
    assert open_prompt.timer_ends_at is None
    assert resync_everyone(sent, workshop)


@pytest.mark.parametrize("minutes", [-1, 121, 10_000, "5", 5.0, None], ids=repr)
def test_timer_refuses_bad_minutes(open_prompt, minutes, sent, committed):
    """Negative, too large or non-integer minutes are refused; the timer is unchanged."""
    workshop_services.prompt_set_timer(prompt=open_prompt, minutes=3)
    open_prompt.refresh_from_db()
    ends_at = open_prompt.timer_ends_at
    with committed(), pytest.raises(ValidationError):
        workshop_services.prompt_set_timer(prompt=open_prompt, minutes=minutes)
    open_prompt.refresh_from_db()
    assert open_prompt.timer_ends_at == ends_at
    assert sent == []


def test_timer_refused_on_a_closed_prompt(closed_prompt, sent, committed):
    """A closed question has no countdown."""
    with committed(), pytest.raises(ValidationError, match="Open the question"):
        workshop_services.prompt_set_timer(prompt=closed_prompt, minutes=5)
    closed_prompt.refresh_from_db()
    assert closed_prompt.timer_ends_at is None
    assert sent == []


def test_closing_a_prompt_clears_its_timer(workshop, open_prompt, sent, committed):
    """Closing the question stops its countdown; everyone re-syncs."""
    workshop_services.prompt_set_timer(prompt=open_prompt, minutes=5)
    with committed():
        workshop_services.prompt_set_open(prompt=open_prompt, is_open=False)
    open_prompt.refresh_from_db()
    assert not open_prompt.is_open
    assert open_prompt.timer_ends_at is None
    assert resync_everyone(sent, workshop)


def test_opening_a_prompt_resyncs_everyone(workshop, closed_prompt, sent, committed):
    """Opening a question makes every page re-sync."""
    with committed():
        workshop_services.prompt_set_open(prompt=closed_prompt, is_open=True)
    closed_prompt.refresh_from_db()
    assert closed_prompt.is_open
    assert resync_everyone(sent, workshop)


@pytest.mark.parametrize("status", ["closed", "draft", "live"])
def test_changing_workshop_status_resyncs_everyone(workshop, status, sent, committed):
    """Starting, closing or drafting a workshop makes every page re-sync; when it is no
    longer live, every phone's feed is also replaced by the read-only notice at once."""
    with committed():
        workshop_services.workshop_set_status(workshop=workshop, status=status)
    [(workshop_id, events)] = sent
    assert workshop_id == workshop.pk
    assert all(events[audience][0] == broadcast.RESYNC for audience in AUDIENCES)
    replaced = [op["id"] for op in events[PARTICIPANTS] if op["op"] == "replace"]
    assert replaced == ([] if status == "live" else ["phone-feed"])


# workshop_set_premoderation


@pytest.mark.parametrize("premoderation", [True, False])
def test_set_premoderation_decides_whether_new_posts_are_held(
    workshop, participant, open_prompt, premoderation
):
    """Turning premoderation on holds the next post; turning it off shows it at once."""
    workshop_services.workshop_set_premoderation(workshop=workshop, premoderation=not premoderation)
    workshop_services.workshop_set_premoderation(workshop=workshop, premoderation=premoderation)
    workshop.refresh_from_db()
    assert workshop.premoderation is premoderation
    open_prompt.refresh_from_db()
    contribution = create(participant, open_prompt)
    assert contribution.state == (PENDING if premoderation else VISIBLE)


def test_a_withdrawn_post_on_the_wall_leaves_the_projector(
    workshop, participant, post, sent, committed
):
    """Its spotlight goes with the post, so the wall redraws rather than keep showing it."""
    workshop_spotlight(workshop=workshop, contribution=post)
    sent.clear()
    with committed():
        services.contribution_withdraw(participant=participant, contribution=post)
    [(_, events)] = sent
    assert {"op": "resync"} in events[WALL]
    assert spotlight(workshop.pk) is None
