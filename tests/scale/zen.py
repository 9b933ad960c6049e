"""Fail on any SQL run while a template renders, as django-zen-queries does, without the
dependency: every Template.render runs under a connection wrapper that raises."""

from __future__ import annotations

import contextlib

from django.db import connection
from django.template import base


class TemplateQueryError(AssertionError):
    pass


def _refuse(execute, sql, params, many, context):
    raise TemplateQueryError(sql[:300])


@contextlib.contextmanager
def no_queries_while_rendering():
    original = base.Template.render

    def render(self, context):
        with connection.execute_wrapper(_refuse):
            return original(self, context)

    base.Template.render = render
    try:
        yield
    finally:
        base.Template.render = original
