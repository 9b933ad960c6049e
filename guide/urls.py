from django.urls import path

from guide import views

app_name = "guide"
urlpatterns = [
    path("guide/", views.guide_index, name="index"),
    path("guide/<slug:slug>/", views.guide_section, name="section"),
]
