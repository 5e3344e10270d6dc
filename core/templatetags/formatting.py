"""Template filters over ``core.formatting``, loaded in every template (a builtin):
``{{ sum|money }}``, ``{{ sum|amount }}``, ``{{ moment|when }}``, ``{{ day|day }}``,
``{{ month|month }}``."""

from django import template

from core import formatting

register = template.Library()


@register.filter
def money(value):
    return formatting.money(value)


@register.filter
def amount(value):
    return formatting.amount(value)


@register.filter
def when(value):
    return formatting.datetime_text(value)


@register.filter
def day(value):
    return formatting.date_text(value)


@register.filter
def month(value):
    return formatting.month_text(value)
