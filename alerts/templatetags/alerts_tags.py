"""Two tiny filters for laying a form out in groups of fields. No logic beyond lookup."""

from django import template

register = template.Library()


@register.filter
def split(value: str) -> list[str]:
    return value.split()


@register.filter
def field(form, name: str):
    return form[name]
