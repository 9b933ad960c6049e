"""Tags for the shared pager, ``templates/partials/pager.html`` (load with ``{% load pager %}``).

``{% page_query "past" 3 %}`` is the address of another page of one list on a page that may
hold several.
Django's ``{% querystring past=3 %}`` needs the parameter's name written in the template; the
shared pager takes it as a value, so each list on a page keeps its own page number (``?page=``,
``?past=``) and every other parameter of the address is kept as it is.
"""

from __future__ import annotations

from django import template
from django.template.defaulttags import querystring

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context, param: str, number: int) -> str:
    return querystring(context, **{param: number})


@register.simple_tag
def pages_around(page) -> list:
    """The page numbers to offer: the first and last, and one each side of this one, with
    ``page.paginator.ELLIPSIS`` where numbers are left out (templates cannot pass arguments
    to ``get_elided_page_range``)."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
