"""The benchmark's floor: a signed-in page of the base template with nothing of the domain."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    return render(request, "scale/floor.html")
