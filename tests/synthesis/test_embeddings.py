"""Posts' meanings, worked out on this server (synthesis.embeddings, synthesis.vectors)."""

import shutil
import socket

import numpy as np
import pytest
from django.urls import reverse

from participants import services as participant_services
from synthesis import embeddings, vectors
from synthesis.models import Embedding
from tests.factories import ContributionFactory, ParticipantFactory, make_workshop


def test_it_reproduces_the_similarities_sentence_transformers_publishes_for_the_model():
    # From sentence-transformers' own documentation for all-MiniLM-L6-v2.
    vectors_ = embeddings.embed(
        ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
    )
    published = [[1.0, 0.6660, 0.1046], [0.6660, 1.0, 0.1411], [0.1046, 0.1411, 1.0]]
    assert np.allclose(vectors_ @ vectors_.T, published, atol=1e-3)
    assert vectors_.shape == (3, embeddings.DIMENSIONS) and vectors_.dtype == np.float32


def test_posts_that_share_no_words_are_found_by_meaning():
    waited, signs, bus = embeddings.embed(
        [
            "We waited until year 3 for anyone to listen.",
            "The signs were there in reception and nothing happened.",
            "The school bus is late every single morning.",
        ]
    )
    assert waited @ signs > waited @ bus


def test_batches_give_the_same_vectors_as_one_post_at_a_time():
    texts = [f"Families wait {n} months for an assessment" + " really" * n for n in range(40)]
    together = embeddings.embed(texts)
    alone = np.vstack([embeddings.embed([text]) for text in texts[::13]])
    assert np.allclose(together[::13], alone, atol=1e-5)


