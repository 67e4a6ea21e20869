from django.urls import path

from . import views

urlpatterns = [
    path("sen/", views.sen_view, name="sen"),
]
