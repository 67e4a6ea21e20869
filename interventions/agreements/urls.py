from django.urls import path

from . import views

urlpatterns = [path("agreements/", views.agreement_list, name="agreement_list")]
