from django.urls import path

from . import views

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/export/<str:fmt>/", views.plan_export, name="plan_export"),
    path("plans/print/", views.plan_pdf, name="plan_pdf"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("flags/<int:flag_pk>/plan/", views.plan_from_flag, name="plan_from_flag"),
    path("key-stage-sheet/", views.ks_sheet, name="ks_sheet"),
    path("target-groups/<int:pk>/", views.target_group_detail, name="target_group_detail"),
]