def test_the_model_loads_with_the_network_unreachable(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network unreachable")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(embeddings, "_model", None)
    assert embeddings.embed(["Speech therapy waits are too long."]).shape == (1, 384)


def test_files_that_are_not_the_checked_ones_are_refused(tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(embeddings.model_folder(), folder)
    with (folder / "tokenizer.json").open("a") as tokenizer:
        tokenizer.write(" ")
    with pytest.raises(embeddings.ModelFilesError, match="not the file this version"):
        embeddings.MiniLM(folder)
    (folder / "model.safetensors").unlink()
    with pytest.raises(embeddings.ModelFilesError, match="Cannot read"):
        embeddings.verified(folder / "model.safetensors")


@pytest.mark.django_db
def test_the_words_others_see_are_embedded_never_the_masked_ones():
    post = ContributionFactory(text="Call me on 07700 900123 about the waiting list")
    post.masked_text = "Call me on [phone number] about the waiting list"
    post.personal_data = ["phone"]
    post.save()
    assert vectors.refresh(type(post).objects.filter(pk=post.pk)) == 1
    stored = Embedding.objects.get(contribution=post)
    assert stored.text_digest == vectors.digest(post.masked_text)
    expected = embeddings.embed([post.masked_text])[0]
    assert np.allclose(np.frombuffer(stored.vector, dtype=np.float32), expected, atol=1e-5)
    assert vectors.refresh(type(post).objects.filter(pk=post.pk)) == 0  # up to date


@pytest.mark.django_db
def test_an_edited_post_is_embedded_again(django_capture_on_commit_callbacks):
    post = ContributionFactory(text="Waiting lists for therapy are far too long")
    vectors.refresh(type(post).objects.filter(pk=post.pk))
    before = Embedding.objects.get(contribution=post).vector
    with django_capture_on_commit_callbacks(execute=True):
        participant_services.contribution_edit(
            contribution=post, text="Nobody answers the phone at the council"
        )
    after = Embedding.objects.get(contribution=post)
    assert after.vector != before
    assert after.text_digest == vectors.digest("Nobody answers the phone at the council")


@pytest.mark.django_db
def test_a_new_post_is_embedded_through_its_event(django_capture_on_commit_callbacks):
    workshop = make_workshop()
    participant = ParticipantFactory(workshop=workshop)
    with django_capture_on_commit_callbacks(execute=True):
        post, _ = participant_services.contribution_create(
            participant=participant,
            prompt=workshop.prompts.first(),
            text="Teachers need training in autism before the new plans start",
            client_id="4b1c7a52-6f39-4c3e-9a47-2a0d3c2c7b11",
        )
    assert Embedding.objects.filter(contribution=post).exists()


@pytest.mark.django_db
def test_similar_posts_are_listed_most_similar_first_with_their_similarity(
    client, analyst, django_capture_on_commit_callbacks
):
    workshop = make_workshop()
    other = make_workshop(series=workshop.series)
    texts = [
        "We waited years for an autism assessment",
        "The assessment for autism took far too long to come",
        "School transport is unreliable",
    ]
    posts = [ContributionFactory(participant=ParticipantFactory(workshop=workshop), text=texts[0])]
    posts += [
        ContributionFactory(participant=ParticipantFactory(workshop=other), text=text)
        for text in texts[1:]
    ]
    client.force_login(analyst)
    url = reverse("synthesis:similar_posts", args=[workshop.series.pk, posts[0].pk])
    waiting = client.get(url).content.decode()
    assert "once the meaning of this series' posts has been worked out" in waiting
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("synthesis:meanings", args=[workshop.series.pk]))
    html = client.get(url).content.decode()
    first, second = html.index(f"Post {posts[1].pk} "), html.index(f"Post {posts[2].pk} ")
    assert first < second
    assert "% similar" in html
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert '<div class="similar">' in fragment and "<html" not in fragment


@pytest.mark.django_db
def test_the_themes_page_says_how_many_posts_have_their_meaning(
    client, analyst, django_capture_on_commit_callbacks
):
    workshop = make_workshop()
    ContributionFactory(
        participant=ParticipantFactory(workshop=workshop), text="Early help would have saved us"
    )
    client.force_login(analyst)
    page = client.get(reverse("synthesis:themes", args=[workshop.series.pk])).content.decode()
    assert "0 of 1 shown post has its meaning worked out" in page
    assert "Work out the rest" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("synthesis:meanings", args=[workshop.series.pk]))
    page = client.get(reverse("synthesis:themes", args=[workshop.series.pk])).content.decode()
    assert "1 of 1 shown post has its meaning worked out" in page


@pytest.mark.django_db
def test_similar_posts_of_a_hidden_unknown_or_other_series_post_are_not_found(client, analyst):
    hidden = ContributionFactory(state="hidden")
    elsewhere = ContributionFactory()
    client.force_login(analyst)
    series = hidden.workshop.series.pk
    for pk in (hidden.pk, 999999, elsewhere.pk):
        assert client.get(reverse("synthesis:similar_posts", args=[series, pk])).status_code == 404


@pytest.mark.django_db
def test_the_merge_picker_offers_the_workshops_posts_alike_in_meaning(client, facilitator):
    workshop = make_workshop()
    other = make_workshop(series=workshop.series)
    texts = [
        "Autism assessments take far too long",
        "The wait for an autism assessment is too long",
    ]
    post, alike = (
        ContributionFactory(participant=ParticipantFactory(workshop=workshop), text=text)
        for text in texts
    )
    elsewhere = ContributionFactory(participant=ParticipantFactory(workshop=other), text=texts[1])
    vectors.refresh(type(post).objects.all())
    client.force_login(facilitator)
    url = reverse("facilitation:merge_candidates", args=[workshop.pk, post.pk])
    html = client.get(url).content.decode()
    assert f'name="into" value="{alike.pk}"' in html and "Merge into this" in html
    assert f"post {elsewhere.pk}" not in html  # merging stays within the workshop
    foreign = reverse("facilitation:merge_candidates", args=[workshop.pk, elsewhere.pk])
    assert client.get(foreign).status_code == 404
