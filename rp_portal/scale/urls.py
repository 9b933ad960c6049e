"""The production URLs plus the benchmark's floor page, for ``settings_bench`` only: the floor
is never served by a real installation."""

from django.urls import path

from rp_portal.scale import views
from rp_portal.urls import urlpatterns as production

urlpatterns = [path("bench/floor/", views.floor, name="bench_floor"), *production]
