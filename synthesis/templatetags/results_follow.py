"""The email form of following a series' results, for pages that include
synthesis/public/_follow.html without a form of their own (the results pages)."""

from django import template

from synthesis.notice_views import ResultsSubscribeForm

register = template.Library()


@register.simple_tag(takes_context=True)
def follow_form(context):
    """The page's own form (the subscribe page's, with its errors), else an empty one."""
    form = context.get("follow_form")
    return ResultsSubscribeForm() if form is None else form
