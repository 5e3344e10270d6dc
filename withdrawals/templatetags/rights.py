"""`{% how_to_contest %}`: the one text on how to contest a decision (core.rights)."""

from django import template

from core.rights import how_to_contest as _how_to_contest

register = template.Library()


@register.simple_tag
def how_to_contest():
    return _how_to_contest()
